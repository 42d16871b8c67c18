'use client';

import { useInfiniteQuery } from '@tanstack/react-query';
import { AuditChange } from '@/components/audit/audit-change';
import { RepoSection } from '@/components/ml-repos/repo-section';
import { Button } from '@/components/ui/button';
import { type Column, DataTable } from '@/components/ui/data-table';
import { EmptyState, ErrorState, LoadingState } from '@/components/ui/states';
import { useTRPC } from '@/components/trpc/client';
import type { RouterOutputs } from '@/components/trpc/types';
import { formatInstant } from '@/lib/format-time';

type RepoAuditEvent = RouterOutputs['mlRepos']['audit']['events'][number];

const COLUMNS: Column<RepoAuditEvent>[] = [
  { id: 'at', header: 'When', cell: (e) => <time dateTime={e.at.toISOString()}>{formatInstant(e.at)}</time>, className: 'whitespace-nowrap' },
  { id: 'actor', header: 'Who', cell: (e) => e.actorLabel },
  { id: 'action', header: 'Action', cell: (e) => <code className="text-xs">{e.action}</code> },
  { id: 'change', header: 'Change', stackOnPhone: true, cell: (e) => <AuditChange before={e.before} after={e.after} /> },
];

/** The repo's audit trail: its creation, changes, and every grant, role change and revocation, newest first. */
export function RepoAuditTab({ name }: { name: string }) {
  const trpc = useTRPC();
  const query = useInfiniteQuery(
    trpc.mlRepos.audit.infiniteQueryOptions({ name, limit: 50 }, { getNextPageParam: (page) => page.nextCursor ?? undefined }),
  );
  return (
    <RepoSection title="Audit events" description="Who changed this repo or its grants, and what changed.">
      {query.isPending ? (
        <LoadingState label="Loading audit events…" />
      ) : query.isError ? (
        <ErrorState error={query.error} onRetry={() => query.refetch()} />
      ) : query.data.pages[0]?.events.length === 0 ? (
        <EmptyState title="No audit events yet" />
      ) : (
        <div className="space-y-3">
          <DataTable label="Repo audit events" columns={COLUMNS} rows={query.data.pages.flatMap((p) => p.events)} rowKey={(e) => e.id} />
          {query.hasNextPage && (
            <Button variant="secondary" pending={query.isFetchingNextPage} onClick={() => query.fetchNextPage()}>
              Load older events
            </Button>
          )}
        </div>
      )}
    </RepoSection>
  );
}
