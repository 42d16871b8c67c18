'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { Badge } from '@/components/ui/badge';
import { type Column, DataTable } from '@/components/ui/data-table';
import { EmptyState, ErrorState } from '@/components/ui/states';
import { useTRPC } from '@/components/trpc/client';
import type { RouterOutputs } from '@/components/trpc/types';
import { countOf, formatDuration, formatInstant } from '@/lib/format-time';

type Home = RouterOutputs['mlRepos']['home']['teamLead'];
type RepoRow = Home['repos'][number];
type ExpiringRow = Home['expiringGrants'][number];

const SUBJECT_KIND_LABELS: Record<ExpiringRow['subjectKind'], string> = { user: 'User', team: 'Team', workspace: 'Workspace' };

const repoLink = (name: string) => `/ml-repos/${encodeURIComponent(name)}`;

const REPO_COLUMNS: Column<RepoRow>[] = [
  {
    id: 'name',
    header: 'Repo',
    cell: (r) => (
      <Link href={repoLink(r.name)} className="font-medium text-indigo-700 hover:underline dark:text-indigo-300">
        {r.name}
      </Link>
    ),
  },
  { id: 'location', header: 'Storage', cell: (r) => r.location },
  {
    id: 'grants',
    header: 'Grants',
    align: 'right',
    cell: (r) => (
      <Link href={`${repoLink(r.name)}/access`} className="hover:underline" aria-label={`${r.name}: ${countOf(r.grantCount, 'grant')}`}>
        {r.grantCount}
      </Link>
    ),
  },
];

function expiringColumns(now: Date): Column<ExpiringRow>[] {
  return [
    {
      id: 'expires',
      header: 'Expires',
      cell: (g) => (
        <span title={formatInstant(new Date(g.expiresAt))}>
          <Badge tone="amber">in {formatDuration(new Date(g.expiresAt).getTime() - now.getTime())}</Badge>
        </span>
      ),
    },
    {
      id: 'repo',
      header: 'Repo',
      cell: (g) => (
        <Link href={`${repoLink(g.repoName)}/access`} className="font-medium text-indigo-700 hover:underline dark:text-indigo-300">
          {g.repoName}
        </Link>
      ),
    },
    { id: 'subject', header: 'Who', cell: (g) => `${SUBJECT_KIND_LABELS[g.subjectKind]} · ${g.subjectLabel}` },
    { id: 'role', header: 'Role', cell: (g) => g.role },
  ];
}

/**
 * What a team lead sees first on `/`: the repos they administer and the grants on them
 * that run out soon. Renders nothing for someone who manages no team, so everyone else's
 * overview is unchanged.
 */
export function TeamLeadHome() {
  const trpc = useTRPC();
  const home = useQuery(trpc.mlRepos.home.teamLead.queryOptions());
  if (home.isPending) return null;
  if (home.isError) {
    return (
      <div className="mb-6">
        <ErrorState message={`Your ML repos could not be loaded: ${home.error.message}`} error={home.error} onRetry={() => home.refetch()} />
      </div>
    );
  }
  const data = home.data;
  if (data.managedTeams.length === 0) return null;
  const now = new Date();

  return (
    <section aria-labelledby="team-lead-home-title" className="mb-8 space-y-4">
      <div>
        {/* The page's one h1 stays the overview's: this section sits above it. */}
        <h2 id="team-lead-home-title" className="text-xl font-semibold">
          Your ML repos
        </h2>
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          You manage {data.managedTeams.map((t) => t.name).join(', ')}. The repos you administer, and the grants on them that expire soon.
        </p>
      </div>
      <section aria-labelledby="administered-repos-title" className="space-y-2">
        <h3 id="administered-repos-title" className="text-sm font-semibold">
          Repos you administer
        </h3>
        {data.repos.length === 0 ? (
          <EmptyState
            title="You administer no ML repo yet"
            action={
              <Link href="/ml-repos" className="text-sm text-indigo-700 underline dark:text-indigo-300">
                Go to ML repos
              </Link>
            }
          >
            As a team lead you can create one; you become its admin.
          </EmptyState>
        ) : (
          <DataTable label="Repos you administer" columns={REPO_COLUMNS} rows={data.repos} rowKey={(r) => r.id} />
        )}
      </section>
      <section aria-labelledby="expiring-grants-title" className="space-y-2">
        <h3 id="expiring-grants-title" className="text-sm font-semibold">
          Grants expiring in the next {data.expiringWithinDays} days <span className="font-normal text-zinc-500">· soonest first</span>
        </h3>
        {data.expiringGrants.length === 0 ? (
          <p className="text-sm text-zinc-500">No grant on your repos expires in the next {data.expiringWithinDays} days.</p>
        ) : (
          <DataTable label="Grants expiring soon" columns={expiringColumns(now)} rows={data.expiringGrants} rowKey={(g) => g.grantId} />
        )}
      </section>
    </section>
  );
}
