/**
 * Fleet-list benchmark: the `clusters.list` procedure over 1,000 clusters with 50 nodes
 * each (50,000 node rows, mixed GPU types), on a control plane with its own store, on
 * either engine or both.
 *
 *   npm run bench:fleet -- [--engine sqlite|postgres|both] [--clusters 1000] [--nodes 50] [--iterations 300]
 *
 * `--engine both` (the default) seeds and measures each engine in a fresh process and
 * database (bench/engines.ts: where PostgreSQL comes from), then prints the two side by
 * side with their ratio and checks that both returned the same pages. PostgreSQL is
 * ANALYZEd after seeding, as its autovacuum would have done in a real deployment.
 *
 * Each scenario is measured twice: in-process (a tRPC caller whose principal is looked
 * up from a real session cookie per call, so the session lookup is included) and over
 * HTTP (the control plane's own tRPC handler on a loopback server, superjson on the
 * wire, the same cookie). Prints median and p95 per scenario; the target is p95 < 50 ms
 * on each engine.
 */
import http from 'node:http';
import os from 'node:os';
import { sql, type InferInsertModel } from 'drizzle-orm';
import superjson from 'superjson';
import type { Tables } from '@/db/schema';
import type { ListClustersInput } from '@/lib/schemas/cluster';
import { PROVIDER_IDS, PROVIDERS, type ProviderId } from '@/lib/providers';
import { createSession, findSessionPrincipal, SESSION_COOKIE } from '@/server/auth/session';
import { loadConfig } from '@/server/config';
import { createControlPlane, type ControlPlane } from '@/server/control-plane';
import { handleTrpcRequest } from '@/server/http/trpc-handler';
import { silentLogger } from '@/server/logger';
import { appRouter } from '@/server/root';
import type { FleetRow } from '@/server/services/clusters/fleet-list';
import type { Engine, Store } from '@/server/store';
import { createCallerFactory } from '@/server/trpc';
import { listenOnLoopback } from '@/testing/loopback';
import { benchDatabaseEnv, flag, isEngineRun, printTable, ratio, reportResult, runOnEngines } from './engines';

const CLUSTERS = flag('clusters', 1_000);
const NODES_PER_CLUSTER = flag('nodes', 50);
const ITERATIONS = flag('iterations', 300);
const WARMUP = 30;
const TARGET_P95_MS = 50;
const GPU_TYPES = ['H100', 'H200', 'A100', 'L40S', 'B200'] as const;
const ENVIRONMENTS = [
  { name: 'dev', color: '#22c55e', isProduction: false },
  { name: 'staging', color: '#f59e0b', isProduction: false },
  { name: 'prod', color: '#ef4444', isProduction: true },
  { name: 'team-vision', color: '#6366f1', isProduction: false },
  { name: 'team-llm', color: '#0ea5e9', isProduction: false },
  { name: 'frontend', color: '#a855f7', isProduction: false },
] as const;

// ── Seed ─────────────────────────────────────────────────────────────────────

type NodeInsert = InferInsertModel<Tables['clusterNodes']>;

