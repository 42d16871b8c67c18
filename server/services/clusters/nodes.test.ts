import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { insertCluster } from '@/testing/gateway-fixtures';
import { routerHarness, type RouterHarness } from '@/testing/router-harness';

let h: RouterHarness;

beforeEach(async () => {
  h = await routerHarness();
  const { clusterId } = await insertCluster(h.store, { name: 'big' });
  const { clusterNodes } = h.store.tables;
  // 1,200 nodes: 1,000 H100 nodes in pool gpu-a (every 100th NotReady) and 200 CPU nodes.
  const rows = Array.from({ length: 1_200 }, (_, i) => {
    const gpu = i < 1_000;
    return {
      clusterId,
      name: `${gpu ? 'gpu' : 'cpu'}-${String(i).padStart(4, '0')}`,
      nodePool: gpu ? 'gpu-a' : 'system',
      gpuType: gpu ? 'H100' : null,
      gpuCount: gpu ? 8 : 0,
      ready: i % 100 !== 7,
      kubeletVersion: 'v1.30.4',
      conditions: [{ type: 'Ready', status: i % 100 !== 7 ? 'True' : 'False' }],
      readySince: i % 100 !== 7 ? new Date('2026-01-05T08:00:00Z') : null,
    };
  });
  await h.store.transaction(async (tx) => {
    for (let i = 0; i < rows.length; i += 200) await tx.insert(clusterNodes).values(rows.slice(i, i + 200));
  });
});

afterEach(() => h.cp.close());

describe('clusters.nodes', () => {
  it('pages on the server with NotReady nodes first', async () => {
    const first = await h.asAdmin.clusters.nodes({ name: 'big', pageSize: 50 });
    expect(first).toMatchObject({ total: 1_200, page: 1, pageCount: 24, counts: { all: 1_200, ready: 1_188, notReady: 12 } });
    expect(first.nodes).toHaveLength(50);
    expect(first.nodes.slice(0, 12).every((node) => !node.ready)).toBe(true);
    expect(first.nodes[12]?.ready).toBe(true);
    // A page past the last answers the last.
    const last = await h.asAdmin.clusters.nodes({ name: 'big', pageSize: 50, page: 99 });
    expect(last.page).toBe(24);
  });

  it('searches name, pool and GPU type in any case, and filters by readiness', async () => {
    expect((await h.asAdmin.clusters.nodes({ name: 'big', search: 'SYSTEM' })).total).toBe(200);
    expect((await h.asAdmin.clusters.nodes({ name: 'big', search: 'h100', readiness: 'notReady' })).total).toBe(10);
    const one = await h.asAdmin.clusters.nodes({ name: 'big', search: 'gpu-0007' });
    expect(one.nodes).toEqual([
      expect.objectContaining({ name: 'gpu-0007', ready: false, readySince: null, kubeletVersion: 'v1.30.4', nodePool: 'gpu-a' }),
    ]);
    // LIKE wildcards in a search are taken literally.
    expect((await h.asAdmin.clusters.nodes({ name: 'big', search: '%' })).total).toBe(0);
  });

  it('refuses an unknown cluster and unbounded input', async () => {
    await expect(h.asAdmin.clusters.nodes({ name: 'nope' })).rejects.toThrow(/does not exist/);
    await expect(h.asAdmin.clusters.nodes({ name: 'big', pageSize: 5_000 })).rejects.toThrow();
    await expect(h.asAdmin.clusters.nodes({ name: 'big', search: 'x'.repeat(101) })).rejects.toThrow(/at most 100/);
  });
});
