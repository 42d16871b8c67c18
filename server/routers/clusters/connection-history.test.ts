import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { insertCluster } from '@/testing/gateway-fixtures';
import { routerHarness, type RouterHarness } from '@/testing/router-harness';

let h: RouterHarness;
beforeEach(async () => {
  h = await routerHarness();
});
afterEach(async () => {
  await h.cp.close();
});

const minute = 60_000;

/** A cluster with a connection history: each event `minutesAgo` before now, in the order given. */
async function clusterWithHistory(events: [kind: 'connected' | 'disconnected', minutesAgo: number, reason?: string][]) {
  const { clusterId } = await insertCluster(h.store, { connectedAt: new Date(), lastSeenAt: new Date() });
  const { clusters, connectionEvents } = h.store.tables;
  const now = Date.now();
  if (events.length > 0) await h.store.transaction(async (tx) => {
    await tx.insert(connectionEvents).values(
      events.map(([kind, minutesAgo, reason]) => ({ clusterId, kind, at: new Date(now - minutesAgo * minute), reason: reason ?? '', agentVersion: '1.0.0' })),
    );
  });
  const [row] = await h.store.db.select({ name: clusters.name }).from(clusters).where(eq(clusters.id, clusterId));
  if (!row) throw new Error('no cluster');
  return row.name;
}

describe('clusters.connectionHistory', () => {
  it('gives uptime over 24 h and 7 d, the unstable flag with its count, and the events newest first with their reasons', async () => {
    const name = await clusterWithHistory([
      ['connected', 3 * 24 * 60],
      ['disconnected', 20 * 60, 'Heartbeat missed: nothing heard for 26.0 s (timeout 25.0 s)'],
      ['connected', 8 * 60],
      ['disconnected', 12, 'Agent closed the connection (1001)'],
      ['connected', 12],
      ['disconnected', 9, 'Agent closed the connection (1001)'],
      ['connected', 9],
      ['disconnected', 6, 'Agent closed the connection (1001)'],
      ['connected', 6],
      ['disconnected', 3, 'Agent closed the connection (1001)'],
      ['connected', 3],
    ]);
    const history = await h.asAdmin.clusters.connectionHistory({ name });
    expect(history.clusterName).toBe(name);
    expect(history.connected).toBe(true);
    // Down from 20 h ago to 8 h ago: 12 of 24 hours; of the week's 72 h of history, 60 up.
    expect(history.uptime.last24h.ratio).toBeCloseTo(12 / 24, 3);
    expect(history.uptime.last7d.ratio).toBeCloseTo(60 / 72, 3);
    expect(history.flapping).toEqual({ unstable: true, reconnects: 4, windowMs: 15 * minute, threshold: 3 });
    expect(history.events).toHaveLength(11);
    expect(history.events[0]).toMatchObject({ kind: 'connected', reason: '', agentVersion: '1.0.0' });
    expect(history.events[1]).toMatchObject({ kind: 'disconnected', reason: 'Agent closed the connection (1001)' });
    expect(history.events.at(-1)).toMatchObject({ kind: 'connected' });
    expect(history.nextBefore).toBeNull();
  });

  it('pages older events with `before`, and the last page says so', async () => {
    const name = await clusterWithHistory([
      ['connected', 50],
      ['disconnected', 40],
      ['connected', 30],
      ['disconnected', 20],
      ['connected', 10],
    ]);
    const first = await h.asAdmin.clusters.connectionHistory({ name, limit: 2 });
    expect(first.events.map((e) => e.kind)).toEqual(['connected', 'disconnected']);
    expect(first.nextBefore).not.toBeNull();
    const second = await h.asAdmin.clusters.connectionHistory({ name, limit: 2, before: first.nextBefore ?? undefined });
    expect(second.events.map((e) => e.kind)).toEqual(['connected', 'disconnected']);
    const last = await h.asAdmin.clusters.connectionHistory({ name, limit: 2, before: second.nextBefore ?? undefined });
    expect(last.events.map((e) => e.kind)).toEqual(['connected']);
    expect(last.nextBefore).toBeNull();
    const ids = [...first.events, ...second.events, ...last.events].map((e) => e.id);
    expect(new Set(ids).size).toBe(5);
  });

  it('says there is nothing to go by before the first connection', async () => {
    const name = await clusterWithHistory([]);
    const history = await h.asAdmin.clusters.connectionHistory({ name });
    expect(history.uptime.last24h.ratio).toBeNull();
    expect(history.events).toEqual([]);
    expect(history.flapping.unstable).toBe(false);
  });

  it('refuses a page larger than the limit and the signed-out; members read it like the cluster page, through a workspace role', async () => {
    const name = await clusterWithHistory([['connected', 1]]);
    await expect(h.asAdmin.clusters.connectionHistory({ name, limit: 10_000 })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(h.anonymous.clusters.connectionHistory({ name })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await expect(h.asMember.clusters.connectionHistory({ name })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await h.store.transaction(async (tx) => {
      const { clusters, environments, workspaceRoles, workspaces } = h.store.tables;
      const [cluster] = await tx.select({ id: clusters.id }).from(clusters).where(eq(clusters.name, name));
      const [env] = await tx.insert(environments).values({ name: 'dev', color: '#22c55e' }).returning();
      const [workspace] = await tx.insert(workspaces).values({ clusterId: cluster!.id, name: 'team-a', environmentId: env!.id }).returning();
      await tx.insert(workspaceRoles).values({ workspaceId: workspace!.id, userId: h.member.userId, role: 'viewer' });
    });
    await expect(h.asMember.clusters.connectionHistory({ name })).resolves.toMatchObject({ clusterName: name });
    await expect(h.asAdmin.clusters.connectionHistory({ name: 'no-such-cluster' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
