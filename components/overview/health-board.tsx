'use client';

/**
 * The on-call board: clusters ranked by what needs attention (disconnected, Degraded,
 * NotReady nodes, XID errors, hot GPUs, Prometheus unreachable), each reason a link to the
 * cluster page's tab that shows it. Healthy clusters are one line. Read from stored state
 * and pushed summaries only (gpuFleet.healthBoard).
 */
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { ClusterStatusBadge } from '@/components/clusters/cluster-status-badge';
import { LIVE_FALLBACK_POLL_MS, useLiveGpuFleet } from '@/components/gpu-fleet/use-live-gpu-fleet';
import { Badge, type BadgeTone } from '@/components/ui/badge';
import { ErrorState, LoadingState } from '@/components/ui/states';
import { useTRPC } from '@/components/trpc/client';
import type { RouterOutputs } from '@/components/trpc/types';

type Entry = RouterOutputs['gpuFleet']['healthBoard']['entries'][number];
type ReasonKind = Entry['reasons'][number]['kind'];

/** What each reason is called on the board; the text beside it says the specifics. */
const REASON_LABELS: Record<ReasonKind, { label: string; tone: BadgeTone }> = {
  disconnected: { label: 'Disconnected', tone: 'red' },
  degraded: { label: 'Degraded', tone: 'amber' },
  nodesNotReady: { label: 'Nodes not Ready', tone: 'amber' },
  xidErrors: { label: 'XID errors', tone: 'red' },
  hotGpus: { label: 'GPU over 85 °C', tone: 'amber' },
  prometheusUnreachable: { label: 'Prometheus', tone: 'amber' },
  awaitingAgent: { label: 'Awaiting agent', tone: 'neutral' },
};

/** Entries shown before "show all": the worst are what on-call reads first. */
const FIRST_ENTRIES = 10;

function tabHref(name: string, tab: string): string {
  const base = `/clusters/${encodeURIComponent(name)}`;
  return tab ? `${base}/${tab}` : base;
}

export function HealthBoard() {
  const trpc = useTRPC();
  useLiveGpuFleet();
  const board = useQuery(trpc.gpuFleet.healthBoard.queryOptions(undefined, { refetchInterval: LIVE_FALLBACK_POLL_MS }));

  return (
    <section aria-labelledby="health-board-title" className="mb-6 space-y-3">
      <h2 id="health-board-title" className="text-sm font-semibold">
        Health board <span className="font-normal text-zinc-500">· most urgent first</span>
      </h2>
      {board.isPending ? (
        <LoadingState label="Loading the health board…" />
      ) : board.isError ? (
        <ErrorState error={board.error} onRetry={() => board.refetch()} />
      ) : board.data.entries.length === 0 ? (
        <p className="rounded-lg border border-green-200 bg-green-50 p-4 text-sm text-green-800 dark:border-green-900 dark:bg-green-950 dark:text-green-300">
          All {board.data.total} cluster{board.data.total === 1 ? '' : 's'} healthy.
        </p>
      ) : (
        <>
          <ol aria-label="Clusters needing attention" className="divide-y divide-zinc-200 rounded-lg border border-zinc-200 bg-white dark:divide-zinc-800 dark:border-zinc-800 dark:bg-zinc-900">
            {board.data.entries.slice(0, FIRST_ENTRIES).map((entry) => (
              <HealthEntryItem key={entry.id} entry={entry} />
            ))}
          </ol>
          <p className="text-sm text-zinc-600 dark:text-zinc-400">
            {board.data.entries.length > FIRST_ENTRIES && <>{board.data.entries.length - FIRST_ENTRIES} more need attention · </>}
            {board.data.healthy} of {board.data.total} clusters healthy.
          </p>
        </>
      )}
    </section>
  );
}

function HealthEntryItem({ entry }: { entry: Entry }) {
  return (
    <li aria-label={entry.name} className="flex flex-col gap-2 p-3 sm:flex-row sm:items-start sm:gap-4">
      <div className="flex min-w-0 items-center gap-2 sm:w-64 sm:shrink-0">
        <Link href={tabHref(entry.name, '')} className="truncate font-medium text-indigo-700 hover:underline dark:text-indigo-300" title={entry.name}>
          {entry.name}
        </Link>
        <ClusterStatusBadge status={entry.status} />
        {entry.isProduction && <Badge tone="red">prod</Badge>}
      </div>
      <ul className="min-w-0 flex-1 space-y-1 text-sm">
        {entry.reasons.map((reason, i) => (
          <li key={`${reason.kind}-${i}`} className="flex flex-wrap items-center gap-2">
            <Badge tone={REASON_LABELS[reason.kind].tone}>{REASON_LABELS[reason.kind].label}</Badge>
            <Link href={tabHref(entry.name, reason.tab)} className="min-w-0 [overflow-wrap:anywhere] hover:underline">
              {reason.text}
            </Link>
          </li>
        ))}
      </ul>
    </li>
  );
}
