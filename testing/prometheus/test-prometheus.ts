/**
 * A real Prometheus (Debian's `/usr/bin/prometheus`) on loopback for integration tests:
 *
 * 1. a fixture server serves each target's metrics in the exporters' text format;
 * 2. the history is backfilled with `promtool tsdb create-blocks-from openmetrics` into a
 *    fresh data directory before the server starts. promtool writes one block per 2 h it
 *    covers (~40 ms each here), so long history is sparse; the minutes just before start
 *    are dense, so `rate(…[5m])` and `…_over_time(…[1h])` have full windows at once (the
 *    server has no head block yet, and Prometheus ≥ 2.39 merges overlapping blocks);
 * 3. Prometheus starts with its own config (`scrape_interval: 1s`) on a free loopback port;
 * 4. `startTestPrometheus` resolves once every target has been scraped twice (so `rate`
 *    has two samples) and every recording rule has a sample, found by polling the API,
 *    never by sleeping.
 *
 * One per test file (beforeAll): it costs a few seconds.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { listenOnLoopback } from '@/testing/loopback';
import { waitFor } from '@/testing/wait-for';
import { exposition, openMetricsHistory, type PrometheusFixtures } from './exposition';

const run = promisify(execFile);

export const PROMETHEUS_BIN = '/usr/bin/prometheus';
export const PROMTOOL_BIN = '/usr/bin/promtool';

export interface TestPrometheus {
  /** `http://127.0.0.1:PORT`, the base URL the agent's query functions take. */
  url: string;
  /** Stops Prometheus and the fixture server, and deletes the data directory. */
  close(): Promise<void>;
}

function requireBinaries(): void {
  for (const bin of [PROMETHEUS_BIN, PROMTOOL_BIN]) {
    if (!fs.existsSync(bin)) {
      throw new Error(`${bin} is missing: the metric integration tests need Debian's Prometheus (apt-get install -y --no-install-recommends prometheus)`);
    }
  }
}

async function freeLoopbackPort(): Promise<number> {
  const server = net.createServer();
  const url = await listenOnLoopback(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return Number(new URL(url).port);
}

/** Serves every fixture target on its path, values computed at request time. */
async function startFixtureServer(fixtures: PrometheusFixtures): Promise<{ url: string; server: http.Server }> {
  const server = http.createServer((req, res) => {
    const target = fixtures.targets.find((candidate) => candidate.path === new URL(req.url ?? '/', 'http://fixture').pathname);
    if (!target) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' });
    res.end(exposition(target.samples(Date.now() / 1000), fixtures.families));
  });
  return { url: await listenOnLoopback(server), server };
}

/** The scrape config: one job per fixture job, each target on its own path with its own labels. */
function prometheusConfig(fixtures: PrometheusFixtures, fixtureHost: string, rulesFile: string | undefined): string {
  const jobs = new Map<string, PrometheusFixtures['targets']>();
  for (const target of fixtures.targets) jobs.set(target.job, [...(jobs.get(target.job) ?? []), target]);
  const scrapeConfigs = [...jobs].map(([job, targets]) => ({
    job_name: job,
    honor_labels: targets[0]?.honorLabels ?? false,
    static_configs: targets.map((target) => ({ targets: [fixtureHost], labels: { ...target.targetLabels, __metrics_path__: target.path } })),
  }));
  // JSON is YAML.
  const global = { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' };
  return JSON.stringify({ global, scrape_configs: scrapeConfigs, ...(rulesFile ? { rule_files: [rulesFile] } : {}) }, null, 2);
}

function rulesConfig(rules: Readonly<Record<string, string>>): string {
  return JSON.stringify({ groups: [{ name: 'fixtures', rules: Object.entries(rules).map(([record, expr]) => ({ record, expr })) }] }, null, 2);
}

async function backfill(fixtures: PrometheusFixtures, dir: string, dataDir: string, nowSeconds: number): Promise<void> {
  const times = new Set<number>();
  for (const { fromSecondsAgo, toSecondsAgo, intervalSeconds } of fixtures.history ?? []) {
    // Whole multiples of the interval, so range queries on the same grid find a sample at every step.
    const first = Math.ceil((nowSeconds - fromSecondsAgo) / intervalSeconds) * intervalSeconds;
    for (let t = first; t <= nowSeconds - toSecondsAgo; t += intervalSeconds) times.add(t);
  }
  if (times.size === 0) return;
  const file = path.join(dir, 'history.om');
  await fs.promises.writeFile(file, openMetricsHistory(fixtures, [...times].sort((a, b) => a - b)));
  await run(PROMTOOL_BIN, ['tsdb', 'create-blocks-from', 'openmetrics', '--quiet', file, dataDir]);
}

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

async function ask(url: string, promql: string): Promise<Array<{ value: [number, string] }>> {
  const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`);
  const body = (await res.json()) as { status: string; data?: { result: Array<{ value: [number, string] }> } };
  return body.status === 'success' ? (body.data?.result ?? []) : [];
}

export async function startTestPrometheus(fixtures: PrometheusFixtures): Promise<TestPrometheus> {
  requireBinaries();
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'fleetdeck-prometheus-'));
  const dataDir = path.join(dir, 'data');
  let child: ChildProcess | undefined;
  let fixtureServer: http.Server | undefined;
  let stderr = '';

  const close = async () => {
    const running = child;
    child = undefined;
    if (running && running.exitCode === null && running.signalCode === null) {
      const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
      running.kill('SIGKILL');
      await exited;
    }
    if (fixtureServer) {
      const server = fixtureServer;
      fixtureServer = undefined;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    }
    await fs.promises.rm(dir, { recursive: true, force: true });
  };

  try {
    await backfill(fixtures, dir, dataDir, Math.floor(Date.now() / 1000));
    const fixture = await startFixtureServer(fixtures);
    fixtureServer = fixture.server;
    const configFile = path.join(dir, 'prometheus.yml');
    const rules = Object.keys(fixtures.recordingRules ?? {});
    const rulesFile = rules.length > 0 ? path.join(dir, 'rules.yml') : undefined;
    if (rulesFile) await fs.promises.writeFile(rulesFile, rulesConfig(fixtures.recordingRules ?? {}));
    await fs.promises.writeFile(configFile, prometheusConfig(fixtures, new URL(fixture.url).host, rulesFile));
    const port = await freeLoopbackPort();
    const url = `http://127.0.0.1:${port}`;
    const started = spawn(
      PROMETHEUS_BIN,
      [
        `--config.file=${configFile}`,
        `--storage.tsdb.path=${dataDir}`,
        '--storage.tsdb.retention.time=30d',
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    child = started;
    started.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4_000);
    });
    const exited = () => started.exitCode !== null || started.signalCode !== null;
    const targets = fixtures.targets.length;
    await waitFor(
      async () => {
        if (exited()) throw new Error(`Prometheus exited: ${stderr}`);
        const scraped = await ask(url, 'count(count_over_time(up[1m]) >= 2)');
        if (Number(scraped[0]?.value[1] ?? 0) < targets) return false;
        if (rules.length === 0) return true;
        const recorded = await ask(url, `count(count by (__name__) ({__name__=~${JSON.stringify(rules.map(escapeRegex).join('|'))}}))`);
        return Number(recorded[0]?.value[1] ?? 0) >= rules.length;
      },
      20_000,
      `Prometheus on ${url} did not scrape all ${targets} fixture targets twice${rules.length > 0 ? ' and record every rule' : ''}`,
    );
    return { url, close };
  } catch (err) {
    await close();
    throw err;
  }
}
