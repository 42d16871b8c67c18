'use client';

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useSearchBox, usePageCorrection } from '@/components/ui/use-url-list';
import { useCan } from '@/components/auth/session-context';
import { ClusterStatusBadge } from '@/components/clusters/cluster-status-badge';
import { type FleetQuery, fleetQueryString, isFiltered, parseFleetQuery, toggled, withoutFilters } from '@/components/clusters/fleet-query';
import { formatGpusByType, formatNodes, NOT_REPORTED, providerLabel } from '@/components/clusters/format';
import { NoClustersYet } from '@/components/clusters/no-clusters-yet';
import { EnvironmentChip } from '@/components/environments/environment-chip';
import { Button } from '@/components/ui/button';
import { type Column, DataTable } from '@/components/ui/data-table';
import { Field, Input } from '@/components/ui/field';
import { PageHeader } from '@/components/ui/page-header';
import { EmptyState, ErrorState, LoadingState } from '@/components/ui/states';
import { FilterSelect, MultiSelectFilter } from '@/components/ui/filters';
import { Pagination } from '@/components/ui/pagination';
import { PROVIDER_IDS } from '@/lib/providers';
import { CLUSTER_STATUS_LABELS, CLUSTER_STATUSES, type ClusterSortColumn, FLEET_PAGE_SIZES } from '@/lib/cluster-fleet';
import { useTRPC } from '@/components/trpc/client';
import { LIVE_FALLBACK_POLL_MS, useLiveClusters } from '@/components/trpc/use-live-clusters';
import type { RouterOutputs } from '@/components/trpc/types';

type FleetRow = RouterOutputs['clusters']['list']['rows'][number];


const COLUMNS: Column<FleetRow>[] = [
  {
    id: 'name',
    header: 'Name',
    sortable: true,
    cell: (c) => (
      <Link href={`/clusters/${encodeURIComponent(c.name)}`} className="font-medium text-indigo-700 hover:underline dark:text-indigo-300">
        {c.name}
      </Link>
    ),
  },
  { id: 'provider', header: 'Provider', sortable: true, cell: (c) => providerLabel(c.provider) },
  { id: 'region', header: 'Region', sortable: true, cell: (c) => c.region },
  {
    id: 'environments',
    header: 'Environments',
    sortable: true,
    cell: (c) => (
      <span className="flex flex-wrap gap-1">
        {c.environments.map((env) => (
          <EnvironmentChip key={env.id} name={env.name} color={env.color} isProduction={env.isProduction} />
        ))}
      </span>
    ),
  },
  { id: 'status', header: 'Status', sortable: true, cell: (c) => <ClusterStatusBadge status={c.status} lastSeenAt={c.lastSeenAt} reasons={c.statusReasons} /> },
  { id: 'kubernetesVersion', header: 'Kubernetes', sortable: true, cell: (c) => c.kubernetesVersion ?? NOT_REPORTED },
  { id: 'nodeCount', header: 'Nodes', sortable: true, align: 'right', className: 'whitespace-nowrap', cell: (c) => formatNodes(c.readyNodeCount, c.nodeCount) },
  { id: 'gpuCount', header: 'GPUs', sortable: true, cell: (c) => formatGpusByType(c.gpusByType) },
];

