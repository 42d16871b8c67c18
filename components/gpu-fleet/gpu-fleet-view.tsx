'use client';

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { providerLabel } from '@/components/clusters/format';
import { toggled } from '@/components/clusters/fleet-query';
import { EnvironmentChip } from '@/components/environments/environment-chip';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { type Column, DataTable } from '@/components/ui/data-table';
import { FilterSelect, MultiSelectFilter } from '@/components/ui/filters';
import { PageHeader } from '@/components/ui/page-header';
import { Pagination } from '@/components/ui/pagination';
import { usePageCorrection } from '@/components/ui/use-url-list';
import { EmptyState, ErrorState, LoadingState } from '@/components/ui/states';
import { useTRPC } from '@/components/trpc/client';
import type { RouterOutputs } from '@/components/trpc/types';
import { PROVIDER_IDS } from '@/lib/providers';
import { GPU_FLEET_PAGE_SIZES, type GpuFleetQuery, type GpuFleetSortColumn } from '@/lib/schemas/gpu-fleet';
import { formatAge, formatUtilization } from './format';
import { gpuFleetQueryString, parseGpuFleetQuery } from './gpu-fleet-query';
import { GpuTypeCards } from './gpu-type-cards';
import { seriesSummary, Sparkline } from './sparkline';
import { LIVE_FALLBACK_POLL_MS, useLiveGpuFleet } from './use-live-gpu-fleet';

type Overview = RouterOutputs['gpuFleet']['overview'];
type Row = Overview['rows'][number];
type ClusterHistory = RouterOutputs['gpuFleet']['history']['clusters'][number]['points'];

const count = (row: Row, value: number) => (row.hasMetrics ? value.toLocaleString('en-US') : '—');

function columns(historyOf: (clusterId: number) => ClusterHistory | undefined): Column<Row>[] {
  return [
    {
      id: 'name',
      header: 'Cluster',
      sortable: true,
      cell: (r) => (
        <Link href={`/clusters/${encodeURIComponent(r.name)}/metrics`} className="font-medium text-indigo-700 hover:underline dark:text-indigo-300">
          {r.name}
        </Link>
      ),
    },
    { id: 'provider', header: 'Provider', sortable: true, cell: (r) => providerLabel(r.provider) },
    {
      id: 'environments',
      header: 'Environments',
      sortable: true,
      cell: (r) => (
        <span className="flex flex-wrap gap-1">
          {r.environments.map((env) => (
            <EnvironmentChip key={env.id} name={env.name} color={env.color} isProduction={env.isProduction} />
          ))}
        </span>
      ),
    },
    {
      id: 'types',
      header: 'By type',
      stackOnPhone: true,
      cell: (r) =>
        !r.hasMetrics ? (
          <span className="text-xs text-zinc-500">No metrics yet</span>
        ) : r.byType.length === 0 ? (
          <span className="text-xs text-zinc-500">No GPUs</span>
        ) : (
          <span className="flex flex-wrap gap-1">
            {r.byType.map((t) => (
              <span key={t.model} title={`${t.model}: ${t.allocated} of ${t.total} allocated, ${t.free} free`}>
                <Badge>
                  {t.model} {t.allocated}/{t.total}
                </Badge>
              </span>
            ))}
          </span>
        ),
    },
    { id: 'total', header: 'Total', sortable: true, align: 'right', cell: (r) => count(r, r.total) },
    { id: 'allocated', header: 'Allocated', sortable: true, align: 'right', cell: (r) => count(r, r.allocated) },
    { id: 'idleAllocated', header: 'Idle', sortable: true, align: 'right', cell: (r) => count(r, r.idleAllocated) },
    { id: 'free', header: 'Free', sortable: true, align: 'right', cell: (r) => count(r, r.free) },
    { id: 'meanUtilization', header: 'Util', sortable: true, align: 'right', cell: (r) => formatUtilization(r.meanUtilization) },
    {
      id: 'trend',
      header: '24 h',
      cell: (r) => {
        const utilization = historyOf(r.id)?.map((p) => p.meanUtilization) ?? [];
        return <Sparkline values={utilization} max={100} label={`${r.name} utilisation over 24 h: ${seriesSummary(utilization, (v) => `${v.toFixed(0)} %`)}`} />;
      },
    },
    {
      id: 'age',
      header: 'Updated',
      sortable: true,
      cell: (r) =>
        r.ageSeconds === null ? (
          <span className="text-xs text-zinc-500">no metrics yet</span>
        ) : (
          <span className="flex flex-wrap items-center gap-1 text-xs">
            {r.stale ? <Badge tone="amber">Stale · {formatAge(r.ageSeconds)}</Badge> : formatAge(r.ageSeconds)}
            {r.error && (
              <span title={r.error}>
                <Badge tone="red">Prometheus error</Badge>
              </span>
            )}
          </span>
        ),
    },
  ];
}

