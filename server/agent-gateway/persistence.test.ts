import { asc, eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '@/server/logger';
import type { Store } from '@/server/store';
import { insertCluster } from '@/testing/gateway-fixtures';
import { clusterState, gpuNode, node } from '@/testing/protocol-client';
import { openTestStore } from '@/testing/test-store';
import { ClusterStateWriter, type ClusterStateWriterOptions, type CommittedChunk } from './persistence';
import { markStaleSessionsDisconnected } from './state-sql';

let store: Store;

afterEach(async () => {
  await store.close();
});

/**
 * A writer that flushes only when told, recording its commits and (parsed) log lines.
 * No time limit per transaction unless a test sets one: a loaded machine must not change
 * how the others cut their chunks.
 */
async function setup(limits: Partial<ClusterStateWriterOptions> = {}, storeFor: (store: Store) => Store = (s) => s) {
  store = await openTestStore();
  const committed: CommittedChunk[] = [];
  const logged: { level: string; msg: string }[] = [];
  const writer = new ClusterStateWriter({
    store: storeFor(store),
    flushIntervalMs: 1_000_000,
    log: createLogger('debug', (level, line) => void logged.push({ level, msg: (JSON.parse(line) as { msg: string }).msg })),
    onCommitted: (chunk) => void committed.push(chunk),
    maxTransactionMs: 60_000,
    ...limits,
  });
  return { writer, committed, logged };
}

const at = new Date('2026-11-23T07:00:00Z');
const connected = { kind: 'connected', at, agentVersion: '1', kubernetesVersion: 'v1.30.0' } as const;
const snapshot = (nodes = [node('a'), gpuNode('b', 'H100', 8)], sessionId = 1) =>
  ({ kind: 'snapshot', at, state: clusterState({ nodes }), sessionId }) as const;

async function clusterRows() {
  const { clusters } = store.tables;
  return store.db.select().from(clusters).orderBy(asc(clusters.id));
}

async function nodeNames(): Promise<string[]> {
  const { clusterNodes } = store.tables;
  const rows = await store.db.select({ name: clusterNodes.name }).from(clusterNodes).orderBy(asc(clusterNodes.name));
  return rows.map((row) => row.name);
}

describe('ClusterStateWriter', () => {
  it('writes many clusters\' connects and snapshots in one transaction', async () => {
    const { writer, committed } = await setup();
    const ids: number[] = [];
    for (let i = 0; i < 40; i++) ids.push((await insertCluster(store)).clusterId);
    for (const [i, id] of ids.entries()) {
      writer.enqueue(id, connected);
      writer.enqueue(id, snapshot(undefined, 100 + i));
    }
    await writer.flush();
    expect(committed).toHaveLength(1);
    expect(committed[0]).toMatchObject({ changed: ids, nodeRows: 80, seen: 0 });
    expect(committed[0]?.snapshots).toEqual(ids.map((clusterId, i) => ({ clusterId, sessionId: 100 + i })));
    const rows = await clusterRows();
    expect(rows.every((r) => r.status === 'connected' && r.nodeCount === 2 && r.readyNodeCount === 2 && r.gpuCount === 8)).toBe(true);
    expect(rows[0]?.gpusByType).toEqual({ H100: 8 });
    expect(await nodeNames()).toHaveLength(80);
  });

  it('serves callers waiting during a flush with one more flush that stores what they queued', async () => {
    const { writer, committed } = await setup();
    const ids: number[] = [];
    for (let i = 0; i < 21; i++) ids.push((await insertCluster(store)).clusterId);
    writer.enqueue(ids[0]!, connected);
    const first = writer.flush();
    // Twenty reports arrive during it, each with a caller waiting for it to be stored.
    const waiting = ids.slice(1).map((id) => {
      writer.enqueue(id, connected);
      return writer.flush();
    });
    await Promise.all([first, ...waiting]);
    expect(committed.map((chunk) => chunk.changed)).toEqual([[ids[0]], ids.slice(1)]);
    expect((await clusterRows()).every((row) => row.status === 'connected')).toBe(true);
  });

  it('lets a snapshot supersede the deltas queued before it', async () => {
    const { writer } = await setup();
    const { clusterId } = await insertCluster(store);
    writer.enqueue(clusterId, connected);
    writer.enqueue(clusterId, { kind: 'delta', at, changes: [{ kind: 'node.upsert', node: node('stale') }] });
    writer.enqueue(clusterId, snapshot([node('fresh')]));
    await writer.flush();
    expect(await nodeNames()).toEqual(['fresh']);
  });

  it('counts nodes from the stored rows after deltas', async () => {
    const { writer } = await setup();
    const { clusterId } = await insertCluster(store);
    writer.enqueue(clusterId, connected);
    writer.enqueue(clusterId, snapshot([node('cpu'), gpuNode('g1', 'H100', 8), gpuNode('g2', 'L4', 4, { gpuType: null })]));
    writer.enqueue(clusterId, {
      kind: 'delta',
      at,
      changes: [
        { kind: 'node.upsert', node: gpuNode('g3', 'H100', 8, { ready: false }) },
        { kind: 'node.delete', name: 'cpu' },
      ],
    });
    await writer.flush();
    expect((await clusterRows())[0]).toMatchObject({
      nodeCount: 3,
      readyNodeCount: 2,
      gpuCount: 20,
      gpusByType: { H100: 16, unlabelled: 4 },
    });
  });

  it('keeps other clusters\' state when one cluster vanished before the flush', async () => {
    const { writer, committed, logged } = await setup();
    const gone = (await insertCluster(store)).clusterId;
    const kept = (await insertCluster(store)).clusterId;
    writer.enqueue(gone, snapshot([node('x')]));
    writer.enqueue(kept, snapshot([node('y')]));
    const { clusters } = store.tables;
    await store.transaction((tx) => tx.delete(clusters).where(eq(clusters.id, gone)));
    await writer.flush();
    expect(committed.map((chunk) => chunk.changed)).toEqual([[kept]]);
    expect(await nodeNames()).toEqual(['y']);
    expect(logged).toContainEqual({ level: 'error', msg: 'could not store agent state; dropped this batch for the cluster' });
  });

  it('moves only lastSeenAt on heartbeats', async () => {
    const { writer, committed } = await setup();
    const a = (await insertCluster(store)).clusterId;
    const b = (await insertCluster(store)).clusterId;
    writer.enqueue(a, { kind: 'seen', at });
    writer.enqueue(b, { kind: 'seen', at });
    await writer.flush();
    expect(committed).toMatchObject([{ changed: [], seen: 2 }]);
    expect((await clusterRows()).map((r) => ({ lastSeenAt: r.lastSeenAt, status: r.status }))).toEqual([
      { lastSeenAt: at, status: 'awaiting_agent' },
      { lastSeenAt: at, status: 'awaiting_agent' },
    ]);
  });

  it('does not mark a cluster that never connected as disconnected', async () => {
    const { writer, committed } = await setup();
    const { clusterId } = await insertCluster(store);
    writer.enqueue(clusterId, { kind: 'disconnected', at });
    await writer.flush();
    expect((await clusterRows())[0]).toMatchObject({ id: clusterId, status: 'awaiting_agent', disconnectedAt: null });
    // Nothing changed, so nothing is announced.
    expect(committed).toMatchObject([{ changed: [] }]);
  });

  it('applies a session\'s whole life in one batch, and a replacement after a disconnect, in order', async () => {
    const { writer } = await setup();
    const short = (await insertCluster(store)).clusterId;
    const replaced = (await insertCluster(store)).clusterId;
    const heard = new Date(at.getTime() + 5_000);
    const ended = new Date(at.getTime() + 9_000);
    writer.enqueue(short, connected);
    writer.enqueue(short, snapshot([node('n')]));
    writer.enqueue(short, { kind: 'disconnected', at: ended, lastHeardAt: heard });
    writer.enqueue(replaced, connected);
    await writer.flush();
    writer.enqueue(replaced, { kind: 'disconnected', at: ended, lastHeardAt: heard });
    writer.enqueue(replaced, { ...connected, at: ended });
    await writer.flush();
    const [shortRow, replacedRow] = await clusterRows();
    expect(shortRow).toMatchObject({ status: 'disconnected', connectedAt: at, disconnectedAt: ended, lastSeenAt: heard, nodeCount: 1 });
    expect(replacedRow).toMatchObject({ status: 'connected', connectedAt: ended, disconnectedAt: null, lastSeenAt: ended });
  });

  it('keeps a batch the store refused, ahead of what arrived since, and writes both next time', async () => {
    let refuse = true;
    const { writer, committed, logged } = await setup({}, (real) => ({
      ...real,
      transaction: (work) => {
        if (refuse) {
          refuse = false;
          return Promise.reject(new Error('database is locked'));
        }
        return real.transaction(work);
      },
    }));
    const { clusterId } = await insertCluster(store);
    writer.enqueue(clusterId, connected);
    writer.enqueue(clusterId, snapshot([node('first')]));
    await writer.flush();
    expect(committed).toEqual([]);
    expect(writer.pendingClusterCount).toBe(1);
    expect(logged).toContainEqual({ level: 'error', msg: 'agent state flush failed; will retry' });
    writer.enqueue(clusterId, { kind: 'delta', at, changes: [{ kind: 'node.upsert', node: node('second') }] });
    await writer.flush();
    expect(await nodeNames()).toEqual(['first', 'second']);
    expect((await clusterRows())[0]).toMatchObject({ status: 'connected', nodeCount: 2 });
  });
});

describe('connection history in the writer', () => {
  const history = (event: 'connected' | 'disconnected', reason = '', when = at) => ({ kind: 'history', at: when, event, reason, agentVersion: '1' }) as const;

  async function historyRows() {
    const { connectionEvents } = store.tables;
    return store.db
      .select({ clusterId: connectionEvents.clusterId, kind: connectionEvents.kind, reason: connectionEvents.reason })
      .from(connectionEvents)
      .orderBy(asc(connectionEvents.id));
  }

  it('writes the history of many clusters in the same transaction as their state, in order, kept through a snapshot', async () => {
    const { writer, committed } = await setup();
    const ids: number[] = [];
    for (let i = 0; i < 3; i++) ids.push((await insertCluster(store)).clusterId);
    for (const id of ids) {
      writer.enqueue(id, history('connected'));
      writer.enqueue(id, connected);
      writer.enqueue(id, history('disconnected', 'Replaced by a newer session of the agent'));
      writer.enqueue(id, history('connected'));
      // A snapshot supersedes state queued before it, never the history.
      writer.enqueue(id, snapshot([node('n')]));
    }
    await writer.flush();
    expect(committed).toHaveLength(1);
    expect(committed[0]).toMatchObject({ connectionEvents: 9 });
    expect(new Set(committed[0]?.changed)).toEqual(new Set(ids));
    expect(await historyRows()).toEqual(
      ids.flatMap((clusterId) => [
        { clusterId, kind: 'connected', reason: '' },
        { clusterId, kind: 'disconnected', reason: 'Replaced by a newer session of the agent' },
        { clusterId, kind: 'connected', reason: '' },
      ]),
    );
  });

  it('skips the history of a cluster detached before the flush, and stores the others\'', async () => {
    const { writer, committed } = await setup();
    const gone = (await insertCluster(store)).clusterId;
    const kept = (await insertCluster(store)).clusterId;
    for (const id of [gone, kept]) {
      writer.enqueue(id, history('connected'));
      writer.enqueue(id, connected);
    }
    const { clusters } = store.tables;
    await store.transaction((tx) => tx.delete(clusters).where(eq(clusters.id, gone)));
    await writer.flush();
    expect(await historyRows()).toEqual([{ clusterId: kept, kind: 'connected', reason: '' }]);
    expect(committed.map((chunk) => chunk.changed)).toEqual([[kept]]);
    expect(writer.pendingClusterCount).toBe(0);
  });

  it('announces a cluster whose only news is history (a replaced session\'s end)', async () => {
    const { writer, committed } = await setup();
    const { clusterId } = await insertCluster(store);
    writer.enqueue(clusterId, history('disconnected', 'Replaced by a newer session of the agent'));
    await writer.flush();
    expect(committed).toMatchObject([{ changed: [clusterId], connectionEvents: 1 }]);
  });

  it('counts this flush\'s reconnect when it refreshes the status: the fourth one in 15 minutes flags the cluster', async () => {
    const { writer } = await setup();
    const now = new Date();
    const { clusterId } = await insertCluster(store);
    const { connectionEvents } = store.tables;
    const minutesAgo = (minutes: number) => new Date(now.getTime() - minutes * 60_000);
    await store.transaction((tx) =>
      tx.insert(connectionEvents).values(
        [60, 9, 9, 6, 6, 3, 3].map((minutes, i) => ({ clusterId, kind: i % 2 === 0 ? ('connected' as const) : ('disconnected' as const), at: minutesAgo(minutes) })),
      ),
    );
    writer.enqueue(clusterId, history('disconnected', 'Connection lost', minutesAgo(0)));
    writer.enqueue(clusterId, history('connected', '', now));
    writer.enqueue(clusterId, { ...connected, at: now });
    await writer.flush();
    expect((await clusterRows())[0]).toMatchObject({ status: 'degraded', statusReasons: ['Unstable connection: 4 reconnects in the last 15 min.'] });
  });
});

describe('a flush bigger than one transaction may hold', () => {
  it('is cut into chunks of at most maxClustersPerFlush clusters, all stored', async () => {
    const { writer, committed } = await setup({ maxClustersPerFlush: 10 });
    const ids: number[] = [];
    for (let i = 0; i < 25; i++) ids.push((await insertCluster(store)).clusterId);
    for (const id of ids) {
      writer.enqueue(id, connected);
      writer.enqueue(id, snapshot());
    }
    await writer.flush();
    expect(committed.map((chunk) => chunk.changed.length)).toEqual([10, 10, 5]);
    // Oldest first, each cluster exactly once.
    expect(committed.flatMap((chunk) => chunk.changed)).toEqual(ids);
    expect(writer.pendingClusterCount).toBe(0);
    expect((await clusterRows()).every((r) => r.status === 'connected' && r.nodeCount === 2)).toBe(true);
  });

  it('is cut by node rows too, never splitting a cluster', async () => {
    const { writer, committed } = await setup({ maxNodeRowsPerFlush: 100 });
    const nodes = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => node(`${prefix}-${i}`));
    const small = [];
    for (let i = 0; i < 5; i++) small.push((await insertCluster(store)).clusterId);
    const huge = (await insertCluster(store)).clusterId;
    for (const [i, id] of small.entries()) writer.enqueue(id, snapshot(nodes(`s${i}`, 30)));
    writer.enqueue(huge, snapshot(nodes('huge', 250)));
    await writer.flush();
    expect(committed.map((chunk) => chunk.nodeRows)).toEqual([90, 60, 250]);
    expect(committed.map((chunk) => chunk.changed)).toEqual([small.slice(0, 3), small.slice(3), [huge]]);
    expect(await nodeNames()).toHaveLength(400);
  });

  it('stops a transaction at its time limit and writes the rest first in the next one', async () => {
    const { writer, committed } = await setup({ maxTransactionMs: 0 });
    const ids: number[] = [];
    for (let i = 0; i < 4; i++) ids.push((await insertCluster(store)).clusterId);
    for (const id of ids) writer.enqueue(id, snapshot());
    await writer.flush();
    // Out of time after every cluster: one each, in order, none lost or repeated.
    expect(committed.map((chunk) => chunk.changed)).toEqual(ids.map((id) => [id]));
    expect(writer.pendingClusterCount).toBe(0);
    expect(await nodeNames()).toHaveLength(8);
  });

  it('lets the event loop run between chunks', async () => {
    const { writer, committed } = await setup({ maxClustersPerFlush: 2 });
    const ids: number[] = [];
    for (let i = 0; i < 6; i++) ids.push((await insertCluster(store)).clusterId);
    for (const id of ids) writer.enqueue(id, snapshot());
    let chunksBeforeOtherWork = -1;
    const flushed = writer.flush();
    setImmediate(() => (chunksBeforeOtherWork = committed.length));
    await flushed;
    expect(committed).toHaveLength(3);
    // Work queued behind the flush (a socket's data, a ping) ran before the flush ended.
    expect(chunksBeforeOtherWork).toBeGreaterThanOrEqual(0);
    expect(chunksBeforeOtherWork).toBeLessThan(3);
  });

  it('leaves clusters that report during a flush to the next one', async () => {
    const { writer, committed } = await setup({ maxClustersPerFlush: 1 });
    const a = (await insertCluster(store)).clusterId;
    const b = (await insertCluster(store)).clusterId;
    writer.enqueue(a, snapshot());
    const flushed = writer.flush();
    writer.enqueue(b, snapshot());
    await flushed;
    expect(committed.flatMap((chunk) => chunk.changed)).toEqual([a]);
    expect(writer.pendingClusterCount).toBe(1);
    await writer.flush();
    expect(committed.flatMap((chunk) => chunk.changed)).toEqual([a, b]);
  });
});

describe('markStaleSessionsDisconnected', () => {
  it('closes the books on clusters a previous run left connected', async () => {
    const { writer } = await setup();
    const live = (await insertCluster(store)).clusterId;
    const never = (await insertCluster(store)).clusterId;
    writer.enqueue(live, connected);
    await writer.flush();
    expect(await store.transaction((tx) => markStaleSessionsDisconnected(tx))).toEqual([live]);
    expect((await clusterRows()).map((r) => ({ id: r.id, status: r.status }))).toEqual([
      { id: live, status: 'disconnected' },
      { id: never, status: 'awaiting_agent' },
    ]);
  });
});
