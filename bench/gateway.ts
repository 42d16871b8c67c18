/**
 * Gateway benchmark: N lightweight protocol clients (not full agents) against the real
 * gateway of a real control plane, on a loopback HTTP server, on either engine or both.
 *
 *   npm run bench:gateway -- [--engine sqlite|postgres|both] [--clusters 2000] [--nodes 50]
 *                            [--ping-ms 2000] [--timeout-ms 25000] [--window-ms 10000]
 *
 * `--engine both` (the default) runs the whole benchmark once per engine, each in a
 * fresh process and database, and prints the two side by side with their ratio
 * (bench/engines.ts: where PostgreSQL comes from).
 *
 * The clients run in a child process, so `process.cpuUsage()` is the server's own CPU.
 * Reports: time until every cluster is Connected with its snapshot stored; server CPU
 * and RSS over a steady-state window in which heartbeats really run (the ping interval
 * is shortened, which makes the figure pessimistic against the 10 s default); a
 * reconnect storm (every session told to reconnect at once: 2,000 upgrades, hellos and
 * snapshots together) with the time until all are back and stored, the longest
 * event-loop stall meanwhile, and how long each flush transaction took; time to mark 100
 * killed clients (socket destroyed, no close frame) Disconnected, and 100 silent ones
 * (socket open, pings unanswered: a hung agent or a dead network path).
 */
