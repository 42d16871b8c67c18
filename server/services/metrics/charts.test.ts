/**
 * A cluster's charts through the real gateway and a real agent, whose Prometheus is a
 * fake on loopback: values on the step grid with NaN as gaps, each failure in the
 * reader's words (disconnected, timeout, Prometheus' own error), one cluster's hang not
 * slowing another's charts, and answers shared between viewers.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startAgent } from '@/agent/agent';
import type { PrometheusMatrix } from '@/lib/agent-protocol';
import { silentLogger } from '@/server/logger';
import { stepFor } from '@/server/metrics/step';
import type { MetricCatalog, MetricChartSpec } from '@/server/metrics/types';
import { FakeKubeApi } from '@/testing/fake-kube-api';
import { FakePrometheus, type FakePrometheusOptions } from '@/testing/fake-prometheus';
import { insertCluster, startGateway, type GatewayHarness } from '@/testing/gateway-fixtures';
import { listenOnLoopback } from '@/testing/loopback';
import { waitFor } from '@/testing/wait-for';
import { ChartUnavailableError, createMetricCharts, MAX_CHART_SERIES, queryWindow, toClusterChart, type MetricChartsOptions } from './charts';

/** A catalog of two charts, enough to exercise the service without the real one. */
const SPECS: MetricChartSpec[] = [
  {
    id: 'test.gpu.util',
    title: 'GPU utilisation',
    description: 'Mean utilisation by GPU model.',
    group: 'gpu',
    unit: 'percent',
    kind: 'line',
    seriesLabel: 'modelName',
    breakdowns: ['gpu'],
  },
  { id: 'test.nodes.ready', title: 'Nodes Ready', description: 'Nodes Ready.', group: 'cluster', unit: 'count', kind: 'line', seriesLabel: 'condition' },
];
const testCatalog: MetricCatalog = {
  charts: SPECS,
  find: (id) => SPECS.find((spec) => spec.id === id),
  promql: (id, context, breakdown) => `${id}{pool_label="${context.nodePoolLabel}"} by ${breakdown ?? 'default'}`,
};
/** The worst case a step policy may choose: exactly the 11,000-point limit. */
const tightestStep = (rangeSeconds: number) => Math.ceil(rangeSeconds / 11_000);
const fixedStep = () => 60;

let h: GatewayHarness;
let kube: FakeKubeApi;
let registry: net.Server;
const stops: Array<() => Promise<void> | void> = [];

beforeEach(async () => {
  h = await startGateway();
  kube = await new FakeKubeApi().start();
  registry = net.createServer((socket) => socket.end());
  await listenOnLoopback(registry);
});

afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
  await h.close();
  await kube.stop();
  await new Promise<void>((resolve) => registry.close(() => resolve()));
});

/** A cluster whose real agent is connected, its Prometheus the fake given. */
async function clusterWith(options: FakePrometheusOptions): Promise<{ name: string; prometheus: FakePrometheus }> {
  const prometheus = await new FakePrometheus(options).start();
  stops.push(() => prometheus.stop());
  const name = `metrics-${Math.random().toString(36).slice(2, 8)}`;
  const { clusterId, token } = await insertCluster(h.store, { name, prometheusUrl: prometheus.url, nodePoolLabel: 'example.com/pool' });
  const agent = startAgent({
    controlPlaneUrl: h.baseUrl,
    token,
    kubeconfigPath: kube.kubeconfigFile(),
    registryHosts: [`127.0.0.1:${(registry.address() as AddressInfo).port}`],
    logWrite: () => undefined,
  });
  stops.push(() => agent.stop());
  await waitFor(() => h.gateway.isConnected(clusterId), 10_000, 'agent connected');
  return { name, prometheus };
}

function charts(overrides: Partial<MetricChartsOptions> = {}) {
  return createMetricCharts({ store: h.store, gateway: h.gateway, catalog: testCatalog, stepFor: fixedStep, log: silentLogger, ...overrides });
}

/** A matrix answering the query's own grid: `values(t)` per series, as Prometheus' strings. */
function matrixAnswer(series: Array<{ metric: Record<string, string>; value: (t: number, i: number) => string | undefined }>) {
  return (_path: string, params: URLSearchParams): { data: PrometheusMatrix } => {
    const start = Number(params.get('start'));
    const end = Number(params.get('end'));
    const step = Number(params.get('step'));
    return {
      data: {
        resultType: 'matrix',
        result: series.map(({ metric, value }) => {
          const values: [number, string][] = [];
          for (let t = start, i = 0; t <= end; t += step, i++) {
            const text = value(t, i);
            if (text !== undefined) values.push([t, text]);
          }
          return { metric, values };
        }),
      },
    };
  };
}

