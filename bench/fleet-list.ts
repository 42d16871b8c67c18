/**
 * Fleet-list benchmark: the `clusters.list` procedure over 1,000 clusters with 50 nodes
 * each (50,000 node rows, mixed GPU types), on a control plane with its own store (a
 * temp-file SQLite database).
 *
 *   npm run bench:fleet -- [--clusters 1000] [--nodes 50] [--iterations 300]
 *
 * Each scenario is measured twice: in-process (a tRPC caller whose principal is looked
 * up from a real session cookie per call, so the session lookup is included) and over
 * HTTP (the control plane's own tRPC handler on a loopback server, superjson on the
 * wire, the same cookie). Prints median and p95 per scenario; the target is p95 < 50 ms.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { InferInsertModel } from 'drizzle-orm';
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
import type { Store } from '@/server/store';
import { createCallerFactory } from '@/server/trpc';
import { listenOnLoopback } from '@/testing/loopback';

function flag(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at === -1 ? undefined : Number(process.argv[at + 1]);
  return value !== undefined && Number.isFinite(value) && value > 0 ? value : fallback;
}

const CLUSTERS = flag('clusters', 1_000);
const NODES_PER_CLUSTER = flag('nodes', 50);
const ITERATIONS = flag('iterations', 300);
const WARMUP = 30;
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
];

function percentile(sorted: number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? Number.NaN;
}

async function measure(run: () => Promise<{ rows: unknown[]; total: number }>) {
  for (let i = 0; i < WARMUP; i++) await run();
  const times: number[] = [];
  let last = { rows: 0, total: 0 };
  for (let i = 0; i < ITERATIONS; i++) {
    const start = process.hrtime.bigint();
    const page = await run();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
    last = { rows: page.rows.length, total: page.total };
  }
  times.sort((a, b) => a - b);
  return { median: percentile(times, 50), p95: percentile(times, 95), ...last };
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

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleetdeck-bench-fleet-'));
  const file = path.join(dir, 'fleet.db');
  const cp = await createControlPlane(loadConfig({ NODE_ENV: 'production', DATABASE_PATH: file, LOG_LEVEL: 'warn' }), {
    log: silentLogger,
    skipBootstrap: true,
  });
  try {
    const { store } = cp;
    const seedStart = Date.now();
    await seed(store);
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
    console.log(`Seeded ${CLUSTERS} clusters and ${nodeRows} node rows in ${Date.now() - seedStart} ms (${store.engine}, ${file})`);

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
      const body = (await response.json()) as { result?: { data: { json: { rows: unknown[]; total: number } } } };
      if (!response.ok || !body.result) throw new Error(`HTTP ${response.status}`);
      return body.result.data.json;
    };

    const results: { scenario: string; mode: string; median: string; p95: string; rows: number; total: number; target: string }[] = [];
    for (const scenario of SCENARIOS) {
      for (const [mode, run] of [
        ['in-process', inProcess(scenario.input)],
        ['HTTP', overHttp(scenario.input)],
      ] as const) {
        const r = await measure(run);
        results.push({
          scenario: scenario.name,
          mode,
          median: r.median.toFixed(2),
          p95: r.p95.toFixed(2),
          rows: r.rows,
          total: r.total,
          target: r.p95 < 50 ? 'ok (< 50 ms)' : 'MISSED',
        });
      }
    }
    await server.close();

    console.log(`\nclusters.list latency, ms (${ITERATIONS} iterations after ${WARMUP} warm-up, Node ${process.version}, ${os.cpus().length} CPUs)`);
    console.table(results);
    if (results.some((r) => r.target !== 'ok (< 50 ms)')) process.exitCode = 1;
  } finally {
    await cp.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
