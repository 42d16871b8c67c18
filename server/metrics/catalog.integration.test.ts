/**
 * The catalog and the summary set against a REAL Prometheus (Debian's) scraping fixture
 * exporters in their real text formats, with 7 days of history backfilled by promtool.
 * The queries run through the agent's own Prometheus client (agent/prometheus.ts), and at
 * the end end to end: a real agent connected to the real gateway pushes the summary set and
 * proxies the charts' `query_range`. Every figure is the exact value the fixtures imply
 * (testing/prometheus/gpu-cluster.ts). Runs in the sqlite project only: the store is incidental.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent } from '@/agent/agent';
import { queryPrometheus, queryPrometheusRange } from '@/agent/prometheus';
import { silentLogger } from '@/server/logger';
import { createMetricCharts } from '@/server/services/metrics/charts';
import { FakeKubeApi } from '@/testing/fake-kube-api';
import { insertCluster, startGateway, type GatewayHarness } from '@/testing/gateway-fixtures';
import { listenOnLoopback } from '@/testing/loopback';
import { waitFor } from '@/testing/wait-for';
import type { PrometheusVector } from '@/lib/agent-protocol';
import { GPU_CLUSTER_EXPECTED as expected, GPU_TYPE_LABEL, gpuClusterFixtures, NODE_POOL_LABEL } from '@/testing/prometheus/gpu-cluster';
import { startTestPrometheus, type TestPrometheus } from '@/testing/prometheus/test-prometheus';
import { metricCatalog } from './catalog';
import { dcgmSeries, RECORDING_RULES } from './promql';
import { PRESET_SECONDS, PROMETHEUS_MAX_POINTS, stepFor } from './step';
import { summaryCatalog } from './summary';
import type { PromqlContext } from './types';

const context: PromqlContext = { nodePoolLabel: NODE_POOL_LABEL, gpuTypeLabel: GPU_TYPE_LABEL };

let prometheus: TestPrometheus;

beforeAll(async () => {
  // The server records the catalog's rules too, so a context naming them can be checked against the raw expressions.
  prometheus = await startTestPrometheus({ ...gpuClusterFixtures(), recordingRules: RECORDING_RULES });
});

afterAll(async () => {
  await prometheus?.close();
});

async function instant(promql: string): Promise<PrometheusVector['result']> {
  const data = await queryPrometheus(prometheus.url, { query: promql }, AbortSignal.timeout(10_000));
  if (data.resultType !== 'vector') throw new Error(`expected a vector, got ${data.resultType}`);
  return data.result;
}

/** The chart's latest values, keyed by the given labels joined with `/`. */
async function chartNow(chartId: string, keyLabels: string[], breakdown?: string): Promise<Record<string, number>> {
  const result = await instant(metricCatalog.promql(chartId, context, breakdown));
  return Object.fromEntries(result.map((sample) => [keyLabels.map((label) => sample.metric[label] ?? '').join('/'), Number(sample.value[1])]));
}

