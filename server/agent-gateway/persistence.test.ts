import { eq } from 'drizzle-orm';
import { describe, expect, it, vi } from 'vitest';
import { openDatabase } from '@/db/client';
import { clusterNodes, clusters } from '@/db/schema';
import type { Logger } from '@/server/logger';
import { ClusterStateWriter, markStaleSessionsDisconnected } from './persistence';
import { insertCluster } from '@/testing/gateway-fixtures';
import { clusterState, gpuNode, node } from '@/testing/protocol-client';

/** Keeps what the writer logs, so tests can assert on it (and CI output stays clean). */
function recordingLogger(lines: { level: string; msg: string }[]): Logger {
  const record = (level: string) => (msg: string) => void lines.push({ level, msg });
  const log: Logger = { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error'), child: () => log };
  return log;
}

function setup() {
  const db = openDatabase(':memory:');
  const committed: number[][] = [];
  const logged: { level: string; msg: string }[] = [];
  const writer = new ClusterStateWriter({
    db,
    flushIntervalMs: 1_000_000,
    log: recordingLogger(logged),
    onCommitted: (ids) => committed.push([...ids]),
  });
  return { db, writer, committed, logged };
}

const at = new Date('2026-11-23T07:00:00Z');

describe('ClusterStateWriter', () => {
  it('writes many clusters\' connects and snapshots in one transaction', () => {
    const { db, writer, committed } = setup();
    const ids = Array.from({ length: 40 }, () => insertCluster(db).clusterId);
    for (const id of ids) {
      writer.enqueue(id, { kind: 'connected', at, agentVersion: '1', kubernetesVersion: 'v1.30.0' });
      writer.enqueue(id, { kind: 'snapshot', at, state: clusterState({ nodes: [node('a'), gpuNode('b', 'H100', 8)] }) });
    }
    const transaction = vi.spyOn(db, 'transaction');
    writer.flush();
    expect(transaction).toHaveBeenCalledTimes(1);
    expect(committed).toEqual([ids]);
    const rows = db.select().from(clusters).all();
    expect(rows.every((r) => r.status === 'connected' && r.nodeCount === 2 && r.gpuCount === 8)).toBe(true);
    expect(db.select().from(clusterNodes).all()).toHaveLength(80);
  });

  it('lets a snapshot supersede the deltas queued before it', () => {
    const { db, writer } = setup();
    const { clusterId } = insertCluster(db);
    writer.enqueue(clusterId, { kind: 'connected', at, agentVersion: '1', kubernetesVersion: 'v1.30.0' });
    writer.enqueue(clusterId, { kind: 'delta', at, changes: [{ kind: 'node.upsert', node: node('stale') }] });
    writer.enqueue(clusterId, { kind: 'snapshot', at, state: clusterState({ nodes: [node('fresh')] }) });
    writer.flush();
    expect(db.select({ name: clusterNodes.name }).from(clusterNodes).all()).toEqual([{ name: 'fresh' }]);
  });

  it('keeps other clusters\' state when one cluster vanished before the flush', () => {
    const { db, writer, committed, logged } = setup();
    const gone = insertCluster(db).clusterId;
    const kept = insertCluster(db).clusterId;
    writer.enqueue(gone, { kind: 'snapshot', at, state: clusterState({ nodes: [node('x')] }) });
    writer.enqueue(kept, { kind: 'snapshot', at, state: clusterState({ nodes: [node('y')] }) });
    db.delete(clusters).where(eq(clusters.id, gone)).run();
    writer.flush();
    expect(committed).toEqual([[kept]]);
    expect(db.select({ name: clusterNodes.name }).from(clusterNodes).all()).toEqual([{ name: 'y' }]);
    expect(logged).toContainEqual({ level: 'error', msg: 'could not store agent state; dropped this batch for the cluster' });
  });

  it('moves only lastSeenAt on heartbeats, for all clusters in one statement', () => {
    const { db, writer, committed } = setup();
    const a = insertCluster(db).clusterId;
    const b = insertCluster(db).clusterId;
    writer.enqueue(a, { kind: 'seen', at });
    writer.enqueue(b, { kind: 'seen', at });
    writer.flush();
    expect(committed).toEqual([]);
    expect(db.select({ lastSeenAt: clusters.lastSeenAt, status: clusters.status }).from(clusters).all()).toEqual([
      { lastSeenAt: at, status: 'awaiting_agent' },
      { lastSeenAt: at, status: 'awaiting_agent' },
    ]);
  });

  it('does not mark a cluster that never connected as disconnected', () => {
    const { db, writer } = setup();
    const { clusterId } = insertCluster(db);
    writer.enqueue(clusterId, { kind: 'disconnected', at });
    writer.flush();
    expect(db.select().from(clusters).get()).toMatchObject({ status: 'awaiting_agent', disconnectedAt: null });
  });
});

describe('markStaleSessionsDisconnected', () => {
  it('closes the books on clusters a previous run left connected', () => {
    const { db, writer } = setup();
    const live = insertCluster(db).clusterId;
    const never = insertCluster(db).clusterId;
    writer.enqueue(live, { kind: 'connected', at, agentVersion: '1', kubernetesVersion: 'v1.30.0' });
    writer.flush();
    expect(markStaleSessionsDisconnected(db)).toEqual([live]);
    const rows = db.select({ id: clusters.id, status: clusters.status }).from(clusters).orderBy(clusters.id).all();
    expect(rows).toEqual([
      { id: live, status: 'disconnected' },
      { id: never, status: 'awaiting_agent' },
    ]);
  });
});