/** `/gpu`: GPU capacity pooled by type across the clusters the caller may see, then per cluster. */
export function GpuFleetView() {
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const query = parseGpuFleetQuery(new URLSearchParams(params.toString()));

  useLiveGpuFleet();
  const overview = useQuery(trpc.gpuFleet.overview.queryOptions(query, { refetchInterval: LIVE_FALLBACK_POLL_MS, placeholderData: keepPreviousData }));
  const pageIds = overview.data?.rows.map((row) => row.id) ?? [];
  const history = useQuery(
    trpc.gpuFleet.history.queryOptions({ clusterIds: pageIds }, { enabled: overview.isSuccess, refetchInterval: 5 * LIVE_FALLBACK_POLL_MS, placeholderData: keepPreviousData }),
  );
  const facets = useQuery(trpc.clusters.facets.queryOptions(undefined, { refetchInterval: LIVE_FALLBACK_POLL_MS }));

  const navigate = (next: GpuFleetQuery) => router.push(`${pathname}${gpuFleetQueryString(next)}`, { scroll: false });
  const refine = (change: Partial<GpuFleetQuery>) => navigate({ ...query, ...change, page: 1 });
  usePageCorrection(overview.data?.page, query.page, !overview.isPlaceholderData, (page) =>
    router.replace(`${pathname}${gpuFleetQueryString({ ...query, page })}`, { scroll: false }),
  );
  const filtered = query.environments.length + query.providers.length > 0;
  const historyById = new Map(history.data?.clusters.map((c) => [c.clusterId, c.points]));

  return (
    <>
      <PageHeader
        title="GPU Fleet"
        description="GPU capacity pooled across every cluster you can see, from the summaries each agent pushes every 30 s. Stale numbers say how old they are."
      />
      <div role="search" aria-label="Filter GPU clusters" className="mb-4 grid gap-3 sm:grid-cols-2 lg:grid-cols-4">
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
          options={PROVIDER_IDS.map((id) => ({ value: id, label: `${providerLabel(id)} (${facets.data?.providers.find((p) => p.value === id)?.count ?? 0})` }))}
          onChange={(value) => refine({ providers: PROVIDER_IDS.filter((id) => id === value) })}
        />
      </div>

      {overview.isPending ? (
        <LoadingState label="Loading GPU capacity…" />
      ) : overview.isError ? (
        <ErrorState error={overview.error} onRetry={() => overview.refetch()} />
      ) : overview.data.totals.clusters === 0 ? (
        filtered ? (
          <EmptyState title="No cluster matches these filters" action={<Button variant="secondary" onClick={() => refine({ environments: [], providers: [] })}>Clear filters</Button>} />
        ) : (
          <EmptyState title="No clusters to show">Clusters you can see appear here with their GPUs once attached.</EmptyState>
        )
      ) : (
        <>
          <FleetTotals totals={overview.data.totals} />
          {overview.data.pools.length === 0 ? (
            <EmptyState title="No cluster reports GPUs yet">
              {overview.data.totals.reporting === 0
                ? 'No agent has pushed a metric summary yet: numbers appear within a minute of an agent connecting to a cluster with Prometheus.'
                : 'The clusters reporting metrics have no allocatable nvidia.com/gpu.'}
            </EmptyState>
          ) : (
            <GpuTypeCards pools={overview.data.pools} history={history.data?.byType} />
          )}
          <h2 className="mb-3 text-sm font-semibold">Per cluster</h2>
          <DataTable
            label="GPUs per cluster"
            columns={columns((id) => historyById.get(id))}
            rows={overview.data.rows}
            rowKey={(r) => r.id}
            sort={{ by: query.sort, dir: query.direction }}
            onSortChange={(sort) => navigate({ ...query, sort: sort.by as GpuFleetSortColumn, direction: sort.dir, page: 1 })}
          />
          <Pagination
            page={overview.data.page}
            pageCount={overview.data.pageCount}
            total={overview.data.totals.clusters}
            pageSize={query.pageSize}
            noun="clusters"
            onPage={(page) => navigate({ ...query, page })}
            pageSizes={GPU_FLEET_PAGE_SIZES}
            onPageSize={(pageSize) => navigate({ ...query, pageSize, page: 1 })}
          />
        </>
      )}
    </>
  );
}

function FleetTotals({ totals }: { totals: Overview['totals'] }) {
  const stat = (label: string, value: string, tone?: 'warn' | 'ok') => (
    <div className="rounded-lg border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900">
      <p className="text-xs text-zinc-500">{label}</p>
      <p className={`text-2xl font-semibold tabular-nums ${tone === 'warn' ? 'text-amber-700 dark:text-amber-400' : tone === 'ok' ? 'text-green-700 dark:text-green-400' : ''}`}>{value}</p>
    </div>
  );
  const n = (v: number) => v.toLocaleString('en-US');
  return (
    <section aria-label="Fleet GPU totals" className="mb-6">
      <div className="grid grid-cols-2 gap-3 lg:grid-cols-5">
        {stat('GPUs', n(totals.total))}
        {stat('Allocated', n(totals.allocated))}
        {stat('Allocated but idle', n(totals.idleAllocated), totals.idleAllocated > 0 ? 'warn' : undefined)}
        {stat('Free', n(totals.free), totals.free > 0 ? 'ok' : undefined)}
        {stat('Mean utilisation', formatUtilization(totals.meanUtilization))}
      </div>
      <p className="mt-2 text-xs text-zinc-500">
        {n(totals.reporting)} of {n(totals.clusters)} clusters reporting
        {totals.stale > 0 && <> · {n(totals.stale)} stale (counted, marked below)</>}
        {totals.noMetrics > 0 && <> · {n(totals.noMetrics)} with no metrics yet</>}
        {' · '}idle: allocated but under 10 % utilisation over the last hour.
      </p>
    </section>
  );
}
