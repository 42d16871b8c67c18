import { asc, eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import type { ControlPlane } from '@/server/control-plane';
import type { DomainEvent } from '@/server/events/bus';
import { refreshClusterStatus } from '@/server/services/cluster-status';
import { insertCluster } from '@/testing/gateway-fixtures';
import { createTestControlPlane } from '@/testing/router-harness';
import { waitFor } from '@/testing/wait-for';

const minute = 60_000;
const day = 24 * 60 * minute;
let cp: ControlPlane | undefined;
afterEach(async () => {
  await cp?.close();
  cp = undefined;
});

/** A control plane whose upkeep reads the time from `clock.now`. */
async function controlPlaneAt(start: Date, flapSweepMs = 60_000) {
  const clock = { now: start };
  cp = await createTestControlPlane({ connectionUpkeep: { clock: () => clock.now, flapSweepMs } });
  const changes: DomainEvent[] = [];
  cp.bus.subscribe('cluster.changed', (event) => void changes.push(event));
  return { cp, clock, changes };
}

/** A connected cluster with these connects and disconnects, `minutesAgo` before `now`. */
async function flappingCluster(cp: ControlPlane, now: Date, events: [kind: 'connected' | 'disconnected', minutesAgo: number][]) {
  const { clusterId } = await insertCluster(cp.store, { connectedAt: now, lastSeenAt: now });
  const { connectionEvents } = cp.store.tables;
  await cp.store.transaction(async (tx) => {
    await tx.insert(connectionEvents).values(events.map(([kind, minutesAgo]) => ({ clusterId, kind, at: new Date(now.getTime() - minutesAgo * minute) })));
    await refreshClusterStatus(tx, clusterId, now);
  });
  return clusterId;
}

async function statusOf(cp: ControlPlane, clusterId: number) {
  const { clusters } = cp.store.tables;
  const [row] = await cp.store.db.select({ status: clusters.status, reasons: clusters.statusReasons }).from(clusters).where(eq(clusters.id, clusterId));
  return row;
}

const flaps: [kind: 'connected' | 'disconnected', minutesAgo: number][] = [
  ['connected', 120],
  ['disconnected', 10],
  ['connected', 10],
  ['disconnected', 8],
  ['connected', 8],
  ['disconnected', 6],
  ['connected', 6],
  ['disconnected', 4],
  ['connected', 4],
];

describe('connection upkeep', () => {
  it('clears an unstable connection once 15 quiet minutes pass, and tells live views', async () => {
    const now = new Date('2026-11-23T14:00:00Z');
    const { cp, clock, changes } = await controlPlaneAt(now);
    const clusterId = await flappingCluster(cp, now, flaps);
    expect(await statusOf(cp, clusterId)).toEqual({ status: 'degraded', reasons: ['Unstable connection: 4 reconnects in the last 15 min.'] });

    // Still inside the window: nothing moves, nothing is published.
    clock.now = new Date(now.getTime() + 2 * minute);
    expect(await cp.connectionUpkeep.sweepFlapping()).toEqual([]);
    expect(changes).toEqual([]);

    // The oldest reconnect leaves the window: three remain, the flag clears by itself.
    clock.now = new Date(now.getTime() + 6 * minute);
    expect(await cp.connectionUpkeep.sweepFlapping()).toEqual([clusterId]);
    expect(await statusOf(cp, clusterId)).toEqual({ status: 'connected', reasons: [] });
    expect(changes).toEqual([{ type: 'cluster.changed', clusterIds: [clusterId] }]);
    // Not flagged any more: the next pass leaves it alone.
    expect(await cp.connectionUpkeep.sweepFlapping()).toEqual([]);
  });

  it('runs the sweep on its own timer', async () => {
    const now = new Date('2026-11-23T14:00:00Z');
    const { cp, clock, changes } = await controlPlaneAt(now, 50);
    const clusterId = await flappingCluster(cp, now, flaps);
    clock.now = new Date(now.getTime() + 20 * minute);
    await waitFor(() => changes.length > 0, 5_000, 'the timer cleared the flag');
    expect(await statusOf(cp, clusterId)).toEqual({ status: 'connected', reasons: [] });
  });

  it('keeps 30 days of history and deletes what is older', async () => {
    const now = new Date('2026-11-23T14:00:00Z');
    const { cp } = await controlPlaneAt(now);
    const { clusterId } = await insertCluster(cp.store);
    const { connectionEvents } = cp.store.tables;
    const ages = [45 * day, 31 * day, 30 * day + minute, 29 * day, 1 * day];
    await cp.store.transaction((tx) =>
      tx.insert(connectionEvents).values(ages.map((age) => ({ clusterId, kind: 'connected' as const, at: new Date(now.getTime() - age) }))),
    );
    expect(await cp.connectionUpkeep.prune()).toBe(3);
    const left = await cp.store.db.select({ at: connectionEvents.at }).from(connectionEvents).orderBy(asc(connectionEvents.at));
    expect(left.map((row) => now.getTime() - row.at.getTime())).toEqual([29 * day, 1 * day]);
  });
});
