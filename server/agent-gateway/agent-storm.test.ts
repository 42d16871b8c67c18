/**
 * Agent storm: 2,000 agents are connected when the control plane restarts (closed, and
 * a new one made on the same database), and all of them dial back at once. They must
 * all be Connected again within 60 s, with one session per cluster, every cluster's
 * state as its agent last reported it, and the API's health check answered within
 * 500 ms throughout (sampled every 100 ms over HTTP on the same server).
 *
 * The agents are protocol clients in a child process (testing/agent-fleet.ts), so the
 * event loop measured is the control plane's alone. Snapshots are small (5 nodes): the
 * storm is about connections, sessions and the writer, not node volume.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { and, count, eq, inArray } from 'drizzle-orm';
import { afterEach, expect, it } from 'vitest';
import { LISTEN_BACKLOG } from '@/server/agent-gateway';
import type { ControlPlane } from '@/server/control-plane';
import { handleTrpcRequest, TRPC_PREFIX } from '@/server/http/trpc-handler';
import type { Store } from '@/server/store';
import { startAgentFleet, type AgentFleet } from '@/testing/agent-fleet';
import { insertClusters, probeEventLoop, restartableStore, type RestartableStore } from '@/testing/gateway-fixtures';
import { createTestControlPlane } from '@/testing/router-harness';
import { testEngine } from '@/testing/test-store';
import { waitFor } from '@/testing/wait-for';

const CLUSTERS = 2_000;
const NODES = 5;
const MAX_RECOVERY_MS = 60_000;
const MAX_HEALTH_MS = 500;

let fleet: AgentFleet | undefined;
let database: RestartableStore | undefined;
let cp: ControlPlane | undefined;
let server: http.Server | undefined;

afterEach(async () => {
  fleet?.stop();
  const stopped = stopServing();
  await cp?.close();
  await stopped;
  await database?.dispose();
  fleet = cp = server = database = undefined;
});

function serve(plane: ControlPlane, port = 0): Promise<string> {
  const next = http.createServer((req, res) => {
    if (req.url?.startsWith(TRPC_PREFIX)) void handleTrpcRequest(plane, req, res);
    else res.writeHead(404).end();
  });
  next.on('upgrade', (req, socket, head) => plane.gateway.handleUpgrade(req, socket, head));
  server = next;
  return new Promise((resolve, reject) => {
    next.once('error', reject);
    // As the control plane's own server listens (server/http/server.ts).
    next.listen({ port, host: '127.0.0.1', backlog: LISTEN_BACKLOG }, () => resolve(`http://127.0.0.1:${(next.address() as AddressInfo).port}`));
  });
}

/** Stops listening at once; resolves when the last connection is gone (agents' sockets go with the gateway). */
async function stopServing(): Promise<void> {
  const current = server;
  server = undefined;
  if (!current) return;
  const closed = new Promise<void>((resolve) => current.close(() => resolve()));
  current.closeAllConnections();
  await closed;
}

async function startControlPlane(store: Store): Promise<ControlPlane> {
  return createTestControlPlane({ store, gateway: { flushIntervalMs: 200 } });
}

/** Clusters among `ids` that are Connected with exactly `nodes` nodes stored. */
async function storedAs(store: Store, ids: number[], nodes: number, status?: 'connected'): Promise<number> {
  const { clusters } = store.tables;
  let total = 0;
  for (let i = 0; i < ids.length; i += 1_000) {
    const conditions = [inArray(clusters.id, ids.slice(i, i + 1_000)), eq(clusters.nodeCount, nodes)];
    if (status) conditions.push(eq(clusters.status, status));
    const [row] = await store.db.select({ n: count() }).from(clusters).where(and(...conditions));
    total += row?.n ?? 0;
  }
  return total;
}

/** GETs `health.check` every 100 ms; `stop` resolves with the slowest answer and what failed. */
function sampleHealth(baseUrl: string) {
  let slowestMs = 0;
  let samples = 0;
  const failures: string[] = [];
  const inFlight = new Set<Promise<void>>();
  const timer = setInterval(() => {
    const started = performance.now();
    const sample = fetch(`${baseUrl}${TRPC_PREFIX}health.check`, { signal: AbortSignal.timeout(5_000) })
      .then(async (res) => {
        await res.arrayBuffer();
        if (res.status !== 200) failures.push(`HTTP ${res.status}`);
        samples++;
        slowestMs = Math.max(slowestMs, performance.now() - started);
      })
      .catch((error: unknown) => void failures.push(error instanceof Error ? error.message : String(error)))
      .finally(() => inFlight.delete(sample));
    inFlight.add(sample);
  }, 100);
  return {
    async stop() {
      clearInterval(timer);
      await Promise.all(inFlight);
      return { slowestMs, samples, failures };
    },
  };
}

