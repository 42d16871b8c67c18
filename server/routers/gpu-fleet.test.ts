import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SUMMARY_STALE_AFTER_SECONDS, type GpuPoolSummary, type MetricSummary } from '@/lib/metrics';
import type { ProviderId } from '@/lib/providers';
import { storeSummaries } from '@/server/agent-gateway/summary-sql';
import { gpuFleetHistory } from '@/server/services/metrics/gpu-fleet';
import { insertCluster } from '@/testing/gateway-fixtures';
import { routerHarness, type RouterHarness } from '@/testing/router-harness';

const pool = (model: string, nodePool: string, total: number, allocated: number, idleAllocated: number, meanUtilization: number | null): GpuPoolSummary => ({
  model,
  nodePool,
  total,
  allocated,
  idleAllocated,
  meanUtilization,
});
const summaryOf = (gpus: GpuPoolSummary[], extra: Partial<MetricSummary> = {}): MetricSummary => ({
  gpus,
  nodesReady: 4,
  nodesTotal: 4,
  cpuUtilization: 0.4,
  memoryUtilization: 0.5,
  xidErrors: 0,
  hotGpus: 0,
  ...extra,
});

describe('gpuFleet router', () => {
  let h: RouterHarness;
  let envs: { dev: number; prod: number };
  beforeEach(async () => {
    h = await routerHarness();
    const { environments } = h.store.tables;
    const rows = await h.store.transaction((tx) =>
      tx.insert(environments).values([{ name: 'dev', color: '#22c55e' }, { name: 'prod', color: '#ef4444', isProduction: true }]).returning(),
    );
    envs = { dev: rows.find((r) => r.name === 'dev')!.id, prod: rows.find((r) => r.name === 'prod')!.id };
  });
  afterEach(() => h.cp.close());

  async function cluster(name: string, provider: ProviderId, environmentId: number, summary?: MetricSummary, collectedAt = new Date(), error: string | null = null) {
    const { clusterId } = await insertCluster(h.store, { name, provider, status: 'connected' });
    const { clusterEnvironments } = h.store.tables;
    await h.store.transaction((tx) => tx.insert(clusterEnvironments).values({ clusterId, environmentId }));
    if (summary) await h.store.transaction((tx) => storeSummaries(tx, [{ clusterId, collectedAt, summary, error }], 30));
    return clusterId;
  }

  /** Three clusters with summaries (one stale), one without. */
  async function fleet() {
    const now = Date.now();
    const a = await cluster('a-prod-eks', 'aws-eks', envs.prod, summaryOf([pool('H100', 'h100-train', 16, 12, 4, 50), pool('L4', 'l4-infer', 8, 2, 0, 10)]));
    const b = await cluster('b-dev-cw', 'coreweave-cks', envs.dev, summaryOf([pool('H100', 'h100', 8, 8, 0, 90), pool('H100', 'h100-spot', 8, 1, 1, null)]));
    const c = await cluster('c-prod-cw', 'coreweave-cks', envs.prod, summaryOf([pool('A100', 'a100', 4, 4, 3, 20)]), new Date(now - (SUMMARY_STALE_AFTER_SECONDS + 300) * 1000));
    const d = await cluster('d-dev-new', 'gcp-gke', envs.dev);
    return { a, b, c, d };
  }

  it('pools GPUs by type across clusters: each pooled total is the sum over the per-cluster rows', async () => {
    await fleet();
    const overview = await h.asAdmin.gpuFleet.overview({ pageSize: 100 });
    expect(overview.rows.map((r) => r.name)).toEqual(['a-prod-eks', 'b-dev-cw', 'c-prod-cw', 'd-dev-new']);
    const byModel = Object.fromEntries(overview.pools.map((p) => [p.model, p]));
    expect(byModel.H100).toMatchObject({ total: 32, allocated: 21, idleAllocated: 5, free: 11, clusterCount: 2 });
    // Weighted by GPU count, over the GPUs with DCGM data: (16·50 + 8·90) / 24.
    expect(byModel.H100?.meanUtilization).toBeCloseTo((16 * 50 + 8 * 90) / 24, 1);
    expect(byModel.L4).toMatchObject({ total: 8, allocated: 2, free: 6 });
    expect(byModel.A100).toMatchObject({ total: 4, allocated: 4, idleAllocated: 3, free: 0 });
    // Where is there a free H100: the pools holding it, most free first.
    expect(byModel.H100?.holders.map((x) => [x.clusterName, x.nodePool, x.free])).toEqual([
      ['b-dev-cw', 'h100-spot', 7],
      ['a-prod-eks', 'h100-train', 4],
      ['b-dev-cw', 'h100', 0],
    ]);
    for (const key of ['total', 'allocated', 'idleAllocated', 'free'] as const) {
      const pooled = overview.pools.reduce((sum, p) => sum + p[key], 0);
      const rows = overview.rows.reduce((sum, r) => sum + r[key], 0);
      expect(pooled, key).toBe(rows);
      expect(overview.totals[key], key).toBe(rows);
      for (const type of overview.pools) {
        const perCluster = overview.rows.reduce((sum, r) => sum + (r.byType.find((t) => t.model === type.model)?.[key] ?? 0), 0);
        expect(type[key], `${type.model} ${key}`).toBe(perCluster);
      }
    }
    expect(overview.totals).toMatchObject({ clusters: 4, reporting: 3, noMetrics: 1, stale: 1, total: 44, allocated: 27, idleAllocated: 8, free: 17 });
  });

  it('flags a stale summary with its age and lists a cluster without one as no metrics yet', async () => {
    await fleet();
    const { rows } = await h.asAdmin.gpuFleet.overview({});
    const stale = rows.find((r) => r.name === 'c-prod-cw');
    expect(stale).toMatchObject({ hasMetrics: true, stale: true, staleReason: 'old', total: 4 });
    expect(stale?.ageSeconds).toBeGreaterThanOrEqual(SUMMARY_STALE_AFTER_SECONDS + 300);
    expect(rows.find((r) => r.name === 'a-prod-eks')).toMatchObject({ stale: false, staleReason: null });
    expect(rows.find((r) => r.name === 'd-dev-new')).toMatchObject({ hasMetrics: false, total: 0, byType: [], ageSeconds: null, meanUtilization: null });
  });

  it('filters by environment and provider, the pooled cards with the table; sorts by any column, no metrics last', async () => {
    await fleet();
    const prod = await h.asAdmin.gpuFleet.overview({ environments: ['prod'] });
    expect(prod.rows.map((r) => r.name)).toEqual(['a-prod-eks', 'c-prod-cw']);
    expect(prod.pools.find((p) => p.model === 'H100')).toMatchObject({ total: 16, clusterCount: 1 });
    const coreweaveProd = await h.asAdmin.gpuFleet.overview({ environments: ['prod'], providers: ['coreweave-cks'] });
    expect(coreweaveProd.rows.map((r) => r.name)).toEqual(['c-prod-cw']);
    expect(coreweaveProd.pools.map((p) => p.model)).toEqual(['A100']);

    const byFree = await h.asAdmin.gpuFleet.overview({ sort: 'free', direction: 'desc' });
    expect(byFree.rows.map((r) => [r.name, r.free])).toEqual([['a-prod-eks', 10], ['b-dev-cw', 7], ['c-prod-cw', 0], ['d-dev-new', 0]]);
    const byFreeAsc = await h.asAdmin.gpuFleet.overview({ sort: 'free', direction: 'asc' });
    expect(byFreeAsc.rows.at(-1)?.name).toBe('d-dev-new');
    const byUtil = await h.asAdmin.gpuFleet.overview({ sort: 'meanUtilization', direction: 'desc' });
    expect(byUtil.rows.map((r) => r.name)).toEqual(['b-dev-cw', 'a-prod-eks', 'c-prod-cw', 'd-dev-new']);
    const paged = await h.asAdmin.gpuFleet.overview({ sort: 'name', pageSize: 3, page: 2 });
    expect(paged).toMatchObject({ page: 2, pageCount: 2 });
    expect(paged.rows.map((r) => r.name)).toEqual(['d-dev-new']);
    // Paging never changes the pooled numbers.
    expect(paged.totals.total).toBe(44);
  });

  it("a member sees only their clusters' GPUs", async () => {
    const { b } = await fleet();
    await expect(h.asMember.gpuFleet.overview({})).resolves.toMatchObject({ rows: [], pools: [], totals: { clusters: 0, total: 0 } });
    const workspace = await h.asAdmin.workspaces.create({ name: 'team-a', clusterId: b, environmentId: envs.dev });
    await h.asAdmin.workspaces.roles.grant({ id: workspace.id, userId: h.member.userId, role: 'viewer' });
    const mine = await h.asMember.gpuFleet.overview({});
    expect(mine.rows.map((r) => r.name)).toEqual(['b-dev-cw']);
    expect(mine.pools.map((p) => [p.model, p.total])).toEqual([['H100', 16]]);
    expect(mine.totals).toMatchObject({ clusters: 1, total: 16 });
    const board = await h.asMember.gpuFleet.healthBoard();
    expect(board.total).toBe(1);
    const history = await h.asMember.gpuFleet.history({});
    expect(history.clusters.map((c) => c.clusterId)).toEqual([b]);
  });

  it('sparklines: the last summary of each half hour over 24 h, per cluster and pooled', async () => {
    const a = await cluster('a', 'aws-eks', envs.dev);
    const b = await cluster('b', 'aws-eks', envs.dev);
    const now = new Date('2026-11-23T12:00:00Z');
    const at = (minutesAgo: number) => new Date(now.getTime() - minutesAgo * 60_000);
    const store = (clusterId: number, minutesAgo: number, allocated: number) =>
      h.store.transaction((tx) => storeSummaries(tx, [{ clusterId, collectedAt: at(minutesAgo), summary: summaryOf([pool('H100', 'p', 8, allocated, 0, 50)]), error: null }], 30).then(() => undefined));
    await store(a, 25 * 60, 1); // older than 24 h: not drawn
    await store(a, 100, 2);
    await store(a, 95, 3); // same half hour as 100 min ago (from 90 to 120): the later wins
    await store(a, 10, 4);
    await store(b, 10, 5);
    const history = await gpuFleetHistory(h.store.db, h.admin, undefined, { now });
    expect(history.bucketSeconds).toBe(1800);
    expect(history.clusters.find((c) => c.clusterId === a)?.points.map((p) => [now.getTime() - p.at, p.allocated])).toEqual([
      [120 * 60_000, 3],
      [30 * 60_000, 4],
    ]);
    expect(history.pooled.map((p) => p.allocated)).toEqual([3, 9]);
    expect(history.pooled.at(-1)).toMatchObject({ total: 16, meanUtilization: 50 });
    expect(history.byType.map((t) => t.model)).toEqual(['H100']);
    // Per-cluster lines for a table page only; the pooled ones still cover the fleet.
    const onlyB = await gpuFleetHistory(h.store.db, h.admin, [b], { now });
    expect(onlyB.clusters.map((c) => c.clusterId)).toEqual([b]);
    expect(onlyB.pooled.map((p) => p.allocated)).toEqual([3, 9]);
  });

  it('health board: ranked reasons with links; healthy clusters only counted', async () => {
    const ok = await cluster('ok', 'aws-eks', envs.dev, summaryOf([]));
    const hot = await cluster('hot', 'aws-eks', envs.dev, summaryOf([], { hotGpus: 2, xidErrors: 1 }));
    const noProm = await cluster('no-prom', 'aws-eks', envs.prod, summaryOf([]), new Date(), 'Prometheus unreachable: connect ECONNREFUSED');
    const { clusters } = h.store.tables;
    const gone = await cluster('gone', 'aws-eks', envs.dev);
    await h.store.transaction((tx) =>
      tx.update(clusters).set({ status: 'disconnected', statusReasons: ['The agent has not been heard from since 11:00.'] }).where(eq(clusters.id, gone)),
    );
    const board = await h.asAdmin.gpuFleet.healthBoard();
    expect(board).toMatchObject({ total: 4, healthy: 1 });
    expect(board.entries.map((e) => e.name)).toEqual(['gone', 'hot', 'no-prom']);
    expect(board.entries.find((e) => e.id === hot)?.reasons).toEqual([
      { kind: 'xidErrors', text: '1 XID error in the last hour', tab: 'metrics' },
      { kind: 'hotGpus', text: '2 GPUs over 85 °C', tab: 'metrics' },
    ]);
    expect(board.entries.find((e) => e.id === noProm)?.reasons).toEqual([
      { kind: 'prometheusUnreachable', text: 'Prometheus unreachable: connect ECONNREFUSED', tab: 'metrics' },
    ]);
    expect(board.entries.some((e) => e.id === ok)).toBe(false);
  });
});
