/**
 * A cluster's charts, pulled on demand: the catalog's PromQL for the cluster's label
 * settings, a `query_range` run by the cluster's agent against its own Prometheus, and
 * the matrix mapped to a `ChartResult` the browser charts as it is.
 *
 * - Each chart has its own deadline (8 s by default): a slow or dead Prometheus fails
 *   that chart with the reason, never the page.
 * - Answers are kept briefly (15 s) and shared: viewers of the same chart, range bucket
 *   and breakdown on the same cluster get one agent call between them, and identical
 *   requests in flight share that one call (single-flight).
 * - Nothing is queued across clusters: a call waits only on its own cluster's agent,
 *   so one cluster's hang never delays another's charts.
 */
import { eq } from 'drizzle-orm';
import type { PrometheusMatrix } from '@/lib/agent-protocol';
import { CHART_RANGE_SECONDS, type ChartRange, type ChartRangePresetId } from '@/lib/schemas/metric-charts';
import { AgentCallError, type AgentGateway } from '@/server/agent-gateway';
import { DomainError, InvalidError, NotFoundError } from '@/server/errors';
import { errorMessage, type Logger } from '@/server/logger';
import type { ChartRangePreset, ChartResult, ChartSeries, MetricCatalog, MetricChartSpec, PromqlContext } from '@/server/metrics/types';
import type { Store } from '@/server/store';

// The browser's presets (lib) and the catalog contract's (server) are the same list.
type SamePresets<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const presetsAgree: SamePresets<ChartRangePresetId, ChartRangePreset> = true;
void presetsAgree;

export const DEFAULT_CHART_DEADLINE_MS = 8_000;
export const DEFAULT_CHART_CACHE_TTL_MS = 15_000;
/** Series one chart carries at most: past this the legend, the tooltip and the browser stop being useful. */
export const MAX_CHART_SERIES = 60;
/** How much of Prometheus' own error text a chart shows. */
const MAX_PROMETHEUS_ERROR_CHARS = 300;
/** Answers kept at most; beyond this the oldest settled ones go first. */
const MAX_CACHE_ENTRIES = 1_000;

/** Why a chart could not be drawn, for the tab to word its error and for tests. */
export type ChartFailureReason = 'disconnected' | 'timeout' | 'prometheus' | 'agent';

/** A chart the cluster could not answer; the message says why, in the user's words. */
export class ChartUnavailableError extends DomainError {
  readonly code = 'PRECONDITION_FAILED';
  constructor(
    readonly reason: ChartFailureReason,
    message: string,
  ) {
    super(message);
  }
}

export interface ChartRequest {
  chartId: string;
  range: ChartRange;
  breakdown?: string;
}

/** What the tab receives: the contract's result, and how many series were left out past the cap. */
export interface ClusterChart extends ChartResult {
  omittedSeries: number;
}

export interface MetricCharts {
  /** The catalog's chart specs, for the tab to lay out its groups. */
  readonly specs: readonly MetricChartSpec[];
  /** One chart of the cluster named; throws `ChartUnavailableError` with the reason when the cluster cannot answer. */
  chart(clusterName: string, request: ChartRequest): Promise<ClusterChart>;
}

export interface MetricChartsOptions {
  store: Store;
  gateway: AgentGateway;
  catalog: MetricCatalog;
  /** The query step in seconds for a range of `rangeSeconds` (server/metrics/step.ts). */
  stepFor: (rangeSeconds: number) => number;
  log: Logger;
  deadlineMs?: number;
  cacheTtlMs?: number;
  /** Milliseconds since the epoch; tests drive it. */
  clock?: () => number;
}

interface CacheEntry {
  answer: Promise<ClusterChart>;
  /** Until when a settled answer is served; Infinity while in flight. */
  expiresAt: number;
}

