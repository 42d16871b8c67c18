'use client';

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import type { ReactNode } from 'react';
import { useCan } from '@/components/auth/session-context';
import { clusterTabHref } from '@/components/clusters/cluster-tabs';
import { EnvironmentChip } from '@/components/environments/environment-chip';
import { Button } from '@/components/ui/button';
import { type Column, DataTable } from '@/components/ui/data-table';
import { Field, Input, Select } from '@/components/ui/field';
import { EmptyState, ErrorState, LoadingState } from '@/components/ui/states';
import { usePageCorrection, useSearchBox } from '@/components/ui/use-url-list';
import { ToggleChip, ToggleGroup } from '@/components/ui/filters';
import { Pagination } from '@/components/ui/pagination';
import { useTRPC } from '@/components/trpc/client';
import { LIVE_FALLBACK_POLL_MS } from '@/components/trpc/use-live-clusters';
import { SYNC_STATE_LABELS, SyncStateBadge } from '@/components/workspaces/sync-state-badge';
import { useLiveWorkspaces } from '@/components/workspaces/use-live-workspaces';
import { DeleteWorkspaceButton, DriftNotice, WorkspaceFqn, type WorkspaceRow } from '@/components/workspaces/workspace-actions';
import {
  DEFAULT_WORKSPACE_QUERY,
  isWorkspaceQueryFiltered,
  parseWorkspaceQuery,
  type WorkspaceQuery,
  workspaceQueryString,
} from '@/components/workspaces/workspace-query';
import { cn } from '@/lib/cn';
import { WORKSPACE_SYNC_STATES } from '@/lib/workspaces';

export function workspaceHref(clusterName: string, name: string): string {
  return `/workspaces/${encodeURIComponent(clusterName)}/${encodeURIComponent(name)}`;
}

const PAGE_SIZE = 25;
/** The cluster filter offers the first this-many clusters by name; more is a fleet for the search box. */
const CLUSTER_CHOICES = 100;

function columns(showCluster: boolean, showActions: boolean): Column<WorkspaceRow>[] {
  const all: (Column<WorkspaceRow> | false)[] = [
    {
      id: 'name',
      header: 'Workspace',
      cell: (w) => (
        <span className="flex min-w-0 flex-col items-start gap-1 max-sm:items-end">
          <Link href={workspaceHref(w.cluster.name, w.name)} className="font-medium text-indigo-700 hover:underline dark:text-indigo-300">
            {w.name}
          </Link>
          <WorkspaceFqn fqn={w.fqn} />
        </span>
      ),
    },
    showCluster && {
      id: 'cluster',
      header: 'Cluster',
      cell: (w) => (
        <Link href={clusterTabHref(w.cluster.name, '')} className="text-indigo-700 hover:underline dark:text-indigo-300">
          {w.cluster.name}
        </Link>
      ),
    },
    {
      id: 'environment',
      header: 'Environment',
      cell: (w) => <EnvironmentChip name={w.environment.name} color={w.environment.color} isProduction={w.environment.isProduction} />,
    },
    {
      id: 'sync',
      header: 'Sync',
      stackOnPhone: true,
      cell: (w) => (
        <span className="flex flex-col items-start gap-1">
          <SyncStateBadge state={w.syncState} error={w.syncError} syncedAt={w.syncedAt} />
          <DriftNotice workspace={w} />
        </span>
      ),
    },
    showActions && {
      id: 'actions',
      header: 'Actions',
      align: 'right',
      cell: (w) => <DeleteWorkspaceButton workspace={w} />,
    },
  ];
  return all.filter((column): column is Column<WorkspaceRow> => column !== false);
}

/**
 * Workspaces with their FQN, environment and sync state, filtered by environment, cluster,
 * sync state and an FQN search; the filters live in the address. `fixedCluster` narrows
 * it to one cluster (the cluster page's tab): no cluster filter or column then.
 */
