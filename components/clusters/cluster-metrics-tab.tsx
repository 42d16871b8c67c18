'use client';

/**
 * The cluster's Metrics tab: its charts, pulled through the agent from the cluster's own
 * Prometheus over the range picked (in the URL). Each chart is its own query with its
 * own skeleton, error and Retry: a chart whose Prometheus is slow or failing says why
 * and never holds the others back.
 */
import { useQuery } from '@tanstack/react-query';
import { createTRPCClient, httpLink, TRPCClientError } from '@trpc/client';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useState } from 'react';
import superjson from 'superjson';
import { ChartSkeleton, TimeSeriesChart } from '@/components/charts/time-series-chart';
import { MetricsRangePicker } from '@/components/clusters/metrics-range-picker';
import { chartRangeQueryString, parseChartRange } from '@/components/clusters/metrics-range';
import { Button } from '@/components/ui/button';
import { ErrorState, isRetryable, LoadingState } from '@/components/ui/states';
import { useTRPC } from '@/components/trpc/client';
import { errorMessage } from '@/lib/form-errors';
import type { ChartRange } from '@/lib/schemas/metric-charts';
import type { AppRouter } from '@/server/root';
import type { MetricChartSpec } from '@/server/metrics/types';

const GROUPS: ReadonlyArray<{ id: MetricChartSpec['group']; title: string }> = [
  { id: 'cluster', title: 'Cluster health' },
  { id: 'gpu', title: 'GPU' },
];

/** Preset ranges move with the clock: asked again this often while the tab is open. */
const PRESET_REFRESH_MS = 60_000;

/**
 * Charts go one request each, never batched: a batched HTTP answer waits for its slowest
 * query, so one cluster's 8 s timeout would hold every chart of the tab.
 */
function useUnbatchedClient() {
  const [client] = useState(() => createTRPCClient<AppRouter>({ links: [httpLink({ url: '/api/trpc', transformer: superjson })] }));
  return client;
}

export function ClusterMetricsTab({ name }: { name: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const range = parseChartRange(new URLSearchParams(params.toString()));
  const client = useUnbatchedClient();
  const specs = useQuery(trpc.clusters.metrics.charts.queryOptions({ name }, { staleTime: Infinity }));

  const setRange = (next: ChartRange) => router.push(`${pathname}${chartRangeQueryString(next)}`, { scroll: false });

  return (
    <section aria-labelledby="metrics-title" className="space-y-6">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div>
          <h2 id="metrics-title" className="text-sm font-semibold">
            Metrics
          </h2>
          <p className="text-xs text-zinc-500 dark:text-zinc-400">From the cluster&apos;s Prometheus, through its agent. Times in UTC.</p>
        </div>
        <MetricsRangePicker range={range} onChange={setRange} />
      </div>
      {specs.isPending ? (
        <LoadingState label="Loading charts…" />
      ) : specs.isError ? (
        <ErrorState error={specs.error} onRetry={() => specs.refetch()} />
      ) : (
        GROUPS.map((group) => {
          const charts = specs.data.filter((spec) => spec.group === group.id);
          if (charts.length === 0) return null;
          return (
            <section key={group.id} aria-labelledby={`metrics-group-${group.id}`} className="space-y-3">
              <h3 id={`metrics-group-${group.id}`} className="text-sm font-semibold text-zinc-700 dark:text-zinc-300">
                {group.title}
              </h3>
              <div className="grid gap-4 lg:grid-cols-2">
                {charts.map((spec) => (
                  <MetricChartCard key={spec.id} client={client} cluster={name} spec={spec} range={range} />
                ))}
              </div>
            </section>
          );
        })
      )}
    </section>
  );
}

type ChartClient = ReturnType<typeof useUnbatchedClient>;

function MetricChartCard({ client, cluster, spec, range }: { client: ChartClient; cluster: string; spec: MetricChartSpec; range: ChartRange }) {
  const trpc = useTRPC();
  const [breakdown, setBreakdown] = useState<string | undefined>(undefined);
  const input = { name: cluster, chartId: spec.id, range, breakdown };
  const chart = useQuery({
    queryKey: trpc.clusters.metrics.chart.queryKey(input),
    queryFn: ({ signal }) => client.clusters.metrics.chart.query(input, { signal }),
    // A timeout costs the reader 8 s: ask again only when they press Retry.
    retry: false,
    refetchInterval: 'preset' in range ? PRESET_REFRESH_MS : false,
  });
  const titleId = `chart-${spec.id.replaceAll('.', '-')}`;
  return (
    <article aria-labelledby={titleId} className="min-w-0 space-y-2 rounded-lg border border-zinc-200 p-3 dark:border-zinc-800">
      <header className="flex flex-wrap items-start justify-between gap-2">
        <div className="min-w-0">
          <h4 id={titleId} className="text-sm font-medium">
            {spec.title}
          </h4>
          <p className="text-xs text-zinc-500 dark:text-zinc-400">{spec.description}</p>
        </div>
        {spec.breakdowns && spec.breakdowns.length > 0 && (
          <label className="flex items-center gap-1 text-xs">
            <span>Breakdown</span>
            <select
              value={breakdown ?? ''}
              onChange={(event) => setBreakdown(event.target.value || undefined)}
              className="rounded-md border border-zinc-300 bg-white px-1.5 py-1 text-xs dark:border-zinc-700 dark:bg-zinc-900"
            >
              <option value="">By {spec.seriesLabel}</option>
              {spec.breakdowns.map((option) => (
                <option key={option} value={option}>
                  By {option}
                </option>
              ))}
            </select>
          </label>
        )}
      </header>
      {chart.isPending ? (
        <ChartSkeleton />
      ) : chart.isError ? (
        <ChartError error={chart.error} pending={chart.isFetching} onRetry={() => chart.refetch()} />
      ) : (
        <>
          <TimeSeriesChart title={spec.title} unit={spec.unit} kind={spec.kind} series={chart.data.series} start={chart.data.start} end={chart.data.end} />
          {chart.data.omittedSeries > 0 && (
            <p className="text-xs text-zinc-500">
              {chart.data.omittedSeries.toLocaleString('en-US')} more series not shown; pick a coarser breakdown.
            </p>
          )}
        </>
      )}
    </article>
  );
}

/**
 * A chart the cluster could not answer: the reason (disconnected, a timeout, Prometheus'
 * own error) and Retry. The server answers these "precondition failed", which a retry
 * may well change (the agent reconnects, Prometheus recovers).
 */
function ChartError({ error, pending, onRetry }: { error: unknown; pending: boolean; onRetry: () => void }) {
  const transient = error instanceof TRPCClientError && error.data?.code === 'PRECONDITION_FAILED';
  if (!transient && !isRetryable(error)) return <ErrorState error={error} />;
  return (
    <div role="alert" className="flex h-60 flex-col items-center justify-center gap-3 rounded-md border border-red-200 bg-red-50 p-4 text-center text-sm text-red-800 dark:border-red-900 dark:bg-red-950 dark:text-red-200">
      <p className="[overflow-wrap:anywhere]">{errorMessage(error)}</p>
      <Button variant="secondary" size="sm" pending={pending} onClick={onRetry}>
        Retry
      </Button>
    </div>
  );
}