import { execSync, fork, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import os from 'node:os';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { and, count, eq, inArray, type SQL } from 'drizzle-orm';
import { CLOSE_CODES, type NodeState } from '@/lib/agent-protocol';
import { isAgentConnectRequest, type CommittedChunk } from '@/server/agent-gateway';
import { loadConfig } from '@/server/config';
import { createControlPlane } from '@/server/control-plane';
import { createLogger } from '@/server/logger';
import { insertClusters } from '@/testing/gateway-fixtures';
import type { Engine, Store } from '@/server/store';
import { listenOnLoopback } from '@/testing/loopback';
import { clusterState, gpuNode, node, ProtocolClient } from '@/testing/protocol-client';
import { benchDatabaseEnv, flag, isEngineRun, option, printTable, ratio, reportResult, runOnEngines } from './engines';

type ToClients =
  | { type: 'start'; baseUrl: string; tokens: string[]; nodesPerCluster: number; concurrency: number }
  | { type: 'kill'; from: number; count: number }
  | { type: 'silence'; from: number; count: number }
  | { type: 'stats' };
type DialReport = { ok: number; failed: number; firstError: string | null };
type ToServer =
  | { type: 'ready' }
  | ({ type: 'connected' } & DialReport)
  | { type: 'stats'; pingsAnswered: number; open: number; redials: DialReport };

/** What one engine's run measured, for the side-by-side table. */
interface EngineResult {
  engine: Engine;
  clusters: number;
  connectMs: number | null;
  connectStallMs: number;
  steadyCpuPercent: number;
  steadyRssBytes: number;
  stormMs: number | null;
  stormStallMs: number;
  stormFlushMedianMs: number;
  stormFlushMaxMs: number;
  stormFlushes: number;
  killedMs: number | null;
  silentMs: number | null;
  untouchedOk: boolean;
}

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

// ── Clients (child process of a server) ─────────────────────────────────────

function nodesFor(cluster: number, count: number): NodeState[] {
  return Array.from({ length: count }, (_, i) =>
    i % 5 === 0 ? node(`c${cluster}-cpu-${i}`) : gpuNode(`c${cluster}-gpu-${i}`, i % 2 === 0 ? 'H100' : 'L4', 8),
  );
}

async function runClients(): Promise<void> {
  const clients: ProtocolClient[] = [];
  let pingsAnswered = 0;
  const redials: DialReport = { ok: 0, failed: 0, firstError: null };
  const send = (message: ToServer) => process.send?.(message);

  /** Connects client `index`, says hello, sends its snapshot; redials at once when told to reconnect. */
  const dial = async (baseUrl: string, token: string, index: number, nodesPerCluster: number): Promise<void> => {
    const client = await ProtocolClient.connect(baseUrl, token, { recordFrames: false });
    client.ws.on('message', (data) => {
      if (client.answerPings && String(data).startsWith('{"type":"ping"')) pingsAnswered++;
    });
    clients[index] = client;
    void client.closed.then(({ code }) => {
      if (code !== CLOSE_CODES.reconnect) return;
      dial(baseUrl, token, index, nodesPerCluster).then(
        () => void redials.ok++,
        (error: unknown) => {
          redials.failed++;
          redials.firstError ??= errorText(error);
        },
      );
    });
    await client.hello({ agentVersion: 'bench', kubernetesVersion: 'v1.30.2' });
    client.snapshot(clusterState({ nodes: nodesFor(index, nodesPerCluster) }));
  };

  process.on('message', (raw) => {
    const message = raw as ToClients;
    if (message.type === 'start') {
      void (async () => {
        const report: DialReport = { ok: 0, failed: 0, firstError: null };
        let next = 0;
        const worker = async () => {
          while (next < message.tokens.length) {
            const index = next++;
            try {
              await dial(message.baseUrl, message.tokens[index] ?? '', index, message.nodesPerCluster);
              report.ok++;
            } catch (error) {
              report.failed++;
              report.firstError ??= errorText(error);
            }
          }
        };
        await Promise.all(Array.from({ length: message.concurrency }, worker));
        send({ type: 'connected', ...report });
      })();
    } else if (message.type === 'kill') {
      for (const client of clients.slice(message.from, message.from + message.count)) client?.kill();
    } else if (message.type === 'silence') {
      for (const client of clients.slice(message.from, message.from + message.count)) if (client) client.answerPings = false;
    } else if (message.type === 'stats') {
      const open = clients.filter((c) => c?.ws.readyState === c?.ws.OPEN).length;
      send({ type: 'stats', pingsAnswered, open, redials });
    }
  });
  process.on('disconnect', () => process.exit(0));
  send({ type: 'ready' });
}

// ── Server (one engine, child process of main) ───────────────────────────────

function nextMessage<T extends ToServer['type']>(child: ChildProcess, type: T): Promise<Extract<ToServer, { type: T }>> {
  return new Promise((resolve) => {
    const onMessage = (raw: unknown) => {
      const message = raw as ToServer;
      if (message.type !== type) return;
      child.off('message', onMessage);
      resolve(message as Extract<ToServer, { type: T }>);
    };
    child.on('message', onMessage);
  });
}

async function until(predicate: () => boolean | Promise<boolean>, timeoutMs: number, pollMs = 100): Promise<number | null> {
  const started = performance.now();
  while (performance.now() - started < timeoutMs) {
    if (await predicate()) return performance.now() - started;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
  return null;
}

async function countWhere(store: Store, ids: number[] | null, status: 'connected' | 'disconnected', nodes?: number): Promise<number> {
  const { clusters } = store.tables;
  const conditions: SQL[] = [eq(clusters.status, status)];
  if (nodes !== undefined) conditions.push(eq(clusters.nodeCount, nodes));
  if (ids) conditions.push(inArray(clusters.id, ids));
  const [row] = await store.db.select({ n: count() }).from(clusters).where(and(...conditions));
  return row?.n ?? 0;
}

function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const s = (ms: number | null) => (ms === null ? 'NOT REACHED' : `${(ms / 1000).toFixed(2)} s`);
const msText = (ms: number) => `${ms.toFixed(ms < 10 ? 1 : 0)} ms`;

async function runServer(): Promise<void> {
  const clusterCount = flag('clusters', 2000);
  const nodesPerCluster = flag('nodes', 50);
  const pingMs = flag('ping-ms', 2_000);
  const timeoutMs = flag('timeout-ms', 25_000);
  const windowMs = flag('window-ms', 10_000);
  const victims = Math.min(100, Math.floor(clusterCount / 4));
  const fdLimit = Number(execSync('ulimit -n', { shell: '/bin/sh' }).toString().trim());
  if (Number.isFinite(fdLimit) && clusterCount + 200 > fdLimit) {
    throw new Error(`ulimit -n is ${fdLimit}: too low for ${clusterCount} connections in one process`);
  }

  const config = loadConfig({
    ...benchDatabaseEnv(),
    DATABASE_POOL_SIZE: process.env.DATABASE_POOL_SIZE,
    LOG_LEVEL: process.env.LOG_LEVEL,
  });
  // Warnings and errors only: thousands of "agent connected" lines would measure stdout, not the gateway.
  const log = createLogger(config.logLevel === 'error' ? 'error' : 'warn');
  const flushes: CommittedChunk[] = [];
  const heartbeat = { intervalMs: pingMs, timeoutMs, sweepMs: 1_000 };
  const cp = await createControlPlane(config, {
    log,
    skipBootstrap: true,
    gateway: { heartbeat, onFlushCommitted: (chunk) => void flushes.push(chunk) },
  });
  const { store, gateway, bus } = cp;
  const { ids, tokens } = await insertClusters(store, clusterCount);
  let ready = 0;
  bus.subscribe('agent.sessionReady', () => void ready++);

  const server = http.createServer((_req, res) => res.writeHead(404).end());
  server.on('upgrade', (req, socket, head) => {
    if (isAgentConnectRequest(req)) gateway.handleUpgrade(req, socket, head);
    else socket.destroy();
  });
  const baseUrl = await listenOnLoopback(server);
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  loopDelay.enable();
  const stallMs = () => loopDelay.max / 1e6;
  // Garbage collection stalls the loop too; its longest pause says how much of a stall is the gateway's own work.
  let gcMaxMs = 0;
  const gcObserver = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) gcMaxMs = Math.max(gcMaxMs, entry.duration);
  });
  gcObserver.observe({ entryTypes: ['gc'] });

  const child = fork(fileURLToPath(import.meta.url), ['--role', 'clients'], { stdio: 'inherit' });
  // The child compiles its TypeScript first; its start-up is not the gateway's time.
  await nextMessage(child, 'ready');
  const rssBefore = process.memoryUsage().rss;
  console.log(
    `gateway bench [${store.engine}]: ${clusterCount} clusters × ${nodesPerCluster} nodes, ping ${pingMs} ms, timeout ${timeoutMs} ms ` +
      `(fd limit ${fdLimit}, ${os.cpus().length} cores)`,
  );

  // 1. Connect everyone, 200 dials at a time.
  loopDelay.reset();
  gcMaxMs = 0;
  const started = performance.now();
  let welcomedMs: number | null = null;
  const clientsDone = nextMessage(child, 'connected').then((report) => {
    welcomedMs = performance.now() - started;
    return report;
  });
  child.send({ type: 'start', baseUrl, tokens, nodesPerCluster, concurrency: 200 } satisfies ToClients);
  const connectedMs = await until(() => ready >= clusterCount, 120_000, 20);
  const connectStallMs = stallMs();
  const connectGcMs = gcMaxMs;
  const clientsReport = await clientsDone;
  const storedConnected = await countWhere(store, null, 'connected', nodesPerCluster);
  console.log(
    `  connected: ${clientsReport.ok} ok, ${clientsReport.failed} failed${clientsReport.firstError ? ` (${clientsReport.firstError})` : ''}; ` +
      `${storedConnected} stored Connected with ${nodesPerCluster} nodes`,
  );

  // 2. Steady state: nothing but heartbeats (and the coarse lastSeenAt writes they cause).
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  const statsBefore = nextMessage(child, 'stats');
  child.send({ type: 'stats' } satisfies ToClients);
  const pingsBefore = (await statsBefore).pingsAnswered;
  const cpuBefore = process.cpuUsage();
  const wallBefore = performance.now();
  await new Promise((resolve) => setTimeout(resolve, windowMs));
  const cpu = process.cpuUsage(cpuBefore);
  const wall = performance.now() - wallBefore;
  const rss = process.memoryUsage().rss;
  const heap = process.memoryUsage().heapUsed;
  const statsAfter = nextMessage(child, 'stats');
  child.send({ type: 'stats' } satisfies ToClients);
  const pingsInWindow = (await statsAfter).pingsAnswered - pingsBefore;
  const cpuPercent = ((cpu.user + cpu.system) / 1000 / wall) * 100;

  // 3. Reconnect storm: every session told to reconnect at once; each client redials at once.
  await gateway.flush();
  ready = 0;
  flushes.length = 0;
  loopDelay.reset();
  gcMaxMs = 0;
  const stormStarted = performance.now();
  // Told in batches: closing 2,000 sockets in one loop would itself be the longest stall measured.
  for (let i = 0; i < ids.length; i += 100) {
    for (const id of ids.slice(i, i + 100)) gateway.reconnect(id, 'benchmark: reconnect storm');
    await new Promise((resolve) => setImmediate(resolve));
  }
  const stormMs = await until(() => ready >= clusterCount, 120_000, 20);
  const stormStallMs = stallMs();
  const stormGcMs = gcMaxMs;
  const stormFlushMs = flushes.map((chunk) => chunk.durationMs);
  const stormFlushRows = Math.max(0, ...flushes.map((chunk) => chunk.nodeRows));
  const storm = nextMessage(child, 'stats');
  child.send({ type: 'stats' } satisfies ToClients);
  const { redials } = await storm;
  console.log(
    `  reconnect storm: ${redials.ok} redialled, ${redials.failed} failed${redials.firstError ? ` (${redials.firstError})` : ''}; ` +
      `${((performance.now() - stormStarted) / 1000).toFixed(2)} s until measured`,
  );

  // 4. Failures: 100 killed (TCP gone, no close frame) and 100 silent (TCP up, no pongs).
  const killedIds = ids.slice(0, victims);
  const silentIds = ids.slice(victims, 2 * victims);
  const failuresAt = performance.now();
  child.send({ type: 'kill', from: 0, count: victims } satisfies ToClients);
  child.send({ type: 'silence', from: victims, count: victims } satisfies ToClients);
  let killedMs: number | null = null;
  let silentMs: number | null = null;
  await until(async () => {
    if (killedMs === null && (await countWhere(store, killedIds, 'disconnected')) === victims) killedMs = performance.now() - failuresAt;
    if (silentMs === null && (await countWhere(store, silentIds, 'disconnected')) === victims) silentMs = performance.now() - failuresAt;
    return killedMs !== null && silentMs !== null;
  }, timeoutMs + 15_000);
  const untouched = await countWhere(store, ids.slice(2 * victims), 'connected');

  child.kill();
  loopDelay.disable();
  gcObserver.disconnect();
  server.closeAllConnections();
  server.close();
  await cp.close();

  const ok = (pass: boolean) => (pass ? 'ok' : 'MISSED');
  const allConnectedMs = connectedMs;
  const untouchedOk = untouched === clusterCount - 2 * victims;
  const rows: [string, string, string, string][] = [
    ['all connected + snapshots stored', s(allConnectedMs), '< 30 s', ok(allConnectedMs !== null && allConnectedMs < 30_000)],
    ['  (all clients welcomed, snapshots sent)', s(welcomedMs), '', ''],
    ['  (longest event-loop stall / GC pause meanwhile)', `${msText(connectStallMs)} / ${msText(connectGcMs)}`, '', ''],
    [`server CPU, steady state (${(wall / 1000).toFixed(1)} s window)`, `${cpuPercent.toFixed(1)} % of one core`, '< 20 %', ok(cpuPercent < 20)],
    ['server RSS, steady state', mb(rss), '< 500 MB', ok(rss < 500 * 1024 * 1024)],
    ['  (heap used / RSS before clients)', `${mb(heap)} / ${mb(rssBefore)}`, '', ''],
    ['  (pings answered in the window)', `${pingsInWindow} (${(pingsInWindow / (wall / 1000)).toFixed(0)}/s)`, '', ''],
    [`reconnect storm: all ${clusterCount} back + snapshots stored`, s(stormMs), '< 30 s', ok(stormMs !== null && stormMs < 30_000)],
    ['longest event-loop stall, reconnect storm', msText(stormStallMs), '< 100 ms', ok(stormStallMs < 100)],
    ['  (longest GC pause meanwhile)', msText(stormGcMs), '', ''],
    [
      'flush transaction, reconnect storm (median / max)',
      `${msText(median(stormFlushMs))} / ${msText(Math.max(0, ...stormFlushMs))}`,
      '',
      '',
    ],
    ['  (transactions / most node rows in one)', `${stormFlushMs.length} / ${stormFlushRows}`, '', ''],
    [`${victims} killed clients → Disconnected`, s(killedMs), '< 30 s', ok(killedMs !== null && killedMs < 30_000)],
    [`${victims} silent clients → Disconnected`, s(silentMs), '< 30 s', ok(silentMs !== null && silentMs < 30_000)],
    ['other clusters still Connected', `${untouched} / ${clusterCount - 2 * victims}`, 'all', ok(untouchedOk)],
  ];
  console.log();
  printTable(rows, ['measure', 'value', 'target', '']);
  console.log();
  console.log(
    `heartbeat: ping every ${pingMs} ms, timeout ${timeoutMs} ms, sweep 1000 ms; state flushed every 200 ms in transactions of ` +
      'at most 100 clusters / 5,000 node rows; lastSeenAt persisted at most every 15 s per cluster',
  );
  console.log();

  const result: EngineResult = {
    engine: store.engine,
    clusters: clusterCount,
    connectMs: allConnectedMs,
    connectStallMs,
    steadyCpuPercent: cpuPercent,
    steadyRssBytes: rss,
    stormMs,
    stormStallMs,
    stormFlushMedianMs: median(stormFlushMs),
    stormFlushMaxMs: Math.max(0, ...stormFlushMs),
    stormFlushes: stormFlushMs.length,
    killedMs,
    silentMs,
    untouchedOk,
  };
  await reportResult(result);
  process.exit(0);
}

