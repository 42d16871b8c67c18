'use client';

import { useInfiniteQuery } from '@tanstack/react-query';
import { AuditChange } from '@/components/audit/audit-change';
import { Button } from '@/components/ui/button';
import { type Column, DataTable, TruncatedText } from '@/components/ui/data-table';
import { EmptyState, ErrorState, LoadingState } from '@/components/ui/states';
import { useTRPC } from '@/components/trpc/client';
import type { RouterOutputs } from '@/components/trpc/types';
import { formatInstant } from '@/lib/format-time';

type AuditEvent = RouterOutputs['audit']['list']['events'][number];

const COLUMNS: Column<AuditEvent>[] = [
  { id: 'at', header: 'When', cell: (e) => <time dateTime={e.at.toISOString()}>{formatInstant(e.at)}</time>, className: 'whitespace-nowrap' },
  { id: 'actor', header: 'Who', cell: (e) => e.actorLabel },
  { id: 'action', header: 'Action', cell: (e) => <code className="text-xs">{e.action}</code> },
  { id: 'target', header: 'Target', cell: (e) => <TruncatedText text={`${e.targetType} ${e.targetLabel ?? e.targetId ?? ''}`} className="max-w-[12rem]" /> },
  { id: 'change', header: 'Change', stackOnPhone: true, cell: (e) => <AuditChange before={e.before} after={e.after} /> },
  { id: 'ip', header: 'IP', cell: (e) => e.ip ?? '—' },
];

/** Columns that say nothing when the trail is already narrowed to one target. */
const TARGET_COLUMNS = new Set(['target', 'ip']);

/** Which events to show: one target's (`targetType` + `targetId`), one kind of target's, or all. */
export interface AuditFilter {
  targetType?: string;
  targetId?: string;
}

/**
 * The audit trail, newest first, shared by the /audit page and a cluster's Audit tab.
 * Narrowed by `filter` (or, as before, by `targetType`/`targetId` given directly).
 */
export function AuditTrail({ filter, ...direct }: AuditFilter & { filter?: AuditFilter }) {
  const { targetType, targetId } = { ...direct, ...filter };
  const trpc = useTRPC();
  const query = useInfiniteQuery(
    trpc.audit.list.infiniteQueryOptions(
      { targetType, targetId, limit: 50 },
      { getNextPageParam: (page) => page.nextCursor ?? undefined },
    ),
  );
  if (query.isPending) return <LoadingState label="Loading audit events…" />;
  if (query.isError) return <ErrorState error={query.error} onRetry={() => query.refetch()} />;
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