async function seed(store: Store): Promise<void> {
  const { clusters, clusterEnvironments, clusterNodes, environments } = store.tables;
  await store.transaction(async (tx) => {
    const envIds = (await tx.insert(environments).values([...ENVIRONMENTS]).returning({ id: environments.id })).map((env) => env.id);
    for (let i = 0; i < CLUSTERS; i++) {
      const provider: ProviderId = PROVIDER_IDS[i % PROVIDER_IDS.length] ?? 'generic';
      const regions = PROVIDERS[provider].regions;
      const region = regions.length ? (regions[i % regions.length] ?? 'lab-1') : `lab-${i % 4}`;
      // 6 % awaiting an agent (nothing reported), 6 % disconnected, 8 % degraded, the rest connected.
      const bucket = i % 50;
      const status = bucket < 3 ? 'awaiting_agent' : bucket < 6 ? 'disconnected' : bucket < 10 ? 'degraded' : 'connected';
      const reported = status !== 'awaiting_agent';
      const gpuType = GPU_TYPES[i % GPU_TYPES.length] ?? 'H100';
      const gpuNodes = Math.floor(NODES_PER_CLUSTER * 0.8);
      const now = new Date();
      const [cluster] = await tx
        .insert(clusters)
        .values({
          name: `${provider.split('-')[0]}-${region.toLowerCase()}-${String(i).padStart(4, '0')}`,
          provider,
          region,
          prometheusUrl: 'http://prometheus-operated.prometheus.svc.cluster.local:9090',
          nodePoolLabel: 'fleetdeck.io/node-pool',
          gpuTypeLabel: 'fleetdeck.io/gpu-type',
          status,
          statusReasons: status === 'degraded' ? ['2 GPU nodes lack fleetdeck.io/gpu-type'] : [],
          connectedAt: reported ? now : null,
          lastSeenAt: reported ? new Date(now.getTime() - (i % 120) * 1000) : null,
          disconnectedAt: status === 'disconnected' ? now : null,
          agentVersion: reported ? '0.1.0' : null,
          kubernetesVersion: reported ? `v1.${28 + (i % 4)}.${i % 7}` : null,
          nodeCount: reported ? NODES_PER_CLUSTER : null,
          readyNodeCount: reported ? NODES_PER_CLUSTER - (i % 3) : null,
          gpuCount: reported ? gpuNodes * 8 : null,
          gpusByType: reported ? { [gpuType]: gpuNodes * 8 } : null,
        })
        .returning({ id: clusters.id });
      if (!cluster) throw new Error('seed: no cluster row returned');
      const envCount = 1 + (i % 3);
      await tx
        .insert(clusterEnvironments)
        .values(Array.from({ length: envCount }, (_, k) => ({ clusterId: cluster.id, environmentId: envIds[(i + k) % envIds.length] ?? 1 })));
      const nodes = Array.from({ length: NODES_PER_CLUSTER }, (_, n): NodeInsert => {
        const gpu = n < gpuNodes;
        return {
          clusterId: cluster.id,
          name: `${gpu ? 'gpu' : 'cpu'}-${n}`,
          nodePool: gpu ? `${gpuType.toLowerCase()}-pool` : 'system',
          gpuType: gpu ? gpuType : null,
          gpuCount: gpu ? 8 : 0,
          ready: n % 17 !== 0,
          capacity: gpu ? { cpu: '96', memory: '1056Gi', 'nvidia.com/gpu': '8' } : { cpu: '16', memory: '64Gi' },
        };
      });
      for (let from = 0; from < nodes.length; from += 500) await tx.insert(clusterNodes).values(nodes.slice(from, from + 500));
    }
  });
}

// ── Measurement ──────────────────────────────────────────────────────────────

interface Scenario {
  name: string;
  input: ListClustersInput;
}

const SCENARIOS: Scenario[] = [
  { name: 'first page (25, by name)', input: {} },
  {
    name: 'filtered page (env+provider+status, by GPUs desc, page 2)',
    input: { environments: ['prod'], providers: ['aws-eks', 'coreweave-cks'], statuses: ['connected'], sort: 'gpuCount', direction: 'desc', page: 2 },
  },
  { name: 'search "east" (by name)', input: { search: 'east' } },
  { name: 'sorted by environments, 100 rows, page 5', input: { sort: 'environments', pageSize: 100, page: 5 } },
  { name: 'sorted by Kubernetes version desc, page 3', input: { sort: 'kubernetesVersion', direction: 'desc', page: 3 } },
  { name: 'search "h100" (GPU type or name)', input: { search: 'h100' } },
  {
    name: 'needs attention, prod+staging, by status',
    input: { needsAttention: true, environments: ['prod', 'staging'], sort: 'status' },
  },
];

function percentile(sorted: number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? Number.NaN;
}

type ShownRow = Pick<FleetRow, 'name' | 'status' | 'kubernetesVersion' | 'nodeCount' | 'gpuCount'> & { environments: { name: string }[] };

/** What a page shows, without the ids and times that differ between two seedings: one line per row. */
interface PageContent {
  total: number;
  rows: string[];
}

function contentOf(page: { total: number; rows: readonly ShownRow[] }): PageContent {
  return {
    total: page.total,
    rows: page.rows.map((row) =>
      [row.name, row.status, row.kubernetesVersion ?? '—', row.nodeCount ?? '—', row.gpuCount ?? '—', row.environments.map((env) => env.name).join('+')].join(' '),
    ),
  };
}

