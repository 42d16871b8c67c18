/**
 * The contract between the metric catalog (server/metrics/catalog*.ts), the chart
 * procedure that pulls a cluster's detail through its agent, the summary interpreter
 * that turns an agent's pushed vectors into a `MetricSummary`, and the browser's charts.
 */
import type { PrometheusVector } from '@/lib/agent-protocol';
import type { MetricSummary, SummaryQuery } from '@/lib/metrics';

export const CHART_RANGES = ['1h', '6h', '24h', '7d'] as const;
export type ChartRangePreset = (typeof CHART_RANGES)[number];

/** Units a chart's axis and tooltip carry. */
export type MetricUnit = 'percent' | 'ratio' | 'bytes' | 'count' | 'celsius' | 'watts' | 'joules' | 'cores';

export interface MetricChartSpec {
  /** Stable id used in URLs and the API, e.g. `gpu.utilization.byModel`. */
  id: string;
  title: string;
  /** One sentence: what it shows and why it matters. */
  description: string;
  group: 'cluster' | 'gpu';
  unit: MetricUnit;
  kind: 'line' | 'stacked-area' | 'bar';
  /** The label that names each series in the legend (`modelName`, `node`, `phase`, …). */
  seriesLabel: string;
  /** Per-GPU / per-node breakdowns this chart offers beside its default. */
  breakdowns?: readonly string[];
}

/** What the builders need to know about a cluster's Prometheus. */
export interface PromqlContext {
  /** The node label holding the node pool / the GPU type (the cluster's settings). */
  nodePoolLabel: string;
  gpuTypeLabel: string;
  /** Recording rules the cluster's Prometheus is known to have; builders fall back to raw expressions. */
  recordingRules?: ReadonlySet<string>;
}

export interface ChartSeries {
  /** The series' legend name (from `seriesLabel`), and all its labels. */
  name: string;
  labels: Record<string, string>;
  /** [unix seconds, value]; null for NaN / gaps. */
  points: [number, number | null][];
}

/** What `clusters.metrics.chart` answers for one chart. */
export interface ChartResult {
  chart: MetricChartSpec;
  start: number;
  end: number;
  step: number;
  series: ChartSeries[];
}

/** The summary set and its interpretation, for the agent's pushed summaries. */
export interface SummaryCatalog {
  queries(context: PromqlContext): SummaryQuery[];
  /** Builds the summary from each query's vector (a missing or failed query leaves its figures null). */
  interpret(results: Readonly<Record<string, PrometheusVector | undefined>>): MetricSummary;
}

/** The chart catalog (server/metrics/catalog.ts): specs, and the PromQL for one chart. */
export interface MetricCatalog {
  readonly charts: readonly MetricChartSpec[];
  find(chartId: string): MetricChartSpec | undefined;
  /** The PromQL for a chart (and optional breakdown), coping with the label variants real exporters use. */
  promql(chartId: string, context: PromqlContext, breakdown?: string): string;
}
