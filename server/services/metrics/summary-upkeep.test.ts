import { afterEach, beforeEach, expect, it } from 'vitest';
import type { MetricSummary } from '@/lib/metrics';
import { storeSummaries } from '@/server/agent-gateway/summary-sql';
import { createLogger } from '@/server/logger';
import type { Store } from '@/server/store';
import { insertCluster } from '@/testing/gateway-fixtures';
import { openTestStore } from '@/testing/test-store';
import { history } from './summaries';
import { startSummaryUpkeep } from './summary-upkeep';

let store: Store;
beforeEach(async () => {
  store = await openTestStore();
});
afterEach(async () => {
  await store.close();
});

const summary: MetricSummary = { gpus: [], nodesReady: 1, nodesTotal: 1, cpuUtilization: null, memoryUtilization: null, xidErrors: null, hotGpus: null };

it('prunes summary history older than 24 hours, and only that', async () => {
  const now = new Date('2026-11-23T12:00:00Z');
  const hoursAgo = (hours: number) => new Date(now.getTime() - hours * 3_600_000);
  const a = (await insertCluster(store)).clusterId;
  for (const hours of [30, 24.5, 23.5, 1]) {
    await store.transaction((tx) => storeSummaries(tx, [{ clusterId: a, collectedAt: hoursAgo(hours), summary, error: null }], 30));
  }
  const upkeep = startSummaryUpkeep({ store, log: createLogger('error'), clock: () => now, pruneMs: 3_600_000 });
  try {
    expect(await upkeep.prune()).toBe(2);
    expect((await history(store.db, a, 48, { now })).map((p) => p.collectedAt.getTime())).toEqual([hoursAgo(23.5).getTime(), hoursAgo(1).getTime()]);
    expect(await upkeep.prune()).toBe(0);
  } finally {
    await upkeep.stop();
  }
});