interface Measured {
  scenario: string;
  mode: 'in-process' | 'HTTP';
  medianMs: number;
  p95Ms: number;
  content: PageContent;
}

async function measure(run: () => Promise<{ total: number; rows: readonly ShownRow[] }>): Promise<Pick<Measured, 'medianMs' | 'p95Ms' | 'content'>> {
  for (let i = 0; i < WARMUP; i++) await run();
  const times: number[] = [];
  let content: PageContent = { total: 0, rows: [] };
  for (let i = 0; i < ITERATIONS; i++) {
    const start = process.hrtime.bigint();
    const page = await run();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
    content = contentOf(page);
  }
  times.sort((a, b) => a - b);
  return { medianMs: percentile(times, 50), p95Ms: percentile(times, 95), content };
}

/** A loopback HTTP server answering tRPC with the handler the control plane's own server uses. */
async function startHttp(cp: ControlPlane): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    void handleTrpcRequest(cp, req, res);
  });
  // The in-process runs leave fetch's keep-alive connection idle for seconds: a server
  // closing it just as fetch reuses it would fail the run with ECONNRESET.
  server.keepAliveTimeout = 10 * 60_000;
  const url = await listenOnLoopback(server);
  return {
    url,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}


// ── One engine (child process of main) ───────────────────────────────────────

interface EngineResult {
  engine: Engine;
  measured: Measured[];
}

const ms = (value: number) => value.toFixed(2);
const verdict = (p95Ms: number) => (p95Ms < TARGET_P95_MS ? `ok (< ${TARGET_P95_MS} ms)` : 'MISSED');

async function runEngine(): Promise<void> {
  const config = loadConfig({ NODE_ENV: 'production', ...benchDatabaseEnv(), LOG_LEVEL: 'warn' });
  const cp = await createControlPlane(config, { log: silentLogger, skipBootstrap: true });
  try {
    const { store } = cp;
    const seedStart = Date.now();
    await seed(store);
    // A real deployment's autovacuum would have gathered statistics by now; without them
    // the planner guesses row counts for freshly filled tables.
    if (store.engine === 'postgres') await store.execute(store.db, sql`analyze`);
    const { users, clusterNodes } = store.tables;
    const token = await store.transaction(async (tx) => {
      const [admin] = await tx
        .insert(users)
        .values({ email: 'bench@example.com', name: 'Bench', role: 'admin', passwordHash: 'scrypt$1$1$1$x$x' })
        .returning();
      if (!admin) throw new Error('seed: no user row returned');
      return (await createSession(tx, admin.id, { ip: '127.0.0.1', userAgent: 'bench' })).token;
    });
    const cookie = `${SESSION_COOKIE}=${token}`;
    const nodeRows = await store.db.$count(clusterNodes);
    console.log(`fleet bench [${store.engine}]: seeded ${CLUSTERS} clusters and ${nodeRows} node rows in ${Date.now() - seedStart} ms`);

    const createCaller = createCallerFactory(appRouter);
    const inProcess = (input: ListClustersInput) => async () => {
      const principal = await findSessionPrincipal(store, token);
      if (!principal) throw new Error('the bench session was not found');
      const request = { ip: '127.0.0.1', userAgent: 'bench', secure: false, origin: 'http://bench' };
      return createCaller({ cp, principal, request, resHeaders: new Headers() }).clusters.list(input);
    };

    const server = await startHttp(cp);
    const overHttp = (input: ListClustersInput) => async () => {
      const query = encodeURIComponent(JSON.stringify(superjson.serialize(input)));
      const response = await fetch(`${server.url}/api/trpc/clusters.list?input=${query}`, { headers: { cookie } });
      const body = (await response.json()) as { result?: { data: { json: { rows: ShownRow[]; total: number } } } };
      if (!response.ok || !body.result) throw new Error(`HTTP ${response.status}`);
      return body.result.data.json;
    };

    const measured: Measured[] = [];
    try {
      for (const scenario of SCENARIOS) {
        measured.push({ scenario: scenario.name, mode: 'in-process', ...(await measure(inProcess(scenario.input))) });
        measured.push({ scenario: scenario.name, mode: 'HTTP', ...(await measure(overHttp(scenario.input))) });
      }
    } finally {
      await server.close();
    }

    console.log();
    console.log(`clusters.list latency [${store.engine}] (${ITERATIONS} iterations after ${WARMUP} warm-up, Node ${process.version}, ${os.cpus().length} CPUs)`);
    console.log();
    printTable(
      measured.map((m) => [m.scenario, m.mode, ms(m.medianMs), ms(m.p95Ms), String(m.content.rows.length), String(m.content.total), verdict(m.p95Ms)]),
      ['scenario', 'mode', 'median ms', 'p95 ms', 'rows', 'total', 'target'],
    );
    console.log();
    await reportResult({ engine: store.engine, measured } satisfies EngineResult);
  } finally {
    await cp.close();
  }
}

