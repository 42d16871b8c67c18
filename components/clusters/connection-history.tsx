'use client';

import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { timeAgo } from '@/components/clusters/format';
import { useTRPC } from '@/components/trpc/client';
import type { RouterOutputs } from '@/components/trpc/types';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { EmptyState, ErrorState, LoadingState } from '@/components/ui/states';
import { countOf, formatDuration, formatInstantWithSeconds } from '@/lib/format-time';
import { MAX_HISTORY_PAGE } from '@/lib/schemas/connection-history';

type ConnectionHistory = RouterOutputs['clusters']['connectionHistory'];
type Uptime = ConnectionHistory['uptime']['last24h'];

/** Events shown at first, and added by each "Show older". */
const PAGE = 20;

/**
 * A cluster's connection history: uptime over 24 h and 7 d, the "Unstable connection"
 * flag, and every connect and disconnect with its reason. Mounted in the cluster page's
 * Overview tab, whose frame (ClusterView) holds the page's one `clusters.onChange`
 * subscription: every pushed change refetches the cluster's queries, this one included,
 * so a reconnect shows here within a second without polling or a second event stream.
 */
export function ConnectionHistoryPanel({ clusterName }: { clusterName: string }) {
  const trpc = useTRPC();
  const [limit, setLimit] = useState(PAGE);
  const history = useQuery(trpc.clusters.connectionHistory.queryOptions({ name: clusterName, limit }, { placeholderData: (previous) => previous }));
  const titleId = `connection-history-${clusterName}`;

  return (
    <section aria-labelledby={titleId} className="space-y-4">
      <h2 id={titleId} className="text-sm font-semibold">
        Connection history
      </h2>
      {history.isPending ? (
        <LoadingState label="Loading connection history…" />
      ) : history.isError ? (
        <ErrorState error={history.error} onRetry={() => history.refetch()} />
      ) : (
        <HistoryBody
          history={history.data}
          canShowMore={history.data.nextBefore !== null && limit < MAX_HISTORY_PAGE}
          onShowMore={() => setLimit((shown) => Math.min(MAX_HISTORY_PAGE, shown + PAGE))}
        />
      )}
    </section>
  );
}

function HistoryBody({ history, canShowMore, onShowMore }: { history: ConnectionHistory; canShowMore: boolean; onShowMore: () => void }) {
  const { uptime, flapping, events } = history;
  return (
    <>
      <dl className="grid grid-cols-2 gap-3">
        <UptimeFigure term="Uptime, last 24 h" uptime={uptime.last24h} />
        <UptimeFigure term="Uptime, last 7 days" uptime={uptime.last7d} />
      </dl>
      {flapping.unstable && (
        <p role="status" className="rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-200">
          <span className="font-semibold">Unstable connection:</span> {countOf(flapping.reconnects, 'reconnect')} in the last{' '}
          {formatDuration(flapping.windowMs)} (more than {flapping.threshold} make the cluster Degraded). It clears by itself after{' '}
          {formatDuration(flapping.windowMs)} without one.
        </p>
      )}
      {events.length === 0 ? (
        <EmptyState title="No connections yet">The agent&apos;s connects and disconnects are listed here, with why each session ended.</EmptyState>
      ) : (
        <ol aria-label="Connects and disconnects, newest first" className="divide-y divide-zinc-100 text-sm dark:divide-zinc-800">
          {events.map((event) => (
            <li key={event.id} className="flex flex-wrap items-baseline gap-x-3 gap-y-1 py-2">
              <Badge tone={event.kind === 'connected' ? 'green' : 'red'}>{event.kind === 'connected' ? 'Connected' : 'Disconnected'}</Badge>
              <time dateTime={event.at.toISOString()} className="text-xs text-zinc-600 tabular-nums dark:text-zinc-400" title={timeAgo(event.at)}>
                {formatInstantWithSeconds(event.at)}
              </time>
              <span className="min-w-0 flex-1 basis-48 break-words">
                {event.kind === 'connected' ? `Agent ${event.agentVersion ?? 'of unknown version'} connected` : event.reason || 'Disconnected'}
              </span>
            </li>
          ))}
        </ol>
      )}
      {canShowMore && (
        <Button variant="secondary" size="sm" onClick={onShowMore}>
          Show older
        </Button>
      )}
    </>
  );
}

function UptimeFigure({ term, uptime }: { term: string; uptime: Uptime }) {
  return (
    <div className="rounded-md bg-zinc-50 p-3 dark:bg-zinc-800/50">
      <dt className="text-xs text-zinc-500 dark:text-zinc-400">{term}</dt>
      <dd className="text-lg font-semibold tabular-nums" title={uptime.ratio === null ? undefined : `Connected ${formatDuration(uptime.connectedMs)} of ${formatDuration(uptime.observedMs)}`}>
        {formatRatio(uptime.ratio)}
      </dd>
    </div>
  );
}

/** "99.2 %"; "100 %" only when it is; "—" with no history to go by. */
function formatRatio(ratio: number | null): string {
  if (ratio === null) return '—';
  if (ratio >= 1) return '100 %';
  // Never rounds up to 100: 99.96 % is not "no downtime".
  return `${(Math.floor(ratio * 1000) / 10).toFixed(1)} %`;
}