async function failureOf(call: Promise<unknown>): Promise<ChartUnavailableError> {
  const error: unknown = await call.then(
    () => new Error('expected the chart to fail'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ChartUnavailableError);
  return error as ChartUnavailableError;
}

describe('a chart pulled through the agent', () => {
  it('is the matrix on the step grid, with its unit, NaN and missing samples as gaps, series named by their label', async () => {
    const { name, prometheus } = await clusterWith({
      answer: matrixAnswer([
        { metric: { modelName: 'NVIDIA H100 80GB HBM3' }, value: (_t, i) => (i === 1 ? 'NaN' : String(40 + i)) },
        { metric: { modelName: 'NVIDIA A100-SXM4-80GB' }, value: (_t, i) => (i === 2 ? undefined : '12.5') },
      ]),
    });
    const now = 1_800_000_000_000;
    const result = await charts({ clock: () => now }).chart(name, { chartId: 'test.gpu.util', range: { preset: '1h' } });

    // The cluster's label settings reached the PromQL; the window is an hour of whole steps.
    expect(prometheus.queries).toHaveLength(1);
    expect(prometheus.queries[0]?.params).toMatchObject({ query: 'test.gpu.util{pool_label="example.com/pool"} by default', step: '60' });
    expect(result.chart.unit).toBe('percent');
    expect(result.end).toBe(Math.floor(now / 1000 / 60) * 60);
    expect(result.end - result.start).toBe(3_600);
    expect(result.series.map((s) => s.name)).toEqual(['NVIDIA A100-SXM4-80GB', 'NVIDIA H100 80GB HBM3']);
    const [a100, h100] = result.series;
    expect(h100?.points).toHaveLength(61);
    expect(h100?.points.slice(0, 3)).toEqual([
      [result.start, 40],
      [result.start + 60, null],
      [result.start + 120, 42],
    ]);
    expect(a100?.points.slice(0, 4).map(([, v]) => v)).toEqual([12.5, 12.5, null, 12.5]);
    expect(h100?.labels).toEqual({ modelName: 'NVIDIA H100 80GB HBM3' });
  });

  it('asks for the breakdown the chart offers, and refuses one it does not', async () => {
    const { name, prometheus } = await clusterWith({ answer: matrixAnswer([{ metric: { gpu: '0' }, value: () => '1' }, { metric: { gpu: '1' }, value: () => '2' }]) });
    const service = charts();
    const result = await service.chart(name, { chartId: 'test.gpu.util', range: { preset: '6h' }, breakdown: 'gpu' });
    expect(prometheus.queries[0]?.params.query).toMatch(/by gpu$/);
    expect(result.series.map((s) => s.name)).toEqual(['0', '1']);
    await expect(service.chart(name, { chartId: 'test.nodes.ready', range: { preset: '1h' }, breakdown: 'gpu' })).rejects.toThrow('Nodes Ready has no breakdown by gpu');
    await expect(service.chart(name, { chartId: 'no.such.chart', range: { preset: '1h' } })).rejects.toThrow('There is no chart no.such.chart');
  });

  it("fails with Prometheus' own error text", async () => {
    const { name } = await clusterWith({ answer: () => ({ status: 400, errorType: 'bad_data', error: '1:5: parse error: unexpected "}"' }) });
    const error = await failureOf(charts().chart(name, { chartId: 'test.gpu.util', range: { preset: '1h' } }));
    expect(error.reason).toBe('prometheus');
    expect(error.message).toBe('Prometheus bad_data: 1:5: parse error: unexpected "}"');
  });

  it('fails at its deadline when Prometheus hangs, while another cluster\'s chart answers at once', async () => {
    const hung = await clusterWith({ delayMs: 30_000 });
    const healthy = await clusterWith({ answer: matrixAnswer([{ metric: { modelName: 'L4' }, value: () => '7' }]) });
    const service = charts({ deadlineMs: 1_500 });

    const started = performance.now();
    const hanging = failureOf(service.chart(hung.name, { chartId: 'test.gpu.util', range: { preset: '1h' } }));
    const fast = await service.chart(healthy.name, { chartId: 'test.gpu.util', range: { preset: '1h' } });
    const fastMs = performance.now() - started;
    const error = await hanging;
    const hungMs = performance.now() - started;

    expect(fast.series[0]?.points[0]?.[1]).toBe(7);
    expect(fastMs).toBeLessThan(500);
    expect(error.reason).toBe('timeout');
    expect(error.message).toBe('Prometheus did not answer within 1.5 s');
    expect(hungMs).toBeGreaterThanOrEqual(700);
    expect(hungMs).toBeLessThan(2_500);
  });

  it('says the cluster is disconnected when no agent is', async () => {
    const { clusterId } = await insertCluster(h.store, { name: 'metrics-offline' });
    expect(h.gateway.isConnected(clusterId)).toBe(false);
    const error = await failureOf(charts().chart('metrics-offline', { chartId: 'test.gpu.util', range: { preset: '24h' } }));
    expect(error.reason).toBe('disconnected');
    expect(error.message).toMatch(/^The cluster is disconnected/);
  });

  it('shares one agent call between concurrent and later viewers until the answer is 15 s old', async () => {
    const { name, prometheus } = await clusterWith({ delayMs: 200, answer: matrixAnswer([{ metric: { modelName: 'H100' }, value: () => '50' }]) });
    let now = 1_800_000_000_000;
    const service = charts({ clock: () => now });
    const request = { chartId: 'test.gpu.util', range: { preset: '1h' as const } };

    const [first, second] = await Promise.all([service.chart(name, request), service.chart(name, request)]);
    expect(first).toBe(second);
    expect(prometheus.queries).toHaveLength(1);

    now += 14_000;
    await service.chart(name, request);
    expect(prometheus.queries).toHaveLength(1);

    // Past the time-to-live, and a new window anyway: asked again.
    now += 2_000;
    await service.chart(name, request);
    expect(prometheus.queries).toHaveLength(2);
    // Another breakdown is another chart.
    await service.chart(name, { ...request, breakdown: 'gpu' });
    expect(prometheus.queries).toHaveLength(3);
  });

  it('keeps no failure: Retry asks Prometheus again', async () => {
    let failing = true;
    const { name, prometheus } = await clusterWith({
      answer: (path, params) => (failing ? { status: 503, errorType: 'unavailable', error: 'TSDB not ready' } : matrixAnswer([{ metric: {}, value: () => '3' }])(path, params)),
    });
    const service = charts();
    const request = { chartId: 'test.nodes.ready', range: { preset: '1h' as const } };
    await failureOf(service.chart(name, request));
    failing = false;
    const result = await service.chart(name, request);
    expect(prometheus.queries).toHaveLength(2);
    // A series without its naming label is called by the chart's title.
    expect(result.series[0]?.name).toBe('Nodes Ready');
  });
});

describe('the query window', () => {
  const now = 1_800_000_123;
  it.each(['1h', '6h', '24h', '7d'] as const)('for %s never asks for more than 11,000 points', (preset) => {
    const window = queryWindow({ preset }, now, tightestStep);
    expect((window.end - window.start) / window.step).toBeLessThanOrEqual(11_000);
    expect(window.end % window.step).toBe(0);
    expect(window.end).toBeLessThanOrEqual(now);
  });

  it.each(['1h', '6h', '24h', '7d'] as const)('for %s with the catalog\'s step choice asks for a few hundred points, never over 11,000', (preset) => {
    const window = queryWindow({ preset }, now, stepFor);
    const points = (window.end - window.start) / window.step + 1;
    expect(points).toBeLessThanOrEqual(11_000);
    expect(points).toBeGreaterThan(100);
  });

  it('for a custom range keeps whole steps and ends no later than now', () => {
    const window = queryWindow({ start: now - 7 * 86_400 - 17, end: now + 3_600 }, now, tightestStep);
    expect((window.end - window.start) / window.step).toBeLessThanOrEqual(11_000);
    expect(window.end).toBeLessThanOrEqual(now);
    expect(window.start % window.step).toBe(0);
  });
});

describe('series past the cap', () => {
  it('are counted, not sent', () => {
    const window = { start: 0, end: 60, step: 60 };
    const result = {
      resultType: 'matrix' as const,
      result: Array.from({ length: MAX_CHART_SERIES + 5 }, (_, i) => ({ metric: { gpu: String(i) }, values: [[0, '1']] as [number, string][] })),
    };
    const chart = toClusterChart(SPECS[0] as MetricChartSpec, window, result, 'gpu');
    expect(chart.series).toHaveLength(MAX_CHART_SERIES);
    expect(chart.omittedSeries).toBe(5);
    // Numeric order: gpu 2 before gpu 10.
    expect(chart.series.slice(0, 3).map((s) => s.name)).toEqual(['0', '1', '2']);
  });
});