// ── Main: one server process per engine, then the comparison ────────────────

function compare(sqlite: EngineResult, postgres: EngineResult): void {
  const time = (ms: number | null) => s(ms);
  const rows: [string, string, string, string][] = [
    ['all connected + snapshots stored', time(sqlite.connectMs), time(postgres.connectMs), ratio(sqlite.connectMs, postgres.connectMs)],
    ['longest stall, initial connect', msText(sqlite.connectStallMs), msText(postgres.connectStallMs), ratio(sqlite.connectStallMs, postgres.connectStallMs)],
    ['server CPU, steady state', `${sqlite.steadyCpuPercent.toFixed(1)} %`, `${postgres.steadyCpuPercent.toFixed(1)} %`, ratio(sqlite.steadyCpuPercent, postgres.steadyCpuPercent)],
    ['server RSS, steady state', mb(sqlite.steadyRssBytes), mb(postgres.steadyRssBytes), ratio(sqlite.steadyRssBytes, postgres.steadyRssBytes)],
    ['reconnect storm: all back + stored', time(sqlite.stormMs), time(postgres.stormMs), ratio(sqlite.stormMs, postgres.stormMs)],
    ['longest stall, reconnect storm', msText(sqlite.stormStallMs), msText(postgres.stormStallMs), ratio(sqlite.stormStallMs, postgres.stormStallMs)],
    ['flush transaction, median', msText(sqlite.stormFlushMedianMs), msText(postgres.stormFlushMedianMs), ratio(sqlite.stormFlushMedianMs, postgres.stormFlushMedianMs)],
    ['flush transaction, max', msText(sqlite.stormFlushMaxMs), msText(postgres.stormFlushMaxMs), ratio(sqlite.stormFlushMaxMs, postgres.stormFlushMaxMs)],
    ['killed clients → Disconnected', time(sqlite.killedMs), time(postgres.killedMs), ratio(sqlite.killedMs, postgres.killedMs)],
    ['silent clients → Disconnected', time(sqlite.silentMs), time(postgres.silentMs), ratio(sqlite.silentMs, postgres.silentMs)],
  ];
  console.log(`gateway bench, both engines (${sqlite.clusters} clusters)`);
  console.log();
  printTable(rows, ['measure', 'sqlite', 'postgres', 'postgres / sqlite']);
}

async function main(): Promise<void> {
  const results = await runOnEngines<EngineResult>(import.meta.url, 'gateway');
  const sqlite = results.get('sqlite');
  const postgres = results.get('postgres');
  if (sqlite && postgres) compare(sqlite, postgres);
}

if (option('role') === 'clients') {
  void runClients();
} else if (isEngineRun()) {
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
