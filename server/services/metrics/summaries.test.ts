import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SUMMARY_STALE_AFTER_SECONDS, type MetricSummary } from '@/lib/metrics';
import { pruneSummaryHistory, storeSummaries } from '@/server/agent-gateway/summary-sql';
import type { Store } from '@/server/store';
import { insertCluster } from '@/testing/gateway-fixtures';
import { openTestStore } from '@/testing/test-store';
import { histories, history, latestSummaries } from './summaries';

let store: Store;
beforeEach(async () => {
  store = await openTestStore();
});
afterEach(async () => {
  await store.close();
});

const summary = (nodesReady: number): MetricSummary => ({
  gpus: [{ model: 'H100', nodePool: 'gpu', total: 8, allocated: 6, idleAllocated: 2, meanUtilization: 41.5 }],
  nodesReady,
  nodesTotal: 4,
  cpuUtilization: 0.5,
  memoryUtilization: 0.25,
  xidErrors: 0,
  hotGpus: 1,
});
const at = (seconds: number) => new Date(Date.UTC(2026, 10, 23, 12, 0, 0) + seconds * 1000);
const store1 = (clusterId: number, seconds: number, s = summary(3), error: string | null = null) =>
  store.transaction((tx) => storeSummaries(tx, [{ clusterId, collectedAt: at(seconds), summary: s, error }], 30));

async function setStatus(clusterId: number, status: 'connected' | 'disconnected') {
  const { clusters } = store.tables;
  await store.transaction((tx) => tx.update(clusters).set({ status }).where(eq(clusters.id, clusterId)));
}

describe('metric summaries (store and read)', () => {
  it('keeps the latest per cluster with its age; stale when old or the agent is disconnected', async () => {
    const a = (await insertCluster(store)).clusterId;
    const b = (await insertCluster(store)).clusterId;
    await setStatus(a, 'connected');
    await setStatus(b, 'disconnected');
    await store1(a, 0, summary(2));
    await store1(a, 30, summary(3));
    await store1(b, 30);
    const now = at(40);
    const latest = await latestSummaries(store.db, undefined, { now });
    expect(latest.get(a)).toMatchObject({ ageSeconds: 10, stale: false, staleReason: null, error: null, summary: summary(3) });
    expect(latest.get(a)?.collectedAt.getTime()).toBe(at(30).getTime());
    expect(latest.get(b)).toMatchObject({ stale: true, staleReason: 'disconnected' });
    const later = await latestSummaries(store.db, [a], { now: at(30 + SUMMARY_STALE_AFTER_SECONDS + 1) });
    expect([...later.keys()]).toEqual([a]);
    expect(later.get(a)).toMatchObject({ stale: true, staleReason: 'old', ageSeconds: SUMMARY_STALE_AFTER_SECONDS + 1 });
  });

  it('appends history at most once per interval, keeps a failed poll out of it, prunes by age', async () => {
    const a = (await insertCluster(store)).clusterId;
    await store1(a, 0, summary(1));
    await store1(a, 10, summary(2)); // too soon for history
    await store1(a, 30, summary(3));
    const empty: MetricSummary = { gpus: [], nodesReady: null, nodesTotal: null, cpuUtilization: null, memoryUtilization: null, xidErrors: null, hotGpus: null };
    await store1(a, 60, empty, 'Prometheus unreachable: connect ECONNREFUSED 127.0.0.1:9');
    const points = await history(store.db, a, 24, { now: at(70) });
    expect(points.map((p) => [p.collectedAt.getTime(), p.summary.nodesReady])).toEqual([
      [at(0).getTime(), 1],
      [at(30).getTime(), 3],
    ]);
    const latest = (await latestSummaries(store.db, [a], { now: at(70) })).get(a);
    expect(latest?.error).toBe('Prometheus unreachable: connect ECONNREFUSED 127.0.0.1:9');
    expect(latest?.summary).toEqual(empty);
    expect(await store.transaction((tx) => pruneSummaryHistory(tx, at(15)))).toBe(1);
    expect(await store.transaction((tx) => pruneSummaryHistory(tx, at(15)))).toBe(0);
    expect((await histories(store.db, [a], 24, { now: at(70) })).get(a)?.length).toBe(1);
  });

  it('skips a cluster detached meanwhile, and its summaries go with it', async () => {
    const a = (await insertCluster(store)).clusterId;
    const b = (await insertCluster(store)).clusterId;
    await store1(a, 0);
    const { clusters } = store.tables;
    await store.transaction((tx) => tx.delete(clusters).where(eq(clusters.id, a)));
    expect((await latestSummaries(store.db)).size).toBe(0);
    expect(await history(store.db, a, 24, { now: at(1) })).toEqual([]);
    const stored = await store.transaction((tx) =>
      storeSummaries(tx, [{ clusterId: a, collectedAt: at(30), summary: summary(1), error: null }, { clusterId: b, collectedAt: at(30), summary: summary(1), error: null }], 30),
    );
    expect(stored).toEqual([b]);
  });
});