describe('the catalog against a real Prometheus', () => {
  it('counts GPUs total from allocatable, and allocated from Pending or Running pods bound to a node only', async () => {
    expect(await chartNow('gpu.total', ['gpu_type'])).toEqual({ 'NVIDIA-H100-80GB-HBM3': 8, 'NVIDIA A100-SXM4-40GB': 4 });
    expect(await chartNow('gpu.allocated', ['gpu_type'])).toEqual({ 'NVIDIA-H100-80GB-HBM3': 5, 'NVIDIA A100-SXM4-40GB': 3 });
    expect(await chartNow('gpu.allocated', ['node_pool'], 'node_pool')).toEqual({ 'h100-pool': 5, 'a100-pool': 3 });
    expect(await chartNow('gpu.allocated', ['namespace'], 'namespace')).toEqual({ ml: 5, serve: 3 });
    const total = Object.values(await chartNow('gpu.allocated', ['node'], 'node')).reduce((a, b) => a + b, 0);
    expect(total).toBe(expected.gpusAllocated);
  });

  it('finds the one idle allocated GPU, whichever way its exporter names the pod', async () => {
    expect(await chartNow('gpu.idleAllocated', ['gpu_type'])).toEqual({ 'NVIDIA-H100-80GB-HBM3': 1 });
    // gpu-a1's exporter is scraped with the target's own pod label, so the workload's arrives as exported_pod.
    expect(await chartNow('gpu.idleAllocated', ['namespace', 'pod'], 'pod')).toEqual({ 'ml/notebook-1': 1 });
  });

  it('averages utilisation by model and by node pool', async () => {
    const byModel = await chartNow('gpu.utilization.byModel', ['modelName']);
    expect(byModel['NVIDIA H100 80GB HBM3']).toBeCloseTo(expected.h100.meanUtilization, 9);
    expect(byModel['NVIDIA A100-SXM4-40GB']).toBeCloseTo(expected.a100.meanUtilization, 9);
    const byPool = await chartNow('gpu.utilization.byNodePool', ['node_pool']);
    expect(byPool['h100-pool']).toBeCloseTo(expected.h100.meanUtilization, 9);
    expect(byPool['a100-pool']).toBeCloseTo(expected.a100.meanUtilization, 9);
  });

  it('gives both label variants (exported_pod + Hostname, pod + hostname) the same canonical pod and node labels', async () => {
    // The same question put to both exporters: which workload and node each GPU serves.
    const workloads = await instant(`count by (node, namespace, pod) (${dcgmSeries('DCGM_FI_DEV_GPU_UTIL')})`);
    const byWorkload = Object.fromEntries(workloads.map((s) => [`${s.metric.node}/${s.metric.namespace ?? ''}/${s.metric.pod ?? ''}`, Number(s.value[1])]));
    expect(byWorkload).toMatchObject({ 'gpu-a1/ml/train-1': 4, 'gpu-a1/ml/notebook-1': 1, 'gpu-b1/serve/infer-1': 2 });
    const allocated = await chartNow('gpu.utilization.byModel', ['node', 'gpu'], 'gpu');
    expect(allocated['gpu-a1/4']).toBe(3);
    expect(allocated['gpu-b1/1']).toBe(20);
    expect(Object.keys(allocated)).toHaveLength(12);
  });

  it('computes memory used % with FB_RESERVED (gpu-a1) and without it (gpu-b1)', async () => {
    const perGpu = await chartNow('gpu.memory.used', ['node', 'gpu'], 'gpu');
    expect(perGpu['gpu-a1/0']).toBeCloseTo(expected.memoryUsedPercent['gpu-a1'], 9);
    expect(perGpu['gpu-b1/0']).toBeCloseTo(expected.memoryUsedPercent['gpu-b1'], 9);
    expect(Object.keys(perGpu)).toHaveLength(12);
  });

  it('reports the XID on the right node and GPU, the hot GPU, power and energy', async () => {
    expect(await chartNow('gpu.xid', ['node'])).toEqual({ [expected.xid.node]: 1 });
    expect(await chartNow('gpu.xid', ['node', 'gpu'], 'gpu')).toEqual({ [`${expected.xid.node}/${expected.xid.gpu}`]: 1 });
    expect(await chartNow('gpu.temperature', ['node'])).toEqual({ 'gpu-a1': 88, 'gpu-b1': 55 });
    expect(await chartNow('gpu.power', ['node'])).toEqual({ 'gpu-a1': 650 + 3 * 300 + 90 + 3 * 70, 'gpu-b1': 2 * 200 + 2 * 50 });
    const energy = await chartNow('gpu.energy', ['node']);
    expect(energy['gpu-b1']).toBeCloseTo(500 * 3_600, 6);
  });

  it('answers the cluster health charts', async () => {
    const cpu = await chartNow('cluster.cpu.utilization', []);
    expect(cpu['']).toBeCloseTo(expected.cpuUtilization, 4);
    const memory = await chartNow('cluster.memory.utilization', []);
    expect(memory['']).toBeCloseTo(expected.memoryUtilization, 9);
    const requests = await chartNow('cluster.cpu.requests', ['series']);
    expect(requests.requested).toBeCloseTo(expected.cpuRequested, 9);
    expect(requests.allocatable).toBe(expected.cpuAllocatable);
    expect(await chartNow('cluster.nodes.ready', ['series'])).toEqual({ ready: expected.nodesReady, total: expected.nodesTotal });
    expect(await chartNow('cluster.pods.byPhase', ['phase'])).toEqual({ Pending: 2, Running: 4, Succeeded: 1, Failed: 0, Unknown: 0 });
    const perInstance = await chartNow('cluster.cpu.utilization', ['instance'], 'instance');
    expect(perInstance['gpu-a1:9100']).toBeCloseTo(0.25, 4);
    expect(perInstance['gpu-b1:9100']).toBeCloseTo(0.5, 4);
  });

  it('gives the same answers through the recording rules as through the raw expressions', async () => {
    const withRules: PromqlContext = { ...context, recordingRules: new Set(Object.keys(RECORDING_RULES)) };
    const cases: Array<[string, string | undefined]> = [
      ['cluster.cpu.utilization', undefined],
      ['cluster.cpu.utilization', 'instance'],
      ['cluster.memory.utilization', 'instance'],
    ];
    for (const [chartId, breakdown] of cases) {
      const viaRule = metricCatalog.promql(chartId, withRules, breakdown);
      expect(Object.keys(RECORDING_RULES)).toContain(viaRule);
      const key = (sample: { metric: Record<string, string> }) => sample.metric.instance ?? '';
      const raw = new Map((await instant(metricCatalog.promql(chartId, context, breakdown))).map((s) => [key(s), Number(s.value[1])]));
      const recorded = await instant(viaRule);
      expect(recorded.length).toBe(raw.size);
      for (const sample of recorded) expect(Number(sample.value[1])).toBeCloseTo(raw.get(key(sample)) ?? NaN, 3);
    }
  });

  it('runs every chart and breakdown as a query_range without a Prometheus error', async () => {
    const end = Math.floor(Date.now() / 1000);
    const step = stepFor(PRESET_SECONDS['1h']);
    for (const chart of metricCatalog.charts) {
      for (const breakdown of [undefined, ...(chart.breakdowns ?? [])]) {
        const matrix = await queryPrometheusRange(
          prometheus.url,
          { query: metricCatalog.promql(chart.id, context, breakdown), start: String(end - 3_600), end: String(end), step: String(step) },
          AbortSignal.timeout(10_000),
        );
        expect(matrix.resultType, `${chart.id} by ${breakdown}`).toBe('matrix');
      }
    }
  });

  it('charts 7 days from the backfilled history with the chosen step, never over 11,000 points', async () => {
    const span = PRESET_SECONDS['7d'];
    const step = stepFor(span);
    const end = Math.floor(Date.now() / 1000 / step) * step;
    const start = end - span;
    const matrix = await queryPrometheusRange(
      prometheus.url,
      { query: metricCatalog.promql('gpu.total', context), start: String(start), end: String(end), step: String(step) },
      AbortSignal.timeout(10_000),
    );
    expect(matrix.result).toHaveLength(2);
    for (const series of matrix.result) {
      expect(series.values.length).toBeLessThanOrEqual(PROMETHEUS_MAX_POINTS);
      // History every 6 h over the 7 days, on the step's grid: a point for each, the first within 6 h of the start.
      expect(series.values.length).toBeGreaterThanOrEqual(27);
      expect(series.values[0]![0] - start).toBeLessThanOrEqual(6 * 3_600);
      expect(new Set(series.values.map(([, value]) => value))).toEqual(new Set([series.metric.gpu_type === 'NVIDIA A100-SXM4-40GB' ? '4' : '8']));
    }
  });
});

