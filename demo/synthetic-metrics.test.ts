/**
 * The demo's synthetic Prometheus answers the catalogs' exact queries with the story the
 * demo tells: GPUs as the fleet declares them, allocation and load following the day, one
 * hot GPU, some allocated-but-idle GPUs and one XID in the whole fleet.
 */
import { describe, expect, it } from 'vitest';
import type { PrometheusVector } from '@/lib/agent-protocol';
import type { MetricSummary } from '@/lib/metrics';
import { DEFAULT_GPU_TYPE_LABEL, DEFAULT_NODE_POOL_LABEL } from '@/lib/schemas/cluster';
import { metricCatalog } from '@/server/metrics/catalog';
import { summaryCatalog } from '@/server/metrics/summary';
import { DEMO_FLEET } from '@/demo/fleet';
import { SyntheticMetrics } from '@/demo/synthetic-metrics';

const labelKeys = { nodePool: DEFAULT_NODE_POOL_LABEL, gpuType: DEFAULT_GPU_TYPE_LABEL };
const context = { nodePoolLabel: labelKeys.nodePool, gpuTypeLabel: labelKeys.gpuType };
const sources = DEMO_FLEET.map((cluster, index) => ({ cluster, metrics: new SyntheticMetrics({ cluster, labelKeys, index }) }));

/** 16:00 and 04:00 UTC on the same day: the afternoon peak and the night trough. */
const PEAK = Date.UTC(2026, 10, 23, 16) / 1000;
const TROUGH = Date.UTC(2026, 10, 23, 4) / 1000;

function instant(metrics: SyntheticMetrics, query: string, time: number): PrometheusVector {
  const answer = metrics.answer('/api/v1/query', new URLSearchParams({ query, time: String(time) }));
  if (!('data' in answer) || answer.data.resultType !== 'vector') throw new Error(`no vector for ${query}`);
  return answer.data;
}

function summaryAt(metrics: SyntheticMetrics, time: number): MetricSummary {
  const results = Object.fromEntries(summaryCatalog.queries(context).map((q) => [q.id, instant(metrics, q.promql, time)]));
  return summaryCatalog.interpret(results);
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

describe('the demo\'s synthetic metrics', () => {
  it('answers the summary set with the fleet\'s GPUs, one hot GPU, one XID and some idle-allocated GPUs', () => {
    const summaries = sources.map(({ metrics }) => summaryAt(metrics, PEAK));
    for (const [i, { cluster }] of sources.entries()) {
      const declared = sum(cluster.pools.map((pool) => (pool.gpusPerNode ?? 0) * pool.count));
      expect(sum(summaries[i]?.gpus.map((pool) => pool.total) ?? [])).toBe(declared);
      expect(summaries[i]?.nodesTotal).toBe(sum(cluster.pools.map((pool) => pool.count)));
      expect(summaries[i]?.nodesReady).toBe(sum(cluster.pools.map((pool) => pool.count - (pool.notReady ?? 0))));
      for (const pool of summaries[i]?.gpus ?? []) expect(pool.allocated).toBeLessThanOrEqual(pool.total);
    }
    expect(sum(summaries.map((s) => s.hotGpus ?? 0))).toBe(1);
    expect(sum(summaries.map((s) => s.xidErrors ?? 0))).toBe(1);
    expect(sum(summaries.flatMap((s) => s.gpus.map((pool) => pool.idleAllocated)))).toBeGreaterThan(0);
  });

  it('follows the day: more allocated and busier at the afternoon peak than at night', () => {
    for (const { metrics } of sources) {
      const peak = summaryAt(metrics, PEAK);
      const trough = summaryAt(metrics, TROUGH);
      expect(peak.cpuUtilization ?? 0).toBeGreaterThan(trough.cpuUtilization ?? 1);
      if (peak.gpus.length > 0) expect(sum(peak.gpus.map((p) => p.allocated))).toBeGreaterThan(sum(trough.gpus.map((p) => p.allocated)));
    }
  });

  it('fills every chart and breakdown of the catalog for 1 h and 7 d', () => {
    const { metrics } = sources[0] ?? {};
    if (!metrics) throw new Error('no demo cluster');
    for (const [range, step] of [[3_600, 15], [7 * 86_400, 3_600]] as const) {
      for (const chart of metricCatalog.charts) {
        for (const breakdown of [undefined, ...(chart.breakdowns ?? [])]) {
          const query = metricCatalog.promql(chart.id, context, breakdown);
          const answer = metrics.answer('/api/v1/query_range', new URLSearchParams({ query, start: String(PEAK - range), end: String(PEAK), step: String(step) }));
          if (!('data' in answer) || answer.data.resultType !== 'matrix') throw new Error(`no matrix for ${chart.id}`);
          // XIDs live on one other cluster; everything else has series here.
          if (chart.id !== 'gpu.xid') expect(answer.data.result.length, `${chart.id} by ${breakdown ?? 'default'}`).toBeGreaterThan(0);
          for (const series of answer.data.result) expect(series.values.length).toBeLessThanOrEqual(range / step + 1);
        }
      }
    }
  });

  it('a query the catalogs did not build matches no series', () => {
    const { metrics } = sources[0] ?? {};
    expect(metrics && instant(metrics, 'up{job="nothing"}', PEAK)).toEqual({ resultType: 'vector', result: [] });
  });
});
