/**
 * Workspace reconciliation benchmark: workspaces created across connected clusters, each
 * with a REAL agent (agent/agent.ts) on a fake Kubernetes API server of its own, through
 * the real gateway and the reconciler of a real control plane, on either engine or both.
 *
 *   npm run bench:workspaces -- [--engine sqlite|postgres|both] [--clusters 50] [--workspaces 1000]
 *
 * Workspaces are created the way the workspace service does it: the desired state is
 * committed (one transaction per workspace), then `workspace.changed` is published.
 * Reports: how long creating them took, the time from the first creation until every
 * one is Synced in the store, and the latency from each workspace's creation to its
 * namespace existing in its cluster's API server (p50 / p95 / max).
 *
 * Agents, fake API servers and the control plane share one process (and, on this
 * machine, two cores with everything else), so the figures are pessimistic.
 */
import http from 'node:http';
import { eq, count } from 'drizzle-orm';
import type { KubernetesObject } from '@kubernetes/client-node';
import { startAgent, type AgentHandle } from '@/agent/agent';
import { isAgentConnectRequest } from '@/server/agent-gateway';
import { loadConfig } from '@/server/config';
import { createControlPlane } from '@/server/control-plane';
import { createLogger } from '@/server/logger';
import type { Engine } from '@/server/store';
import { FakeKubeApi, type FakeResource } from '@/testing/fake-kube-api';
import { insertClusters } from '@/testing/gateway-fixtures';
import { listenOnLoopback } from '@/testing/loopback';
import { benchDatabaseEnv, flag, isEngineRun, printTable, ratio, reportResult, runOnEngines } from './engines';

interface EngineResult {
  engine: Engine;
  clusters: number;
  workspaces: number;
  connectMs: number;
  createMs: number;
  allSyncedMs: number | null;
  namespaceP50Ms: number;
  namespaceP95Ms: number;
  namespaceMaxMs: number;
  synced: number;
}

const percentile = (sorted: readonly number[], p: number) =>
  sorted.length === 0 ? 0 : (sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0);
const msText = (ms: number | null) => (ms === null ? 'timed out' : `${Math.round(ms)} ms`);

async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number, stepMs = 20): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, stepMs));
  }
  return false;
}