// ── Main: one process per engine, then the comparison ───────────────────────

/** Where two measurements of one scenario showed different pages, in words; null when they agree. */
function difference(a: PageContent, b: PageContent): string | null {
  if (a.total !== b.total) return `total ${a.total} vs ${b.total}`;
  const length = Math.max(a.rows.length, b.rows.length);
  for (let i = 0; i < length; i++) {
    if (a.rows[i] !== b.rows[i]) return `row ${i + 1}: ${a.rows[i] ?? '(none)'} vs ${b.rows[i] ?? '(none)'}`;
  }
  return null;
}

/** Every measurement's page against the first engine's in-process one, per scenario. */
function sameResults(results: EngineResult[]): boolean {
  let same = true;
  for (const scenario of SCENARIOS) {
    const all = results.flatMap((result) => result.measured.filter((m) => m.scenario === scenario.name).map((m) => ({ ...m, engine: result.engine })));
    const [reference, ...others] = all;
    if (!reference) continue;
    for (const other of others) {
      const differs = difference(reference.content, other.content);
      if (differs === null) continue;
      same = false;
      console.log(`DIFFERENT PAGES, ${scenario.name}: ${reference.engine} ${reference.mode} vs ${other.engine} ${other.mode}: ${differs}`);
    }
  }
  return same;
}

function compare(sqlite: EngineResult, postgres: EngineResult): void {
  const rows = sqlite.measured.map((s) => {
    const p = postgres.measured.find((m) => m.scenario === s.scenario && m.mode === s.mode);
    const missedOn = [s.p95Ms >= TARGET_P95_MS ? 'sqlite' : null, !p || p.p95Ms >= TARGET_P95_MS ? 'postgres' : null].filter(Boolean);
    return [
      s.scenario,
      s.mode,
      ms(s.p95Ms),
      p ? ms(p.p95Ms) : '—',
      ratio(s.p95Ms, p?.p95Ms ?? null),
      `${ms(s.medianMs)} / ${p ? ms(p.medianMs) : '—'}`,
      missedOn.length ? `MISSED on ${missedOn.join(' and ')}` : `ok on both (< ${TARGET_P95_MS} ms)`,
    ];
  });
  console.log(`clusters.list, both engines (${CLUSTERS} clusters × ${NODES_PER_CLUSTER} nodes)`);
  console.log();
  printTable(rows, ['scenario', 'mode', 'sqlite p95 ms', 'postgres p95 ms', 'postgres / sqlite', 'median ms (sqlite / postgres)', 'target']);
  console.log();
}

async function main(): Promise<void> {
  const results = await runOnEngines<EngineResult>(import.meta.url, 'fleet');
  const sqlite = results.get('sqlite');
  const postgres = results.get('postgres');
  if (sqlite && postgres) compare(sqlite, postgres);
  const same = sameResults([...results.values()]);
  const engines = [...results.keys()].join(' and ');
  console.log(same ? `Same pages from every scenario, in-process and over HTTP, on ${engines}.` : 'The pages differ (above).');
  const missed = [...results.values()].some((result) => result.measured.some((m) => m.p95Ms >= TARGET_P95_MS));
  if (missed || !same) process.exitCode = 1;
}

if (isEngineRun()) {
  runEngine().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
} else {
  await main();
}
