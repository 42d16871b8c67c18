/**
 * The same cluster with its dcgm-exporter variants swapped between the nodes (gpu-a1 scraped
 * plainly with `hostname` and no FB_RESERVED; gpu-b1 the prometheus-operator way with
 * `exported_pod`, `Hostname` and FB_RESERVED), against a real Prometheus: every GPU figure
 * must be what catalog.integration.test.ts finds with the variants the other way round.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryPrometheus } from '@/agent/prometheus';
import type { PrometheusVector } from '@/lib/agent-protocol';
import { GPU_CLUSTER_EXPECTED as expected, GPU_TYPE_LABEL, gpuClusterFixtures, NODE_POOL_LABEL } from '@/testing/prometheus/gpu-cluster';
import { startTestPrometheus, type TestPrometheus } from '@/testing/prometheus/test-prometheus';
import { metricCatalog } from './catalog';
import { dcgmSeries } from './promql';
import { summaryCatalog } from './summary';
import type { PromqlContext } from './types';

const context: PromqlContext = { nodePoolLabel: NODE_POOL_LABEL, gpuTypeLabel: GPU_TYPE_LABEL };
let prometheus: TestPrometheus;

beforeAll(async () => {
  prometheus = await startTestPrometheus(gpuClusterFixtures({ variants: { 'gpu-a1': 'plain', 'gpu-b1': 'operator' } }));
});

afterAll(async () => {
  await prometheus?.close();
});

async function instant(promql: string): Promise<PrometheusVector> {
  const data = await queryPrometheus(prometheus.url, { query: promql }, AbortSignal.timeout(10_000));
  if (data.resultType !== 'vector') throw new Error(`expected a vector, got ${data.resultType}`);
  return data;
}

async function chartNow(chartId: string, keyLabels: string[], breakdown?: string): Promise<Record<string, number>> {
  const { result } = await instant(metricCatalog.promql(chartId, context, breakdown));
  return Object.fromEntries(result.map((sample) => [keyLabels.map((label) => sample.metric[label] ?? '').join('/'), Number(sample.value[1])]));
}

describe('dcgm-exporter variants swapped between the nodes', () => {
  it('gives the same summary', async () => {
    const results: Record<string, PrometheusVector> = {};
    for (const query of summaryCatalog.queries(context)) results[query.id] = await instant(query.promql);
    expect(summaryCatalog.interpret(results)).toMatchObject({
      gpus: [expected.a100, expected.h100].map((pool) => ({ ...pool, meanUtilization: expect.closeTo(pool.meanUtilization, 9) })),
      nodesReady: expected.nodesReady,
      nodesTotal: expected.nodesTotal,
      xidErrors: 1,
      hotGpus: expected.hotGpus,
    });
  });

  it('maps each GPU to the same workload and node', async () => {
    const { result } = await instant(`count by (node, namespace, pod) (${dcgmSeries('DCGM_FI_DEV_GPU_UTIL')})`);
    const byWorkload = Object.fromEntries(result.map((s) => [`${s.metric.node}/${s.metric.namespace ?? ''}/${s.metric.pod ?? ''}`, Number(s.value[1])]));
    expect(byWorkload).toMatchObject({ 'gpu-a1/ml/train-1': 4, 'gpu-a1/ml/notebook-1': 1, 'gpu-b1/serve/infer-1': 2 });
  });

  it('finds the same idle GPU, XID and per-GPU utilisation', async () => {
    expect(await chartNow('gpu.idleAllocated', ['namespace', 'pod'], 'pod')).toEqual({ 'ml/notebook-1': 1 });
    expect(await chartNow('gpu.xid', ['node', 'gpu'], 'gpu')).toEqual({ [`${expected.xid.node}/${expected.xid.gpu}`]: 1 });
    const perGpu = await chartNow('gpu.utilization.byModel', ['node', 'gpu'], 'gpu');
    expect(Object.keys(perGpu)).toHaveLength(12);
    expect(perGpu['gpu-a1/4']).toBe(3);
    expect(perGpu['gpu-b1/1']).toBe(20);
  });

  it('counts FB_RESERVED where this variant reports it (now gpu-b1) and not where it does not (now gpu-a1)', async () => {
    const perGpu = await chartNow('gpu.memory.used', ['node', 'gpu'], 'gpu');
    expect(perGpu['gpu-a1/0']).toBeCloseTo(50, 9);
    expect(perGpu['gpu-b1/0']).toBeCloseTo((100 * 20_000) / 41_000, 9);
  });
});
