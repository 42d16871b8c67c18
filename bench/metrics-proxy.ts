/**
 * Pulled metrics benchmark: what the agent path costs, and whether a hung Prometheus
 * slows anyone else.
 *
 *   npm run bench:metrics -- [--samples 300] [--clusters 5] [--rounds 40]
 *
 * (a) The same `query_range` sent straight to Debian's real Prometheus (/usr/bin/prometheus
 *     on loopback, scraping itself every second) and through the control plane's gateway
 *     and a REAL agent (agent/agent.ts) to that Prometheus, interleaved in one run:
 *     median and p95 of each and their ratio (target ≤ 1.2× at the median). Falls back to
 *     testing/fake-prometheus.ts when /usr/bin/prometheus is missing, and says so.
 * (c) `--clusters` clusters with healthy (fake) Prometheus, and one whose Prometheus hangs:
 *     the healthy clusters' chart latency (the charts service, cache off) without and
 *     with the hung cluster's charts in flight, and the ratio (target ≈ 1×).
 *
 * Control plane, agents and Prometheus share one process and machine with everything
 * else, so absolute figures are pessimistic; the ratios are what matter.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startAgent } from '@/agent/agent';
import type { PrometheusMatrix } from '@/lib/agent-protocol';
import { silentLogger } from '@/server/logger';
import type { MetricCatalog, MetricChartSpec } from '@/server/metrics/types';
import { ChartUnavailableError, createMetricCharts } from '@/server/services/metrics/charts';
import { FakeKubeApi } from '@/testing/fake-kube-api';
import { FakePrometheus, type FakePrometheusOptions } from '@/testing/fake-prometheus';
import { insertCluster, startGateway, type GatewayHarness } from '@/testing/gateway-fixtures';
import { listenOnLoopback } from '@/testing/loopback';
import { flag } from './engines';

const PROMETHEUS_BIN = '/usr/bin/prometheus';
/** Seconds of history the real Prometheus gathers before (a) is measured over them, at 1 s steps. */
const HISTORY_SECONDS = 20;

const percentile = (sorted: readonly number[], p: number) =>
  sorted.length === 0 ? 0 : (sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0);
const ms = (value: number) => `${value.toFixed(2)} ms`;

function summary(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  return { median: percentile(sorted, 50), p95: percentile(sorted, 95) };
}

