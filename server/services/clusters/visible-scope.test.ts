/**
 * Admins see every cluster; members only those holding a workspace they have a role on
 * (server/access/workspace-access.test.ts tests that through real grants). This pins
 * down, with the scope forced, that the fleet's lists, counts, facets and search obey
 * whatever `visibleScope` answers.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type * as Authorize from '@/server/access/authorize';
import { routerHarness, type RouterHarness } from '@/testing/router-harness';

const scope = vi.hoisted(() => ({ current: undefined as Authorize.VisibleScope | undefined }));

vi.mock('@/server/access/authorize', async (importOriginal) => {
  const original = await importOriginal<typeof Authorize>();
  return {
    ...original,
    visibleScope: (...args: Parameters<typeof original.visibleScope>) => scope.current ?? original.visibleScope(...args),
  };
});

describe('the fleet as a caller who sees some clusters', () => {
  let h: RouterHarness;
  const ids = new Map<string, number>();

  beforeEach(async () => {
    h = await routerHarness();
    const { environments } = h.store.tables;
    const envRows = await h.store.transaction((tx) =>
      tx.insert(environments).values([{ name: 'dev', color: '#22c55e' }, { name: 'prod', color: '#ef4444', isProduction: true }]).returning(),
    );
    const envId = (name: string) => envRows.find((env) => env.name === name)!.id;
    for (const [name, provider, env] of [
      ['eks-prod-1', 'aws-eks', 'prod'],
      ['eks-dev-1', 'aws-eks', 'dev'],
      ['gke-prod-1', 'gcp-gke', 'prod'],
    ] as const) {
      const { cluster } = await h.asAdmin.clusters.attach({ name, provider, region: 'us-east-1', environmentIds: [envId(env)] });
      ids.set(name, cluster.id);
    }
  });
  afterEach(async () => {
    scope.current = undefined;
    await h.cp.close();
  });

  it('lists, counts, searches, facets and overviews only the visible clusters', async () => {
    scope.current = { kind: 'some', ids: [ids.get('eks-prod-1')!, ids.get('gke-prod-1')!] };

    const list = await h.asMember.clusters.list({});
    expect(list.rows.map((row) => row.name)).toEqual(['eks-prod-1', 'gke-prod-1']);
    expect(list.total).toBe(2);
    expect((await h.asMember.clusters.list({ search: 'eks' })).rows.map((row) => row.name)).toEqual(['eks-prod-1']);
    expect((await h.asMember.clusters.list({ environments: ['dev'] })).total).toBe(0);

    const facets = await h.asMember.clusters.facets();
    expect(facets.total).toBe(2);
    expect(facets.providers).toEqual([{ value: 'aws-eks', count: 1 }, { value: 'gcp-gke', count: 1 }]);
    expect(facets.environments.map((env) => [env.name, env.count])).toEqual([['dev', 0], ['prod', 2]]);

    const overview = await h.asMember.clusters.overview();
    expect(overview.totals.clusters).toBe(2);
    expect(overview.byEnvironment.map((env) => [env.name, env.count])).toEqual([['dev', 0], ['prod', 2]]);
    expect(overview.needingAttention.map((row) => row.name)).toEqual(['eks-prod-1', 'gke-prod-1']);
    expect(overview.needingAttentionTotal).toBe(2);
  });

  it('hears of changes to the visible clusters only', async () => {
    const visible = ids.get('eks-prod-1')!;
    const hidden = ids.get('eks-dev-1')!;
    scope.current = { kind: 'some', ids: [visible] };
    const feed = (await h.asMember.clusters.onChange())[Symbol.asyncIterator]();
    try {
      await feed.next();
      h.cp.bus.publish({ type: 'cluster.changed', clusterIds: [hidden] });
      h.cp.bus.publish({ type: 'agent.sessionOpened', clusterId: hidden });
      h.cp.bus.publish({ type: 'cluster.changed', clusterIds: [hidden, visible] });
      await expect(feed.next()).resolves.toMatchObject({ value: { clusterIds: [visible] } });
    } finally {
      await feed.return?.(undefined);
    }
  });

  it('sees nothing, and counts nothing, with an empty scope', async () => {
    scope.current = { kind: 'some', ids: [] };
    expect(await h.asMember.clusters.list({})).toMatchObject({ rows: [], total: 0, page: 1, pageCount: 1 });
    expect((await h.asMember.clusters.facets()).total).toBe(0);
    expect((await h.asMember.clusters.overview()).totals).toEqual({ clusters: 0, nodes: 0, readyNodes: 0, gpus: 0 });
  });
});