it(`${CLUSTERS} agents reconnect at once after a control-plane restart: all back within 60 s, one session each, no state lost, health answered throughout`, async () => {
  database = await restartableStore();
  cp = await startControlPlane(await database.open());
  const { ids, tokens } = await insertClusters(cp.store, CLUSTERS);
  const baseUrl = await serve(cp);
  const { port } = server?.address() as AddressInfo;
  // The first request loads the test's HTTP client and compiles the request path: not what is measured.
  expect((await fetch(`${baseUrl}${TRPC_PREFIX}health.check`)).status).toBe(200);

  // 1. The fleet connects and reports; then every other cluster loses a node (a delta).
  let ready = 0;
  cp.bus.subscribe('agent.sessionReady', () => void ready++);
  fleet = await startAgentFleet();
  await fleet.start(baseUrl, tokens, NODES);
  await waitFor(() => ready >= CLUSTERS, MAX_RECOVERY_MS, 'the fleet connected');
  const shrunk = ids.filter((_, i) => i % 2 === 0);
  const unchanged = ids.filter((_, i) => i % 2 === 1);
  await fleet.dropNode(ids.map((_, i) => i).filter((i) => i % 2 === 0));
  const store = cp.store;
  await waitFor(async () => (await storedAs(store, shrunk, NODES - 1)) === shrunk.length, 30_000, 'the deltas stored');

  // 2. Restart: the old control plane closes (its sessions end, pending state is written),
  // a new one opens the same database and listens on the same port.
  const stopped = stopServing();
  await cp.close();
  await stopped;
  cp = await startControlPlane(await database.open());
  const restarted = cp;
  // Nothing reported before the restart is lost, before any agent is back.
  expect(await storedAs(restarted.store, shrunk, NODES - 1)).toBe(shrunk.length);
  expect(await storedAs(restarted.store, unchanged, NODES)).toBe(unchanged.length);

  const opened = new Map<number, number>();
  const closedReasons: string[] = [];
  let readyAgain = 0;
  restarted.bus.subscribe('agent.sessionOpened', ({ clusterId }) => void opened.set(clusterId, (opened.get(clusterId) ?? 0) + 1));
  restarted.bus.subscribe('agent.sessionClosed', ({ reason }) => void closedReasons.push(reason));
  restarted.bus.subscribe('agent.sessionReady', () => void readyAgain++);
  await serve(restarted, port);
  const listeningAt = performance.now();
  const health = sampleHealth(baseUrl);
  const probe = probeEventLoop();

  // 3. The storm: every agent dials back at once.
  await waitFor(() => readyAgain >= CLUSTERS, MAX_RECOVERY_MS, 'every agent Connected again with its snapshot stored');
  const recoveryMs = performance.now() - listeningAt;
  await waitFor(
    async () => (await storedAs(restarted.store, shrunk, NODES - 1, 'connected')) + (await storedAs(restarted.store, unchanged, NODES, 'connected')) === CLUSTERS,
    10_000,
    'every cluster stored Connected with its last reported nodes',
  );
  const { slowestMs, samples, failures } = await health.stop();
  const stallMs = probe.stop();
  const stats = await fleet.stats();

  console.warn(
    `agent storm [${testEngine()}]: ${CLUSTERS} agents Connected again ${(recoveryMs / 1000).toFixed(2)} s after the restart; ` +
      `health.check slowest ${slowestMs.toFixed(0)} ms over ${samples} samples; longest event-loop stall ${stallMs.toFixed(0)} ms; ` +
      `${stats.failedDials} refused dials while down`,
  );
  expect(recoveryMs).toBeLessThan(MAX_RECOVERY_MS);
  expect(failures).toEqual([]);
  expect(samples).toBeGreaterThan(0);
  expect(slowestMs).toBeLessThan(MAX_HEALTH_MS);
  // One session per cluster: the registry holds each once, and no cluster opened a second session.
  expect(restarted.gateway.connectedClusterCount()).toBe(CLUSTERS);
  expect(opened.size).toBe(CLUSTERS);
  expect([...opened.values()].every((sessions) => sessions === 1)).toBe(true);
  expect(closedReasons).toEqual([]);
  expect(stats.live).toBe(CLUSTERS);
  expect(ids.every((id) => restarted.gateway.isConnected(id))).toBe(true);
}, 180_000);