async function waitUntil(check: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await Promise.resolve().then(check).catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

interface PrometheusUnderTest {
  url: string;
  kind: string;
  stop(): Promise<void>;
}

/** Debian's Prometheus scraping itself every second, until its own series are queryable. */
async function startRealPrometheus(): Promise<PrometheusUnderTest> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleetdeck-bench-prom-'));
  const port = await freePort();
  fs.writeFileSync(
    path.join(dir, 'prometheus.yml'),
    `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: self\n    static_configs:\n      - targets: ['127.0.0.1:${port}']\n`,
  );
  const child: ChildProcess = spawn(
    PROMETHEUS_BIN,
    [`--config.file=${path.join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`],
    { stdio: 'ignore' },
  );
  const url = `http://127.0.0.1:${port}`;
  await waitUntil(async () => (await fetch(`${url}/-/ready`)).ok, 30_000, 'Prometheus ready');
  // Twenty seconds of its own series, so the query below answers a chart-sized matrix.
  await waitUntil(
    async () => {
      const res = await fetch(`${url}/api/v1/query?query=count_over_time(up[1m])`);
      const body = (await res.json()) as { data?: { result?: Array<{ value: [number, string] }> } };
      return Number(body.data?.result?.[0]?.value[1] ?? 0) >= HISTORY_SECONDS;
    },
    60_000,
    `${HISTORY_SECONDS} s of samples`,
  );
  return {
    url,
    kind: `Debian's real Prometheus (${PROMETHEUS_BIN})`,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Twenty series of a minute at 1 s steps: a chart-sized answer. */
function fakeMatrix(_path: string, params: URLSearchParams): { data: PrometheusMatrix } {
  const start = Number(params.get('start'));
  const end = Number(params.get('end'));
  const step = Number(params.get('step'));
  const result = Array.from({ length: 20 }, (_, i) => {
    const values: [number, string][] = [];
    for (let t = start; t <= end; t += step) values.push([t, String((i * 7 + t) % 100)]);
    return { metric: { __name__: 'DCGM_FI_DEV_GPU_UTIL', gpu: String(i), modelName: 'NVIDIA H100 80GB HBM3' }, values };
  });
  return { data: { resultType: 'matrix', result } };
}

const SPEC: MetricChartSpec = { id: 'bench.gpu.util', title: 'GPU utilisation', description: 'Per GPU.', group: 'gpu', unit: 'percent', kind: 'line', seriesLabel: 'gpu' };
const benchCatalog: MetricCatalog = { charts: [SPEC], find: (id) => (id === SPEC.id ? SPEC : undefined), promql: () => 'avg by (gpu) (DCGM_FI_DEV_GPU_UTIL)' };

interface Fixture {
  h: GatewayHarness;
  kube: FakeKubeApi;
  registry: net.Server;
  stops: Array<() => Promise<void> | void>;
}

async function connectCluster(f: Fixture, name: string, prometheusUrl: string): Promise<number> {
  const { clusterId, token } = await insertCluster(f.h.store, { name, prometheusUrl });
  const agent = startAgent({
    controlPlaneUrl: f.h.baseUrl,
    token,
    kubeconfigPath: f.kube.kubeconfigFile(),
    registryHosts: [`127.0.0.1:${(f.registry.address() as AddressInfo).port}`],
    logWrite: () => undefined,
  });
  f.stops.push(() => agent.stop());
  await waitUntil(() => f.h.gateway.isConnected(clusterId), 15_000, `agent of ${name} connected`);
  return clusterId;
}

async function fakePrometheus(f: Fixture, options: FakePrometheusOptions): Promise<FakePrometheus> {
  const prometheus = await new FakePrometheus(options).start();
  f.stops.push(() => prometheus.stop());
  return prometheus;
}

async function proxyOverhead(f: Fixture, samples: number) {
  const prometheus = fs.existsSync(PROMETHEUS_BIN)
    ? await startRealPrometheus()
    : await (async () => {
        const fake = await fakePrometheus(f, { answer: fakeMatrix });
        return { url: fake.url, kind: 'testing/fake-prometheus.ts (no /usr/bin/prometheus here)', stop: async () => undefined };
      })();
  f.stops.push(() => prometheus.stop());
  const clusterId = await connectCluster(f, 'bench-proxy', prometheus.url);
  const client = f.h.gateway.agentClient(clusterId);
  // Prometheus' own Go and process series: a few dozen, each a point a second.
  const query = '{__name__=~"go_.*|process_.*"}';
  const end = Math.floor(Date.now() / 1000);
  const params = { query, start: end - HISTORY_SECONDS, end, step: 1 };

  const direct = async () => {
    const url = new URL('/api/v1/query_range', prometheus.url);
    for (const [key, value] of Object.entries(params)) url.searchParams.set(key, String(value));
    const res = await fetch(url, { headers: { Accept: 'application/json' } });
    const body = (await res.json()) as { status: string; data: PrometheusMatrix };
    if (body.status !== 'success') throw new Error('direct query failed');
    return body.data;
  };
  const proxied = () => client.call('prometheus.queryRange', params, { deadlineMs: 8_000 });

  const first = await direct();
  const viaAgent = await proxied();
  if (JSON.stringify(first) !== JSON.stringify(viaAgent)) throw new Error('the agent answered something else than Prometheus');
  const points = first.result.reduce((total, series) => total + series.values.length, 0);
  for (let i = 0; i < 30; i++) await Promise.all([direct(), proxied()].map((p) => p.catch(() => undefined)));

  const directMs: number[] = [];
  const proxiedMs: number[] = [];
  for (let i = 0; i < samples; i++) {
    // Interleaved, alternating which goes first: both see the same machine at the same time.
    const pairs: Array<[() => Promise<unknown>, number[]]> =
      i % 2 === 0 ? [[direct, directMs], [proxied, proxiedMs]] : [[proxied, proxiedMs], [direct, directMs]];
    for (const [run, into] of pairs) {
      const started = performance.now();
      await run();
      into.push(performance.now() - started);
    }
  }
  return { kind: prometheus.kind, series: first.result.length, points, direct: summary(directMs), proxied: summary(proxiedMs) };
}

async function hungNeighbour(f: Fixture, clusterCount: number, rounds: number) {
  const healthy: string[] = [];
  for (let i = 0; i < clusterCount; i++) {
    const prometheus = await fakePrometheus(f, { answer: fakeMatrix });
    const name = `bench-healthy-${i}`;
    await connectCluster(f, name, prometheus.url);
    healthy.push(name);
  }
  const hung = await fakePrometheus(f, { delayMs: 120_000, answer: fakeMatrix });
  await connectCluster(f, 'bench-hung', hung.url);
  // Cache off: every request is an agent call, as a cold chart is.
  const charts = createMetricCharts({ store: f.h.store, gateway: f.h.gateway, catalog: benchCatalog, stepFor: () => 15, log: silentLogger, cacheTtlMs: 0 });

  const measure = async () => {
    const latencies: number[] = [];
    for (let round = 0; round < rounds; round++) {
      await Promise.all(
        healthy.map(async (name) => {
          const started = performance.now();
          await charts.chart(name, { chartId: SPEC.id, range: { preset: '1h' } });
          latencies.push(performance.now() - started);
        }),
      );
    }
    return summary(latencies);
  };

  await measure(); // warm-up
  const alone = await measure();
  // The hung cluster's tab open in 4 windows: four charts in flight at all times, each timing out at 8 s.
  let hungCalls = 0;
  let timeouts = 0;
  let stopped = false;
  const keepAsking = async () => {
    while (!stopped) {
      hungCalls++;
      await charts.chart('bench-hung', { chartId: SPEC.id, range: { start: Math.floor(Date.now() / 1000) - 3_600 - hungCalls, end: Math.floor(Date.now() / 1000) } }).catch((error: unknown) => {
        if (error instanceof ChartUnavailableError && error.reason === 'timeout') timeouts++;
      });
    }
  };
  const askers = Array.from({ length: 4 }, keepAsking);
  await new Promise((resolve) => setTimeout(resolve, 200));
  const withHung = await measure();
  stopped = true;
  // The hung charts end at their deadline: wait for them, so they are counted and shutdown is clean.
  await Promise.all(askers);
  return { alone, withHung, hungCalls, timeouts };
}

async function main(): Promise<void> {
  const samples = flag('samples', 300);
  const clusterCount = flag('clusters', 5);
  const rounds = flag('rounds', 40);
  const f: Fixture = { h: await startGateway(), kube: await new FakeKubeApi().start(), registry: net.createServer((socket) => socket.end()), stops: [] };
  await listenOnLoopback(f.registry);
  try {
    const a = await proxyOverhead(f, samples);
    console.log(`(a) query_range straight to Prometheus vs through the gateway and a real agent — ${a.kind}`);
    console.log(`    ${a.series} series, ${a.points} points per answer, ${samples} samples each, interleaved`);
    console.log(`    direct:      median ${ms(a.direct.median)}  p95 ${ms(a.direct.p95)}`);
    console.log(`    via agent:   median ${ms(a.proxied.median)}  p95 ${ms(a.proxied.p95)}`);
    const medianRatio = a.proxied.median / a.direct.median;
    console.log(`    ratio:       median ${medianRatio.toFixed(2)}×  p95 ${(a.proxied.p95 / a.direct.p95).toFixed(2)}×  (target ≤ 1.2× at the median: ${medianRatio <= 1.2 ? 'met' : 'NOT met'})`);

    const c = await hungNeighbour(f, clusterCount, rounds);
    console.log(`(c) ${clusterCount} healthy clusters' charts (${rounds} rounds, cache off), without and with a cluster whose Prometheus hangs`);
    console.log(`    alone:       median ${ms(c.alone.median)}  p95 ${ms(c.alone.p95)}`);
    console.log(`    with hung:   median ${ms(c.withHung.median)}  p95 ${ms(c.withHung.p95)}  (4 hung charts in flight throughout)`);
    console.log(`    ratio:       median ${(c.withHung.median / c.alone.median).toFixed(2)}×  p95 ${(c.withHung.p95 / c.alone.p95).toFixed(2)}×`);
    console.log(`    the hung cluster's charts: ${c.timeouts} of ${c.hungCalls} ended "Prometheus did not answer within 8 s"`);
  } finally {
    for (const stop of f.stops.splice(0).reverse()) await stop();
    await f.h.close();
    await f.kube.stop();
    await new Promise<void>((resolve) => f.registry.close(() => resolve()));
  }
}

await main();