describe('the summary set against a real Prometheus', () => {
  it('interprets into the MetricSummary the fixtures imply', async () => {
    const results: Record<string, PrometheusVector> = {};
    for (const query of summaryCatalog.queries(context)) {
      const data = await queryPrometheus(prometheus.url, { query: query.promql }, AbortSignal.timeout(10_000));
      if (data.resultType !== 'vector') throw new Error(`${query.id} answered ${data.resultType}`);
      results[query.id] = data;
    }
    const summary = summaryCatalog.interpret(results);
    expect(summary.cpuUtilization).toBeCloseTo(expected.cpuUtilization, 4);
    expect(summary.memoryUtilization).toBeCloseTo(expected.memoryUtilization, 9);
    expect({ ...summary, cpuUtilization: 0, memoryUtilization: 0 }).toEqual({
      gpus: [expected.a100, expected.h100].map((pool) => ({ ...pool, meanUtilization: expect.closeTo(pool.meanUtilization, 9) })),
      nodesReady: expected.nodesReady,
      nodesTotal: expected.nodesTotal,
      cpuUtilization: 0,
      memoryUtilization: 0,
      xidErrors: 1,
      hotGpus: expected.hotGpus,
    });
    const pools = summary.gpus;
    expect(pools.reduce((sum, pool) => sum + pool.total, 0)).toBe(expected.gpusTotal);
    expect(pools.reduce((sum, pool) => sum + pool.allocated, 0)).toBe(expected.gpusAllocated);
    expect(pools.reduce((sum, pool) => sum + pool.idleAllocated, 0)).toBe(expected.idleAllocated);
    const meanOverAll = pools.reduce((sum, pool) => sum + (pool.meanUtilization ?? 0) * pool.total, 0) / expected.gpusTotal;
    expect(meanOverAll).toBeCloseTo(expected.meanUtilization, 9);
  });
});