export function WorkspaceList({ fixedCluster, emptyAction }: { fixedCluster?: { id: number; name: string }; emptyAction?: ReactNode }) {
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const canCreate = useCan('workspace.create');
  const query = parseWorkspaceQuery(new URLSearchParams(params.toString()));
  if (fixedCluster) query.cluster = fixedCluster.name;

  useLiveWorkspaces();
  const environments = useQuery(trpc.environments.list.queryOptions());
  const clusters = useQuery(
    trpc.clusters.list.queryOptions({ pageSize: CLUSTER_CHOICES, sort: 'name', direction: 'asc' }, { enabled: !fixedCluster }),
  );

  const environmentIds = (environments.data ?? []).filter((env) => query.environments.includes(env.name)).map((env) => env.id);
  const clusterId = fixedCluster?.id ?? clusters.data?.rows.find((c) => c.name === query.cluster)?.id;
  // Names from the address are resolved to ids first: a filter is never silently dropped.
  const resolved = (query.environments.length === 0 || environments.isSuccess) && (query.cluster === '' || fixedCluster !== undefined || clusters.isSuccess);
  const unknownCluster = resolved && query.cluster !== '' && clusterId === undefined;

  const list = useQuery(
    trpc.workspaces.list.queryOptions(
      { clusterId, environmentIds, syncStates: query.syncStates, search: query.search, page: query.page, pageSize: PAGE_SIZE },
      { enabled: resolved && !unknownCluster, refetchInterval: LIVE_FALLBACK_POLL_MS, placeholderData: keepPreviousData },
    ),
  );

  // Each filter adds a history entry, so Back steps back through them; any change starts at page 1.
  const urlOf = (next: WorkspaceQuery) => `${pathname}${workspaceQueryString(fixedCluster ? { ...next, cluster: '' } : next)}`;
  const navigate = (next: WorkspaceQuery) => router.push(urlOf(next), { scroll: false });
  const refine = (change: Partial<WorkspaceQuery>) => navigate({ ...query, ...change, page: 1 });
  const replaceQuery = (next: WorkspaceQuery) => router.replace(urlOf(next), { scroll: false });
  const [searchText, setSearchText] = useSearchBox(query.search, (search) => replaceQuery({ ...query, search, page: 1 }));
  usePageCorrection(list.data?.page, query.page, !list.isPlaceholderData, (page) => replaceQuery({ ...query, page }));

  const filtered = isWorkspaceQueryFiltered({ ...query, cluster: fixedCluster ? '' : query.cluster });
  const clearFilters = () => (setSearchText(''), navigate({ ...DEFAULT_WORKSPACE_QUERY }));

  return (
    <>
      <div role="search" aria-label="Filter workspaces" className="mb-4 space-y-3">
        <div className={cn('grid gap-3', fixedCluster ? 'sm:grid-cols-1' : 'sm:grid-cols-2')}>
          <Field label="Search workspaces">
            {(c) => <Input {...c} type="search" placeholder="FQN, e.g. gpu-west:team-ml" value={searchText} onChange={(e) => setSearchText(e.target.value)} />}
          </Field>
          {!fixedCluster && (
            <Field label="Cluster">
              {(c) => (
                <Select {...c} value={query.cluster} onChange={(e) => refine({ cluster: e.target.value })}>
                  <option value="">All clusters</option>
                  {/* A cluster from a shared link that is not among the choices still shows, so it can be cleared. */}
                  {query.cluster && !clusters.data?.rows.some((cl) => cl.name === query.cluster) && <option value={query.cluster}>{query.cluster}</option>}
                  {(clusters.data?.rows ?? []).map((cluster) => (
                    <option key={cluster.id} value={cluster.name}>
                      {cluster.name}
                    </option>
                  ))}
                </Select>
              )}
            </Field>
          )}
        </div>
        <ToggleGroup label="Environment">
          {(environments.data ?? []).map((env) => (
            <ToggleChip
              key={env.id}
              pressed={query.environments.includes(env.name)}
              label={env.name}
              onToggle={() =>
                refine({
                  // Kept in the environments' own order, so the same choice is always the same URL.
                  environments: (environments.data ?? [])
                    .map((e) => e.name)
                    .filter((name) => (name === env.name) !== query.environments.includes(name)),
                })
              }
            >
              <EnvironmentChip name={env.name} color={env.color} isProduction={env.isProduction} />
            </ToggleChip>
          ))}
        </ToggleGroup>
        <ToggleGroup label="Sync state">
          {WORKSPACE_SYNC_STATES.map((state) => (
            <ToggleChip
              key={state}
              pressed={query.syncStates.includes(state)}
              label={SYNC_STATE_LABELS[state]}
              onToggle={() => refine({ syncStates: WORKSPACE_SYNC_STATES.filter((s) => (s === state) !== query.syncStates.includes(s)) })}
            >
              {SYNC_STATE_LABELS[state]}
            </ToggleChip>
          ))}
        </ToggleGroup>
      </div>

      {unknownCluster ? (
        <EmptyState
          title={`No cluster named ${query.cluster}`}
          action={
            <Button variant="secondary" onClick={clearFilters}>
              Show every workspace
            </Button>
          }
        />
      ) : environments.isError ? (
        <ErrorState error={environments.error} onRetry={() => environments.refetch()} />
      ) : list.isError ? (
        <ErrorState error={list.error} onRetry={() => list.refetch()} />
      ) : !list.data ? (
        <LoadingState label="Loading workspaces…" />
      ) : list.data.total === 0 ? (
        filtered ? (
          <EmptyState
            title="No workspace matches these filters"
            action={
              <Button variant="secondary" onClick={clearFilters}>
                Clear filters
              </Button>
            }
          />
        ) : (
          <EmptyState title={fixedCluster ? `No workspaces in ${fixedCluster.name} yet` : 'No workspaces yet'} action={emptyAction}>
            {canCreate
              ? 'A workspace is a namespace in one cluster, tagged with one of the cluster’s environments.'
              : 'Workspaces you hold a role on appear here; an admin or a workspace admin gives you one.'}
          </EmptyState>
        )
      ) : (
        <>
          <DataTable label="Workspaces" columns={columns(!fixedCluster, list.data.rows.some((w) => w.can['workspace.delete']))} rows={list.data.rows} rowKey={(w) => w.id} />
          <Pagination
            page={list.data.page}
            pageCount={list.data.pageCount}
            total={list.data.total}
            pageSize={list.data.pageSize}
            noun="workspaces"
            onPage={(page) => navigate({ ...query, page })}
          />
        </>
      )}
    </>
  );
}
