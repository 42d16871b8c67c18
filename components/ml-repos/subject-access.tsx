'use client';
/** "What can this one access": the ML repos a user or workspace reaches, with the effective role and the path that gives it. */
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { AccessBadge, repoHref } from '@/components/ml-repos/repo-format';
import { type Column, DataTable } from '@/components/ui/data-table';
import { EmptyState, ErrorState, LoadingState } from '@/components/ui/states';
import { useTRPC } from '@/components/trpc/client';
import type { RouterOutputs } from '@/components/trpc/types';

export type AccessSubject = { kind: 'user'; userId: number } | { kind: 'workspace'; workspaceId: number };

type Row = RouterOutputs['mlRepos']['accessOf']['repos'][number];

const COLUMNS: Column<Row>[] = [
  {
    id: 'repo',
    header: 'ML repo',
    cell: (r) => (
      <Link href={repoHref(r.repo.name)} className="font-medium text-indigo-700 hover:underline dark:text-indigo-300">
        {r.repo.name}
      </Link>
    ),
  },
  { id: 'access', header: 'Effective role', cell: (r) => <AccessBadge access={r.access} /> },
  { id: 'path', header: 'Why', wrap: true, cell: (r) => (r.access === 'none' ? (r.note ?? 'No live grant') : r.pathText) },
];

export function SubjectRepoAccess({ subject }: { subject: AccessSubject }) {
  const trpc = useTRPC();
  const access = useQuery(trpc.mlRepos.accessOf.queryOptions({ subject }));
  if (access.isPending) return <LoadingState label="Loading ML repo access…" />;
  if (access.isError) return <ErrorState error={access.error} onRetry={() => access.refetch()} />;
  if (access.data.repos.length === 0) {
    return (
      <EmptyState title="No ML repo access">
        {subject.kind === 'user' ? 'No grant reaches this user, directly, through a team or through a workspace.' : 'No ML repo is granted to this workspace.'}
      </EmptyState>
    );
  }
  return <DataTable label="ML repo access" columns={COLUMNS} rows={access.data.repos} rowKey={(r) => r.repo.id} />;
}