describe('through a real agent and the real gateway', () => {
  let h: GatewayHarness;
  let kube: FakeKubeApi;
  let registry: net.Server;
  let agent: ReturnType<typeof startAgent> | undefined;
  let clusterId: number;
  const name = 'gpu-fixture-cluster';

  beforeAll(async () => {
    h = await startGateway({ summaryCatalog });
    kube = await new FakeKubeApi().start();
    registry = net.createServer((socket) => socket.end());
    await listenOnLoopback(registry);
    const cluster = await insertCluster(h.store, { name, prometheusUrl: prometheus.url, nodePoolLabel: NODE_POOL_LABEL, gpuTypeLabel: GPU_TYPE_LABEL });
    clusterId = cluster.clusterId;
    agent = startAgent({
      controlPlaneUrl: h.baseUrl,
      token: cluster.token,
      kubeconfigPath: kube.kubeconfigFile(),
      registryHosts: [`127.0.0.1:${(registry.address() as AddressInfo).port}`],
      logWrite: () => undefined,
    });
    await waitFor(() => h.gateway.isConnected(clusterId), 10_000, 'agent connected');
  });

  afterAll(async () => {
    await agent?.stop();
    await h?.close();
    await kube?.stop();
    await new Promise<void>((resolve) => (registry ? registry.close(() => resolve()) : resolve()));
  });

  it('stores the summary the agent pushed, with the fixtures’ exact figures', async () => {
    const { clusterMetricSummaries } = h.store.tables;
    const row = await waitFor(
      async () => (await h.store.db.select().from(clusterMetricSummaries).where(eq(clusterMetricSummaries.clusterId, clusterId)))[0],
      15_000,
      'the agent pushed a summary',
    );
    expect(row.error).toBeNull();
    expect(row.summary).toMatchObject({
      gpus: [expected.a100, expected.h100].map((pool) => ({ ...pool, meanUtilization: expect.closeTo(pool.meanUtilization, 9) })),
      nodesReady: expected.nodesReady,
      nodesTotal: expected.nodesTotal,
      xidErrors: 1,
      hotGpus: expected.hotGpus,
    });
  });

  it('charts 1 hour and 7 days through the agent, with the step choice', async () => {
    const charts = createMetricCharts({ store: h.store, gateway: h.gateway, catalog: metricCatalog, stepFor, log: silentLogger });
    const hour = await charts.chart(name, { chartId: 'gpu.allocated', range: { preset: '1h' } });
    expect(hour.step).toBe(15);
    const latest = Object.fromEntries(hour.series.map((series) => [series.name, series.points.at(-1)?.[1]]));
    expect(latest).toEqual({ 'NVIDIA-H100-80GB-HBM3': 5, 'NVIDIA A100-SXM4-40GB': 3 });

    const week = await charts.chart(name, { chartId: 'gpu.total', range: { preset: '7d' } });
    expect(week.step).toBe(stepFor(PRESET_SECONDS['7d']));
    for (const series of week.series) {
      expect(series.points.length).toBeLessThanOrEqual(PROMETHEUS_MAX_POINTS);
      const values = series.points.map(([, value]) => value).filter((value) => value !== null);
      expect(values.length).toBeGreaterThanOrEqual(27);
      expect(new Set(values)).toEqual(new Set([series.name === 'NVIDIA A100-SXM4-40GB' ? 4 : 8]));
    }
  });
});