export function createMetricCharts(options: MetricChartsOptions): MetricCharts {
  const { store, gateway, catalog, stepFor } = options;
  const log = options.log.child({ component: 'metric-charts' });
  const deadlineMs = options.deadlineMs ?? DEFAULT_CHART_DEADLINE_MS;
  const ttlMs = options.cacheTtlMs ?? DEFAULT_CHART_CACHE_TTL_MS;
  const clock = options.clock ?? Date.now;
  const cache = new Map<string, CacheEntry>();

  const loadCluster = async (name: string) => {
    const { clusters } = store.tables;
    const [row] = await store.db
      .select({ id: clusters.id, nodePoolLabel: clusters.nodePoolLabel, gpuTypeLabel: clusters.gpuTypeLabel })
      .from(clusters)
      .where(eq(clusters.name, name))
      .limit(1);
    if (!row) throw new NotFoundError(`Cluster ${name} does not exist`);
    return row;
  };

  const evict = (now: number) => {
    if (cache.size < MAX_CACHE_ENTRIES) return;
    for (const [key, entry] of cache) if (entry.expiresAt <= now) cache.delete(key);
    // Still full: the oldest settled answers go (insertion order); calls in flight stay shared.
    for (const [key, entry] of cache) {
      if (cache.size < MAX_CACHE_ENTRIES) break;
      if (entry.expiresAt !== Infinity) cache.delete(key);
    }
  };

  const ask = async (clusterId: number, spec: MetricChartSpec, query: string, window: QueryWindow, breakdown: string | undefined) => {
    let matrix: PrometheusMatrix;
    try {
      matrix = await gateway
        .agentClient(clusterId)
        .call('prometheus.queryRange', { query, start: window.start, end: window.end, step: window.step }, { deadlineMs });
    } catch (error) {
      throw chartFailure(error, deadlineMs, log);
    }
    return toClusterChart(spec, window, matrix, breakdown);
  };

  return {
    specs: catalog.charts,

    async chart(clusterName, request) {
      const spec = catalog.find(request.chartId);
      if (!spec) throw InvalidError.onField('chartId', `There is no chart ${request.chartId}`);
      if (request.breakdown !== undefined && !spec.breakdowns?.includes(request.breakdown)) {
        throw InvalidError.onField('breakdown', `${spec.title} has no breakdown by ${request.breakdown}`);
      }
      const cluster = await loadCluster(clusterName);
      const context: PromqlContext = { nodePoolLabel: cluster.nodePoolLabel, gpuTypeLabel: cluster.gpuTypeLabel };
      const query = catalog.promql(spec.id, context, request.breakdown);
      const now = clock();
      const window = queryWindow(request.range, now / 1000, stepFor);
      // The query text carries the label settings and the breakdown, the window its bucket.
      const key = `${cluster.id}\u0000${window.start}\u0000${window.end}\u0000${window.step}\u0000${request.breakdown ?? ''}\u0000${query}`;
      const cached = cache.get(key);
      if (cached && cached.expiresAt > now) return cached.answer;

      evict(now);
      const entry: CacheEntry = { answer: ask(cluster.id, spec, query, window, request.breakdown), expiresAt: Infinity };
      cache.set(key, entry);
      entry.answer.then(
        () => {
          entry.expiresAt = clock() + ttlMs;
        },
        () => {
          // A failure is not kept: Retry asks again (callers in flight already share it).
          if (cache.get(key) === entry) cache.delete(key);
        },
      );
      return entry.answer;
    },
  };
}

export interface QueryWindow {
  start: number;
  end: number;
  step: number;
}

/**
 * The range in whole steps: both ends fall on multiples of the step, so everyone asking
 * for "the last hour" within one step gets the same window (and the same cached answer),
 * and a custom end in the future is "now".
 */
export function queryWindow(range: ChartRange, nowSeconds: number, stepFor: (rangeSeconds: number) => number): QueryWindow {
  const requested =
    'preset' in range
      ? { start: nowSeconds - CHART_RANGE_SECONDS[range.preset], end: nowSeconds }
      : { start: range.start, end: Math.min(range.end, nowSeconds) };
  const span = Math.max(1, requested.end - requested.start);
  const step = stepFor(span);
  const end = Math.floor(requested.end / step) * step;
  // Whole steps back from the end: never more steps than the span needs, so never more points than the step allows.
  const steps = Math.max(1, Math.ceil(span / step));
  return { start: Math.max(0, end - steps * step), end, step };
}