/** Every attached cluster in one table; filters, search, sort and page live in the URL. */
export function FleetView() {
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const canManage = useCan('cluster.manage');
  const query = parseFleetQuery(new URLSearchParams(params.toString()));

  useLiveClusters();
  const list = useQuery(trpc.clusters.list.queryOptions(query, { refetchInterval: LIVE_FALLBACK_POLL_MS, placeholderData: keepPreviousData }));
  const facets = useQuery(trpc.clusters.facets.queryOptions(undefined, { refetchInterval: LIVE_FALLBACK_POLL_MS }));

  // Filters, sort and page each add a history entry, so Back steps back through them.
  const navigate = (next: FleetQuery) => router.push(`${pathname}${fleetQueryString(next)}`, { scroll: false });
  // Any change of filter or search starts again at page 1.
  const refine = (change: Partial<FleetQuery>) => navigate({ ...query, ...change, page: 1 });

  const replaceQuery = (next: FleetQuery) => router.replace(`${pathname}${fleetQueryString(next)}`, { scroll: false });
  const [searchText, setSearchText] = useSearchBox(query.search, (search) => replaceQuery({ ...query, search, page: 1 }));
  usePageCorrection(list.data?.page, query.page, !list.isPlaceholderData, (page) => replaceQuery({ ...query, page }));

  const filtered = isFiltered(query);

  return (
    <>
      <PageHeader
        title="Clusters"
        description="Every attached cluster, its health and capacity, as its agent last reported."
        actions={
          canManage && (
            <Link
              href="/clusters/attach"
              className="inline-flex h-9 items-center rounded-md bg-indigo-600 px-3.5 text-sm font-medium text-white hover:bg-indigo-500 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-500"
            >
              Attach Existing Cluster
            </Link>
          )
        }
      />

      <div role="search" aria-label="Filter clusters" className="mb-4 grid gap-3 sm:grid-cols-2 lg:grid-cols-6">
        <Field label="Search clusters">
          {(c) => <Input {...c} type="search" placeholder="Name or GPU type…" value={searchText} onChange={(e) => setSearchText(e.target.value)} />}
        </Field>
        <MultiSelectFilter
          noun="clusters"
          label="Environment"
          selected={query.environments}
          options={(facets.data?.environments ?? []).map((env) => ({ value: env.name, label: env.name, count: env.count }))}
          onToggle={(value) => refine({ environments: toggled(query.environments, value) })}
          onClear={() => refine({ environments: [] })}
        />
        <FilterSelect
          label="Provider"
          value={query.providers[0] ?? ''}
          options={PROVIDER_IDS.map((id) => ({
            value: id,
            label: `${providerLabel(id)} (${facets.data?.providers.find((p) => p.value === id)?.count ?? 0})`,
          }))}
          onChange={(value) => refine({ providers: PROVIDER_IDS.filter((id) => id === value) })}
        />
        <MultiSelectFilter
          noun="clusters"
          label="Status"
          selected={query.statuses}
          options={CLUSTER_STATUSES.map((status) => ({
            value: status as string,
            label: CLUSTER_STATUS_LABELS[status],
            count: facets.data?.statuses.find((s) => s.value === status)?.count ?? 0,
          }))}
          // Kept in the statuses' own order, so the same choice is always the same URL.
          onToggle={(value) => refine({ statuses: CLUSTER_STATUSES.filter((status) => (status === value) !== query.statuses.includes(status)) })}
          onClear={() => refine({ statuses: [] })}
        />
        <FilterSelect
          label="Region"
          value={query.regions[0] ?? ''}
          options={(facets.data?.regions ?? []).map((region) => ({ value: region.value, label: `${region.value} (${region.count})` }))}
          onChange={(value) => refine({ regions: value ? [value] : [] })}
        />
        <label className="flex items-center gap-2 self-end pb-2 text-sm">
          <input
            type="checkbox"
            className="size-4 rounded border-zinc-300 accent-indigo-600"
            checked={query.needsAttention}
            onChange={(e) => refine({ needsAttention: e.target.checked })}
          />
          Needs attention
          <span className="text-xs text-zinc-500">(degraded, disconnected)</span>
        </label>
      </div>

      {list.isPending ? (
        <LoadingState label="Loading clusters…" />
      ) : list.isError ? (
        <ErrorState error={list.error} onRetry={() => list.refetch()} />
      ) : list.data.total === 0 ? (
        filtered ? (
          <EmptyState
            title="No cluster matches these filters"
            action={
              <Button variant="secondary" onClick={() => (setSearchText(''), navigate(withoutFilters(query)))}>
                Clear filters
              </Button>
            }
          />
        ) : (
          <NoClustersYet canManage={canManage} adminHint="Attach a cluster to see it here." memberHint="An admin attaches clusters; they appear here." />
        )
      ) : (
        <>
          <DataTable
            label="Clusters"
            columns={COLUMNS}
            rows={list.data.rows}
            rowKey={(c) => c.id}
            sort={{ by: query.sort, dir: query.direction }}
            onSortChange={(sort) => navigate({ ...query, sort: sort.by as ClusterSortColumn, direction: sort.dir, page: 1 })}
          />
          <Pagination
            page={list.data.page}
            pageCount={list.data.pageCount}
            total={list.data.total}
            pageSize={query.pageSize}
            noun="clusters"
            onPage={(page) => navigate({ ...query, page })}
            pageSizes={FLEET_PAGE_SIZES}
            onPageSize={(pageSize) => navigate({ ...query, pageSize, page: 1 })}
          />
        </>
      )}
    </>
  );
}