async function runServer(): Promise<void> {
  const clusterCount = flag('clusters', 50);
  const workspaceCount = flag('workspaces', 1000);
  const config = loadConfig({ ...benchDatabaseEnv(), LOG_LEVEL: process.env.LOG_LEVEL });
  const log = createLogger('error');
  const cp = await createControlPlane(config, {
    log,
    skipBootstrap: true,
    workspaceSync: { maxConcurrentClusters: flag('cluster-concurrency', 16), callsPerCluster: flag('calls-per-cluster', 4) },
  });
  const { store, gateway, bus } = cp;
  const { ids, tokens } = await insertClusters(store, clusterCount);
  const { environments, workspaces } = store.tables;
  const [env] = await store.transaction((tx) =>
    tx.insert(environments).values({ name: 'bench-dev', color: '#22c55e' }).returning({ id: environments.id }),
  );
  if (!env) throw new Error('no environment');

  const server = http.createServer((_req, res) => res.writeHead(404).end());
  server.on('upgrade', (req, socket, head) => {
    if (isAgentConnectRequest(req)) gateway.handleUpgrade(req, socket, head);
    else socket.destroy();
  });
  const baseUrl = await listenOnLoopback(server);

  // When each namespace first appears in its cluster's API server.
  const namespaceAt = new Map<string, number>();
  const kubes: FakeKubeApi[] = [];
  for (let i = 0; i < clusterCount; i++) {
    const kube = await new FakeKubeApi().start();
    const put = kube.put.bind(kube);
    kube.put = (<T extends KubernetesObject>(resource: FakeResource, object: T): T => {
      const stored = put(resource, object);
      const key = `${i}/${object.metadata?.name ?? ''}`;
      if (resource === 'namespaces' && !namespaceAt.has(key)) namespaceAt.set(key, performance.now());
      return stored;
    }) as typeof kube.put;
    kubes.push(kube);
  }

  const connectStart = performance.now();
  const agents: AgentHandle[] = tokens.map((token, i) =>
    startAgent({
      controlPlaneUrl: baseUrl,
      token,
      kubeconfigPath: kubes[i]?.kubeconfigFile(),
      registryHosts: [],
      logWrite: () => undefined,
      logLevel: 'error',
    }),
  );
  if (!(await waitUntil(() => ids.every((id) => gateway.isConnected(id)), 60_000))) throw new Error('agents did not connect');
  const connectMs = performance.now() - connectStart;

  const synced = new Set<number>();
  let lastSyncedAt = 0;
  bus.subscribe('sync.statusChanged', (event) => {
    if (event.resource === 'workspace' && event.status === 'synced') {
      synced.add(Number(event.resourceId));
      lastSyncedAt = performance.now();
    }
  });

  // Round-robin over clusters, as people spread workspaces over a fleet.
  const createdAt = new Map<string, number>();
  const createStart = performance.now();
  for (let w = 0; w < workspaceCount; w++) {
    const cluster = w % clusterCount;
    const clusterId = ids[cluster] ?? 0;
    const name = `ws-${String(w).padStart(4, '0')}`;
    const [row] = await store.transaction((tx) =>
      tx
        .insert(workspaces)
        .values({ clusterId, environmentId: env.id, name, labels: { team: `t${w % 7}` }, quota: { cpu: '4', memory: '16Gi', gpus: 1 } })
        .returning({ id: workspaces.id }),
    );
    createdAt.set(`${cluster}/${name}`, performance.now());
    bus.publish({ type: 'workspace.changed', clusterId, workspaceIds: [row?.id ?? 0] });
  }
  const createMs = performance.now() - createStart;
  const cpuAtCreate = process.cpuUsage();

  const done = await waitUntil(() => synced.size >= workspaceCount, 120_000, 25);
  const allSyncedMs = done ? lastSyncedAt - createStart : null;
  const cpu = process.cpuUsage(cpuAtCreate);
  const cpuPercent = ((cpu.user + cpu.system) / 1000 / Math.max(1, performance.now() - createStart - createMs)) * 100;
  const [stored] = await store.db.select({ n: count() }).from(workspaces).where(eq(workspaces.syncState, 'synced'));

  const latencies = [...createdAt.entries()]
    .map(([key, at]) => {
      const seen = namespaceAt.get(key);
      return seen === undefined ? Number.POSITIVE_INFINITY : seen - at;
    })
    .sort((a, b) => a - b);

  await Promise.all(agents.map((agent) => agent.stop()));
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await cp.close();
  await Promise.all(kubes.map((kube) => kube.stop()));

  const result: EngineResult = {
    engine: store.engine,
    clusters: clusterCount,
    workspaces: workspaceCount,
    connectMs,
    createMs,
    allSyncedMs,
    namespaceP50Ms: percentile(latencies, 50),
    namespaceP95Ms: percentile(latencies, 95),
    namespaceMaxMs: latencies[latencies.length - 1] ?? 0,
    synced: Number(stored?.n ?? 0),
  };
  console.log(`workspaces bench, ${result.engine}: ${workspaceCount} workspaces across ${clusterCount} clusters with real agents`);
  console.log();
  printTable(
    [
      ['agents connected', msText(connectMs)],
      [`create ${workspaceCount} workspaces (commit + event each)`, msText(createMs)],
      ['first creation → all Synced', msText(allSyncedMs)],
      ['creation → namespace in cluster, p50', msText(result.namespaceP50Ms)],
      ['creation → namespace in cluster, p95', msText(result.namespaceP95Ms)],
      ['creation → namespace in cluster, max', msText(result.namespaceMaxMs)],
      ['Synced in the store at the end', `${result.synced} / ${workspaceCount}`],
      ['process CPU while reconciling (agents + fake APIs + control plane)', `${cpuPercent.toFixed(0)} %`],
    ],
    ['measure', 'value'],
  );
  console.log();
  await reportResult(result);
  process.exit(0);
}

function compare(sqlite: EngineResult, postgres: EngineResult): void {
  const row = (label: string, a: number | null, b: number | null): [string, string, string, string] => [label, msText(a), msText(b), ratio(a, b)];
  console.log(`workspaces bench, both engines (${sqlite.workspaces} workspaces, ${sqlite.clusters} clusters)`);
  console.log();
  printTable(
    [
      row('create (commit + event each)', sqlite.createMs, postgres.createMs),
      row('first creation → all Synced', sqlite.allSyncedMs, postgres.allSyncedMs),
      row('creation → namespace, p50', sqlite.namespaceP50Ms, postgres.namespaceP50Ms),
      row('creation → namespace, p95', sqlite.namespaceP95Ms, postgres.namespaceP95Ms),
      row('creation → namespace, max', sqlite.namespaceMaxMs, postgres.namespaceMaxMs),
    ],
    ['measure', 'sqlite', 'postgres', 'postgres / sqlite'],
  );
}

async function main(): Promise<void> {
  const results = await runOnEngines<EngineResult>(import.meta.url, 'workspaces');
  const sqlite = results.get('sqlite');
  const postgres = results.get('postgres');
  if (sqlite && postgres) compare(sqlite, postgres);
}

if (isEngineRun()) {
  runServer().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
} else {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
