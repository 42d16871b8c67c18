/**
 * Gateway benchmark: N lightweight protocol clients (not full agents) against the real
 * gateway on a real HTTP server with a temp-file SQLite database.
 *
 *   npm run bench:gateway -- [--clusters 2000] [--nodes 50] [--ping-ms 2000] [--timeout-ms 25000] [--window-ms 10000]
 *
 * The clients run in a child process, so `process.cpuUsage()` here is the server's own
 * CPU. Reports: time until every cluster is Connected with its snapshot stored; server
 * CPU and RSS over a steady-state window in which heartbeats really run (the ping
 * interval is shortened, which makes the figure pessimistic against the 10 s default);
 * time to mark 100 killed clients (socket destroyed, no close frame) Disconnected, and
 * 100 silent ones (socket open, pings unanswered: a hung agent or a dead network path).
 */
import { execSync, fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { openDatabase, setDb, type Db } from '@/db/client';
import { clusters, clusterTokens } from '@/db/schema';
import type { NodeState } from '@/lib/agent-protocol';
import { attachAgentGateway } from '@/server/agent-gateway';
import { clusterState, gpuNode, node, ProtocolClient } from '@/testing/protocol-client';
import { logger, type Logger } from '@/server/logger';
import { mintClusterToken } from '@/server/services/cluster-token';
import { listenOnLoopback } from '@/testing/loopback';

type ToClients =
  | { type: 'start'; baseUrl: string; tokens: string[]; nodesPerCluster: number; concurrency: number }
  | { type: 'kill'; from: number; count: number }
  | { type: 'silence'; from: number; count: number }
  | { type: 'stats' };
type ToServer =
  | { type: 'ready' }
  | { type: 'connected'; ok: number; failed: number; firstError: string | null }
  | { type: 'stats'; pingsAnswered: number; open: number };

function flag(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at === -1 ? undefined : Number(process.argv[at + 1]);
  return value !== undefined && Number.isFinite(value) && value > 0 ? value : fallback;
}

// ── Clients (child process) ──────────────────────────────────────────────────

function nodesFor(cluster: number, count: number): NodeState[] {
  return Array.from({ length: count }, (_, i) =>
    i % 5 === 0 ? node(`c${cluster}-cpu-${i}`) : gpuNode(`c${cluster}-gpu-${i}`, i % 2 === 0 ? 'H100' : 'L4', 8),
  );
}

async function runClients(): Promise<void> {
  const clients: ProtocolClient[] = [];
  let pingsAnswered = 0;
  const send = (message: ToServer) => process.send?.(message);

  process.on('message', (raw) => {
    const message = raw as ToClients;
    if (message.type === 'start') {
      void (async () => {
        let ok = 0;
        let failed = 0;
        let firstError: string | null = null;
        let next = 0;
        const worker = async () => {
          while (next < message.tokens.length) {
            const index = next++;
            const token = message.tokens[index] ?? '';
            try {
              const client = await ProtocolClient.connect(message.baseUrl, token, { recordFrames: false });
              client.ws.on('message', (data) => {
                if (client.answerPings && String(data).startsWith('{"type":"ping"')) pingsAnswered++;
              });
              clients[index] = client;
              await client.hello({ agentVersion: 'bench', kubernetesVersion: 'v1.30.2' });
              client.snapshot(clusterState({ nodes: nodesFor(index, message.nodesPerCluster) }));
              ok++;
            } catch (error) {
              failed++;
              firstError ??= error instanceof Error ? error.message : String(error);
            }
          }
        };
        await Promise.all(Array.from({ length: message.concurrency }, worker));
        send({ type: 'connected', ok, failed, firstError });
      })();
    } else if (message.type === 'kill') {
      for (const client of clients.slice(message.from, message.from + message.count)) client?.kill();
    } else if (message.type === 'silence') {
      for (const client of clients.slice(message.from, message.from + message.count)) if (client) client.answerPings = false;
    } else if (message.type === 'stats') {
      const open = clients.filter((c) => c?.ws.readyState === c?.ws.OPEN).length;
      send({ type: 'stats', pingsAnswered, open });
    }
  });
  process.on('disconnect', () => process.exit(0));
  send({ type: 'ready' });
}

// ── Server (this process) ────────────────────────────────────────────────────

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

async function until(predicate: () => boolean, timeoutMs: number, pollMs = 100): Promise<number | null> {
  const started = performance.now();
  while (performance.now() - started < timeoutMs) {
    if (predicate()) return performance.now() - started;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
  return null;
}

function countWhere(db: Db, ids: number[] | null, status: 'connected' | 'disconnected', nodes?: number): number {
  const conditions = [eq(clusters.status, status)];
  if (nodes !== undefined) conditions.push(eq(clusters.nodeCount, nodes));
  if (ids) conditions.push(inArray(clusters.id, ids));
  return db.select({ n: sql<number>`count(*)` }).from(clusters).where(and(...conditions)).get()?.n ?? 0;
}

/** Warnings and errors only: thousands of "agent connected" lines would measure stdout, not the gateway. */
const quietLog: Logger = ((): Logger => {
  const quiet: Logger = {
    debug: () => undefined,
    info: () => undefined,
    warn: (msg, fields) => logger.warn(msg, fields),
    error: (msg, fields) => logger.error(msg, fields),
    child: () => quiet,
  };
  return quiet;
})();

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const s = (ms: number | null) => (ms === null ? 'NOT REACHED' : `${(ms / 1000).toFixed(2)} s`);

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

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleetdeck-bench-gateway-'));
  const db = openDatabase(path.join(dir, 'bench.db'));
  setDb(db);
  const tokens: string[] = [];
  const ids: number[] = [];
  db.transaction((tx) => {
    for (let i = 0; i < clusterCount; i++) {
      const { id } = tx
        .insert(clusters)
        .values({
          name: `bench-${String(i).padStart(5, '0')}`,
          provider: 'generic',
          region: 'bench-1',
          prometheusUrl: 'http://prometheus:9090',
          nodePoolLabel: 'fleetdeck.io/node-pool',
          gpuTypeLabel: 'fleetdeck.io/gpu-type',
        })
        .returning({ id: clusters.id })
        .get();
      const minted = mintClusterToken();
      tx.insert(clusterTokens).values({ clusterId: id, tokenHash: minted.tokenHash, prefix: minted.prefix }).run();
      tokens.push(minted.token);
      ids.push(id);
    }
  });

  const server = http.createServer((_req, res) => res.writeHead(404).end());
  const heartbeat = { intervalMs: pingMs, timeoutMs, sweepMs: 1_000 };
  const gateway = attachAgentGateway(server, { db, heartbeat, log: quietLog });
  const baseUrl = await listenOnLoopback(server);

  const child = fork(fileURLToPath(import.meta.url), ['--role', 'clients'], { stdio: 'inherit' });
  // The child compiles its TypeScript first; its start-up is not the gateway's time.
  await nextMessage(child, 'ready');
  const rssBefore = process.memoryUsage().rss;
  console.log(`gateway bench: ${clusterCount} clusters × ${nodesPerCluster} nodes, ping ${pingMs} ms, timeout ${timeoutMs} ms (fd limit ${fdLimit}, ${os.cpus().length} cores)`);

  // 1. Connect everyone.
  const started = performance.now();
  let welcomedMs: number | null = null;
  const clientsDone = nextMessage(child, 'connected').then((report) => {
    welcomedMs = performance.now() - started;
    return report;
  });
  child.send({ type: 'start', baseUrl, tokens, nodesPerCluster, concurrency: 200 } satisfies ToClients);
  const connectedMs = await until(() => countWhere(db, null, 'connected', nodesPerCluster) === clusterCount, 60_000);
  const clientsReport = await clientsDone;
  const allConnectedMs = connectedMs === null ? null : performance.now() - started;
  console.log(`  connected: ${clientsReport.ok} ok, ${clientsReport.failed} failed${clientsReport.firstError ? ` (${clientsReport.firstError})` : ''}`);

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

  // 3. Failures: 100 killed (TCP gone, no close frame) and 100 silent (TCP up, no pongs).
  const killedIds = ids.slice(0, victims);
  const silentIds = ids.slice(victims, 2 * victims);
  const failuresAt = performance.now();
  child.send({ type: 'kill', from: 0, count: victims } satisfies ToClients);
  child.send({ type: 'silence', from: victims, count: victims } satisfies ToClients);
  let killedMs: number | null = null;
  let silentMs: number | null = null;
  await until(() => {
    if (killedMs === null && countWhere(db, killedIds, 'disconnected') === victims) killedMs = performance.now() - failuresAt;
    if (silentMs === null && countWhere(db, silentIds, 'disconnected') === victims) silentMs = performance.now() - failuresAt;
    return killedMs !== null && silentMs !== null;
  }, timeoutMs + 15_000);
  const untouched = countWhere(db, ids.slice(2 * victims), 'connected');

  child.kill();
  gateway.close();
  server.closeAllConnections();
  server.close();
  db.$client.close();
  fs.rmSync(dir, { recursive: true, force: true });

  const ok = (pass: boolean) => (pass ? 'ok' : 'MISSED');
  const rows: [string, string, string, string][] = [
    ['all connected + snapshots stored', s(allConnectedMs), '< 30 s', ok(allConnectedMs !== null && allConnectedMs < 30_000)],
    ['  (all clients welcomed, snapshots sent)', s(welcomedMs), '', ''],
    [`server CPU, steady state (${(wall / 1000).toFixed(1)} s window)`, `${cpuPercent.toFixed(1)} % of one core`, '< 20 %', ok(cpuPercent < 20)],
    ['server RSS, steady state', mb(rss), '< 500 MB', ok(rss < 500 * 1024 * 1024)],
    ['  (heap used / RSS before clients)', `${mb(heap)} / ${mb(rssBefore)}`, '', ''],
    ['  (pings answered in the window)', `${pingsInWindow} (${(pingsInWindow / (wall / 1000)).toFixed(0)}/s)`, '', ''],
    [`${victims} killed clients → Disconnected`, s(killedMs), '< 30 s', ok(killedMs !== null && killedMs < 30_000)],
    [`${victims} silent clients → Disconnected`, s(silentMs), '< 30 s', ok(silentMs !== null && silentMs < 30_000)],
    ['other clusters still Connected', `${untouched} / ${clusterCount - 2 * victims}`, 'all', ok(untouched === clusterCount - 2 * victims)],
  ];
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i]?.length ?? 0), ['measure', 'value', 'target', ''][i]?.length ?? 0));
  const line = (r: readonly string[]) => r.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ');
  console.log();
  console.log(line(['measure', 'value', 'target', '']));
  console.log(line(widths.map((w) => '─'.repeat(w))));
  for (const r of rows) console.log(line(r));
  console.log();
  console.log(`heartbeat: ping every ${pingMs} ms, timeout ${timeoutMs} ms, sweep 1000 ms; state flushed every 200 ms; lastSeenAt persisted at most every 15 s per cluster`);
  process.exit(0);
}

if (process.argv.includes('--role') && process.argv[process.argv.indexOf('--role') + 1] === 'clients') {
  void runClients();
} else {
  runServer().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