/** The matrix on the window's grid: one point per step per series, null where Prometheus had none or NaN. */
export function toClusterChart(spec: MetricChartSpec, window: QueryWindow, matrix: PrometheusMatrix, breakdown?: string): ClusterChart {
  const nameLabel = breakdown ?? spec.seriesLabel;
  const slots = Math.floor((window.end - window.start) / window.step) + 1;
  const named = matrix.result.map((series) => {
    const points: [number, number | null][] = Array.from({ length: slots }, (_, i) => [window.start + i * window.step, null]);
    for (const [time, text] of series.values) {
      const slot = Math.round((time - window.start) / window.step);
      const value = Number(text);
      const point = points[slot];
      if (point && Number.isFinite(value)) point[1] = value;
    }
    return { name: series.metric[nameLabel] ?? '', labels: series.metric, points };
  });
  const series: ChartSeries[] = distinctNames(named, spec).sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
  return {
    chart: spec,
    start: window.start,
    end: window.end,
    step: window.step,
    series: series.slice(0, MAX_CHART_SERIES),
    omittedSeries: Math.max(0, series.length - MAX_CHART_SERIES),
  };
}

/** Legend names that tell series apart: the naming label's value, else the chart's title, plus other labels where two collide. */
function distinctNames(series: ChartSeries[], spec: MetricChartSpec): ChartSeries[] {
  const counts = new Map<string, number>();
  for (const s of series) counts.set(s.name, (counts.get(s.name) ?? 0) + 1);
  return series.map((s) => {
    const base = s.name || spec.title;
    if ((counts.get(s.name) ?? 0) <= 1) return { ...s, name: base };
    const others = Object.entries(s.labels)
      .filter(([key]) => key !== '__name__')
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, value]) => `${key}=${value}`)
      .join(', ');
    return { ...s, name: others ? `${base} (${others})` : base };
  });
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}

function bounded(text: string): string {
  return text.length <= MAX_PROMETHEUS_ERROR_CHARS ? text : `${text.slice(0, MAX_PROMETHEUS_ERROR_CHARS - 1)}…`;
}

/** A failed agent call in the chart reader's words: disconnected, too slow, or what Prometheus said. */
function chartFailure(error: unknown, deadlineMs: number, log: Logger): Error {
  if (!(error instanceof AgentCallError)) {
    // Our own bug or an InvalidError on the params: not the cluster's fault, and not for the page to read.
    if (error instanceof DomainError) return error;
    log.error('a chart query failed unexpectedly', { error: errorMessage(error) });
    return new ChartUnavailableError('agent', 'The chart could not be loaded; try again');
  }
  switch (error.failure) {
    case 'not_connected':
    case 'disconnected':
      return new ChartUnavailableError('disconnected', 'The cluster is disconnected: its agent is not connected, so its Prometheus cannot be asked');
    case 'deadline_exceeded':
      return new ChartUnavailableError('timeout', `Prometheus did not answer within ${seconds(deadlineMs)}`);
    case 'busy':
      return new ChartUnavailableError('agent', "The cluster's agent is busy with other requests; try again shortly");
    case 'unknown_method':
      return new ChartUnavailableError('agent', "The cluster's agent is too old to serve charts; upgrade the agent");
    case 'bad_result':
      return new ChartUnavailableError('agent', 'The agent answered a result Fleetdeck cannot read');
    case 'agent_error': {
      // The session words it "Cluster <name> could not run <method>: <the agent's text>"; the agent's text is what matters.
      const text = error.message.replace(/^Cluster \S+ could not run prometheus\.queryRange: /, '');
      if (error.agentCode === 'upstream_error' || error.agentCode === 'unavailable') {
        return new ChartUnavailableError('prometheus', bounded(text));
      }
      return new ChartUnavailableError('agent', bounded(text));
    }
  }
}
