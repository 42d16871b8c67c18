'use client';

import { useInfiniteQuery } from '@tanstack/react-query';
import { Button } from '@/components/ui/button';
import { type Column, DataTable } from '@/components/ui/data-table';
import { EmptyState, ErrorState, LoadingState } from '@/components/ui/states';
import { errorMessage } from '@/lib/form-errors';
import { useTRPC } from '@/components/trpc/client';
import type { RouterOutputs } from '@/components/trpc/types';

type AuditEvent = RouterOutputs['audit']['list']['events'][number];

function Change({ before, after }: { before: AuditEvent['before']; after: AuditEvent['after'] }) {
  if (!before && !after) return <span className="text-zinc-500">—</span>;
  const keys = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])];
  const changed = before && after ? keys.filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k])) : keys;
  return (
    <dl className="grid max-w-xl grid-cols-[auto_minmax(0,1fr)] gap-x-2 font-mono text-xs">
      {changed.map((k) => (
        <div key={k} className="contents">
          <dt className="text-zinc-500">{k}</dt>
          <dd className="break-all">
            {before && k in before && <span className="text-red-600 line-through dark:text-red-400">{JSON.stringify(before[k])}</span>}
            {before && after && ' → '}
            {after && k in after && <span className="text-green-700 dark:text-green-400">{JSON.stringify(after[k])}</span>}
          </dd>
        </div>
      ))}
    </dl>
  );
}

const COLUMNS: Column<AuditEvent>[] = [
  { id: 'at', header: 'When', cell: (e) => <time dateTime={e.at.toISOString()}>{e.at.toLocaleString()}</time>, className: 'whitespace-nowrap' },
  { id: 'actor', header: 'Who', cell: (e) => e.actorLabel },
  { id: 'action', header: 'Action', cell: (e) => <code className="text-xs">{e.action}</code> },
  { id: 'target', header: 'Target', cell: (e) => `${e.targetType} ${e.targetLabel ?? e.targetId ?? ''}` },
  { id: 'change', header: 'Change', cell: (e) => <Change before={e.before} after={e.after} /> },
  { id: 'ip', header: 'IP', cell: (e) => e.ip ?? '—' },
];

/** Columns that say nothing when the trail is already narrowed to one target. */
const TARGET_COLUMNS = new Set(['target', 'ip']);

/** The audit trail, newest first; narrowed to one target when `targetType`/`targetId` are given. */
export function AuditTrail({ targetType, targetId }: { targetType?: string; targetId?: string }) {
  const trpc = useTRPC();
  const query = useInfiniteQuery(
    trpc.audit.list.infiniteQueryOptions(
      { targetType, targetId, limit: 50 },
      { getNextPageParam: (page) => page.nextCursor ?? undefined },
    ),
  );
  if (query.isPending) return <LoadingState label="Loading audit events…" />;
  if (query.isError) return <ErrorState message={errorMessage(query.error)} onRetry={() => query.refetch()} />;
  const events = query.data.pages.flatMap((p) => p.events);
  if (events.length === 0) return <EmptyState title="No audit events yet">Every change anyone makes will be listed here.</EmptyState>;
  return (
    <div className="space-y-3">
      <DataTable
        label="Audit events"
        columns={targetId ? COLUMNS.filter((c) => !TARGET_COLUMNS.has(c.id)) : COLUMNS}
        rows={events}
        rowKey={(e) => e.id}
      />
      {query.hasNextPage && (
        <Button variant="secondary" pending={query.isFetchingNextPage} onClick={() => query.fetchNextPage()}>
          Load older events
        </Button>
      )}
    </div>
  );
}
