/**
 * The GPU Fleet page: GPU capacity pooled by GPU type across clusters, a per-cluster table
 * and 24-hour sparklines. Reads only the summaries agents pushed (./summaries.ts, decision
 * 6): never an agent, so the page costs the same whether a cluster answers or not. Stale
 * summaries count, flagged with their age; a cluster without one is "no metrics yet".
 */
import { and, eq, exists, gte, inArray, lt, max, type SQL, sql } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import type { ClusterRow } from '@/db/schema';
import type { ClusterStatus } from '@/lib/cluster-status';
import { SUMMARY_HISTORY_HOURS, type GpuPoolSummary, type MetricSummary } from '@/lib/metrics';
import type { GpuFleetQuery, GpuFleetSortColumn } from '@/lib/schemas/gpu-fleet';
import type { Principal } from '@/server/access/principal';
import { tablesOf, type Db } from '@/server/store';
import { type ClusterEnvironmentChip, environmentChips } from '@/server/services/clusters/fleet-list';
import { visibleClustersOn } from '@/server/services/clusters/shared';
import { latestSummaries, type ClusterMetricSummary, type SummaryStaleness } from '@/server/services/metrics/summaries';

/** What the page shows of any set of GPUs: a pool, a type, a cluster, the fleet. */
export interface GpuCounts {
  total: number;
  allocated: number;
  idleAllocated: number;
  /** total − allocated (never below 0): schedulable now. */
  free: number;
  /** Mean utilisation (0–100) weighted by GPU count, over the GPUs with DCGM data; null without any. */
  meanUtilization: number | null;
}

export interface GpuFleetRow extends GpuCounts {
  id: number;
  name: string;
  provider: ClusterRow['provider'];
  region: string;
  status: ClusterStatus;
  environments: ClusterEnvironmentChip[];
  /** False: the cluster never pushed a summary ("no metrics yet"); every count is then 0. */
  hasMetrics: boolean;
  /** Per GPU type, by type name. */
  byType: (GpuCounts & { model: string })[];
  collectedAt: Date | null;
  ageSeconds: number | null;
  stale: boolean;
  staleReason: SummaryStaleness | null;
  /** Why the cluster's last poll of its Prometheus failed, if it did. */
  error: string | null;
}

/** Node pools listed per GPU type: the page answers "where is one free", not "list them all". */
export const HOLDERS_SHOWN = 10;

/** Where GPUs of one type are: a node pool of a cluster. */
export interface GpuHolder {
  clusterId: number;
  clusterName: string;
  nodePool: string;
  model: string;
  total: number;
  allocated: number;
  free: number;
  stale: boolean;
  ageSeconds: number;
}

export interface GpuTypePool extends GpuCounts {
  model: string;
  /** Clusters holding this type. */
  clusterCount: number;
  /** Their node pools, fresh and most free GPUs first ("where is there a free H100 right now"), the first {@link HOLDERS_SHOWN}. */
  holders: GpuHolder[];
  /** Node pools holding this type in all. */
  holderCount: number;
}

export interface GpuFleetOverview {
  /** Pooled by GPU type over the filtered clusters, most GPUs first. */
  pools: GpuTypePool[];
  totals: GpuCounts & { clusters: number; reporting: number; noMetrics: number; stale: number };
  /** One page of the per-cluster table, sorted. */
  rows: GpuFleetRow[];
  page: number;
  pageSize: number;
  pageCount: number;
}

/** Sums counts, weighting utilisation by GPU count. */
/**
 * A running sum of GPU counts, utilisation weighted by GPU count. A plain object and free
 * functions, not a class: transpiled class fields (defineProperty) made every accumulator
 * a slow dictionary object, which cost ~10 µs a cluster on a 1,000-cluster call.
 */
interface CountsAccumulator {
  total: number;
  allocated: number;
  idleAllocated: number;
  free: number;
  utilWeighted: number;
  utilGpus: number;
}

function newAccumulator(): CountsAccumulator {
  return { total: 0, allocated: 0, idleAllocated: 0, free: 0, utilWeighted: 0, utilGpus: 0 };
}

function addTo(
  acc: CountsAccumulator,
  counts: { total: number; allocated: number; idleAllocated: number; free: number },
  meanUtilization: number | null,
  utilGpus: number,
): CountsAccumulator {
  acc.total += counts.total;
  acc.allocated += counts.allocated;
  acc.idleAllocated += counts.idleAllocated;
  acc.free += counts.free;
  if (meanUtilization !== null && Number.isFinite(meanUtilization) && utilGpus > 0) {
    acc.utilWeighted += meanUtilization * utilGpus;
    acc.utilGpus += utilGpus;
  }
  return acc;
}

function countsOf(acc: CountsAccumulator): GpuCounts & { utilGpus: number } {
  return {
    total: acc.total,
    allocated: acc.allocated,
    idleAllocated: acc.idleAllocated,
    free: acc.free,
    meanUtilization: acc.utilGpus > 0 ? round1(acc.utilWeighted / acc.utilGpus) : null,
    utilGpus: acc.utilGpus,
  };
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}

/** Non-negative finite counts: a summary is data from a cluster, not a promise. */
function count(value: number): number {
  return Number.isFinite(value) && value > 0 ? value : 0;
}

/** One node pool's counts; `free` is never negative (allocated may briefly exceed allocatable). */
export function poolCounts(pool: GpuPoolSummary): { total: number; allocated: number; idleAllocated: number; free: number } {
  const total = count(pool.total);
  const allocated = count(pool.allocated);
  return { total, allocated, idleAllocated: count(pool.idleAllocated), free: Math.max(0, total - allocated) };
}

/** A summary's GPUs per type, and the whole cluster's. */
export function clusterGpuCounts(summary: Pick<MetricSummary, 'gpus'>): { byType: (GpuCounts & { model: string; utilGpus: number })[]; all: GpuCounts & { utilGpus: number } } {
  const types = new Map<string, CountsAccumulator>();
  const all = newAccumulator();
  for (const pool of summary.gpus) {
    const counts = poolCounts(pool);
    let acc = types.get(pool.model);
    if (!acc) types.set(pool.model, (acc = newAccumulator()));
    addTo(acc, counts, pool.meanUtilization, counts.total);
    addTo(all, counts, pool.meanUtilization, counts.total);
  }
  const byType: (GpuCounts & { model: string; utilGpus: number })[] = [];
  for (const [model, acc] of types) {
    const counts = countsOf(acc);
    byType.push({ model, total: counts.total, allocated: counts.allocated, idleAllocated: counts.idleAllocated, free: counts.free, meanUtilization: counts.meanUtilization, utilGpus: counts.utilGpus });
  }
  byType.sort((a, b) => compareText(a.model, b.model));
  return { byType, all: countsOf(all) };
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The clusters the caller may see, narrowed by the page's filters. */
function filtersOf(db: Db, principal: Principal, query: Pick<GpuFleetQuery, 'environments' | 'providers'>): SQL | undefined {
  const { clusters, clusterEnvironments, environments } = tablesOf(db);
  const filters: (SQL | undefined)[] = [visibleClustersOn(principal, clusters.id)];
  if (query.providers.length) filters.push(inArray(clusters.provider, query.providers));
  if (query.environments.length) {
    const envIds = db.select({ id: environments.id }).from(environments).where(inArray(environments.name, query.environments));
    filters.push(
      exists(
        db
          .select({ one: sql`1` })
          .from(clusterEnvironments)
          .where(and(eq(clusterEnvironments.clusterId, clusters.id), inArray(clusterEnvironments.environmentId, envIds))),
      ),
    );
  }
  return and(...filters);
}

type SortValue = string | number | null;

function sortValue(row: GpuFleetRow, column: GpuFleetSortColumn): SortValue {
  switch (column) {
    case 'name':
    case 'provider':
      return row[column];
    case 'environments':
      return row.environments[0]?.name ?? null;
    case 'age':
      return row.ageSeconds;
    case 'meanUtilization':
      return row.meanUtilization;
    default:
      // A cluster without metrics has no count to sort by: it goes last either way, like "—".
      return row.hasMetrics ? row[column] : null;
  }
}

/** Sorts by `column`, rows without a value last either way, then by name. */
export function sortGpuFleetRows(rows: GpuFleetRow[], column: GpuFleetSortColumn, direction: 'asc' | 'desc'): GpuFleetRow[] {
  const sign = direction === 'asc' ? 1 : -1;
  return rows.sort((a, b) => {
    const va = sortValue(a, column);
    const vb = sortValue(b, column);
    if (va === null || vb === null) {
      if (va !== vb) return va === null ? 1 : -1;
    } else if (va !== vb) {
      return sign * (typeof va === 'number' && typeof vb === 'number' ? va - vb : compareText(String(va), String(vb)));
    }
    return compareText(a.name, b.name);
  });
}

/** A row with what pooling needs: its node pools and how many of its GPUs report utilisation. */
export interface ComputedRow {
  row: GpuFleetRow;
  pools: readonly GpuPoolSummary[];
  utilGpus: number;
}

type ClusterFacts = Pick<GpuFleetRow, 'id' | 'name' | 'provider' | 'region' | 'status' | 'environments'>;

/** Builds a row from a cluster and its latest summary (absent: "no metrics yet"). */
export function gpuFleetRow(cluster: ClusterFacts, latest: ClusterMetricSummary | undefined): ComputedRow {
  if (!latest) {
    const row: GpuFleetRow = {
      id: cluster.id,
      name: cluster.name,
      provider: cluster.provider,
      region: cluster.region,
      status: cluster.status,
      environments: cluster.environments,
      hasMetrics: false,
      byType: [],
      total: 0,
      allocated: 0,
      idleAllocated: 0,
      free: 0,
      meanUtilization: null,
      collectedAt: null,
      ageSeconds: null,
      stale: false,
      staleReason: null,
      error: null,
    };
    return { row, pools: [], utilGpus: 0 };
  }
  // Plain sums (this runs for every cluster of the fleet on each call).
  let total = 0;
  let allocated = 0;
  let idleAllocated = 0;
  let free = 0;
  let utilWeighted = 0;
  let utilGpus = 0;
  for (const pool of latest.summary.gpus) {
    const counts = poolCounts(pool);
    total += counts.total;
    allocated += counts.allocated;
    idleAllocated += counts.idleAllocated;
    free += counts.free;
    if (pool.meanUtilization !== null && Number.isFinite(pool.meanUtilization) && counts.total > 0) {
      utilWeighted += pool.meanUtilization * counts.total;
      utilGpus += counts.total;
    }
  }
  const row: GpuFleetRow = {
    id: cluster.id,
    name: cluster.name,
    provider: cluster.provider,
    region: cluster.region,
    status: cluster.status,
    environments: cluster.environments,
    hasMetrics: true,
    // Filled for the rows shown (withTypes): a 1,000-cluster fleet needs only its page's.
    byType: [],
    total,
    allocated,
    idleAllocated,
    free,
    meanUtilization: utilGpus > 0 ? round1(utilWeighted / utilGpus) : null,
    collectedAt: latest.collectedAt,
    ageSeconds: latest.ageSeconds,
    stale: latest.stale,
    staleReason: latest.staleReason,
    error: latest.error,
  };
  return { row, pools: latest.summary.gpus, utilGpus };
}

/** A row's GPUs per type. */
function withTypes(pools: readonly GpuPoolSummary[]): GpuFleetRow['byType'] {
  return clusterGpuCounts({ gpus: [...pools] }).byType.map((t) => ({
    model: t.model,
    total: t.total,
    allocated: t.allocated,
    idleAllocated: t.idleAllocated,
    free: t.free,
    meanUtilization: t.meanUtilization,
  }));
}

/** Pools GPUs by type over `rows`, with where each type is held. */
export function poolByType(computed: readonly ComputedRow[]): GpuTypePool[] {
  const types = new Map<string, { acc: CountsAccumulator; clusters: Set<number>; holders: GpuHolder[] }>();
  for (const { row, pools } of computed) {
    for (const pool of pools) {
      const counts = poolCounts(pool);
      let entry = types.get(pool.model);
      if (!entry) types.set(pool.model, (entry = { acc: newAccumulator(), clusters: new Set<number>(), holders: [] }));
      addTo(entry.acc, counts, pool.meanUtilization, counts.total);
      entry.clusters.add(row.id);
      entry.holders.push({
        clusterId: row.id,
        clusterName: row.name,
        nodePool: pool.nodePool,
        model: pool.model,
        total: counts.total,
        allocated: counts.allocated,
        free: counts.free,
        stale: row.stale,
        ageSeconds: row.ageSeconds ?? 0,
      });
    }
  }
  return [...types]
    .map(([model, { acc, clusters, holders }]) => {
      const { utilGpus: _utilGpus, ...counts } = countsOf(acc);
      // Fresh numbers before stale ones: a free GPU seen an hour ago may be gone.
      holders.sort((a, b) => Number(a.stale) - Number(b.stale) || b.free - a.free || compareText(a.clusterName, b.clusterName) || compareText(a.nodePool, b.nodePool));
      return { model, ...counts, clusterCount: clusters.size, holders: holders.slice(0, HOLDERS_SHOWN), holderCount: holders.length };
    })
    .sort((a, b) => b.total - a.total || compareText(a.model, b.model));
}

/** Over the clusters `principal` may see, narrowed by `query`'s filters; reads stored summaries only. */
export async function gpuFleetOverview(db: Db, principal: Principal, query: GpuFleetQuery, options: { now?: Date } = {}): Promise<GpuFleetOverview> {
  const { clusters } = tablesOf(db);
  const where = filtersOf(db, principal, query);
  const clusterRows = await db
    .select({ id: clusters.id, name: clusters.name, provider: clusters.provider, region: clusters.region, status: clusters.status })
    .from(clusters)
    .where(where);
  const ids = clusterRows.map((row) => row.id);
  const narrowed = where !== undefined;
  // Unfiltered, every summary is wanted: one plain read beats a 1,000-id list.
  const latest = await latestSummaries(db, narrowed ? ids : undefined, options.now ? { now: options.now } : {});
  const computed = clusterRows.map((cluster) => gpuFleetRow({ ...cluster, environments: [] }, latest.get(cluster.id)));

  const fleet = newAccumulator();
  let reporting = 0;
  let stale = 0;
  for (const { row, utilGpus } of computed) {
    if (!row.hasMetrics) continue;
    reporting++;
    if (row.stale) stale++;
    addTo(fleet, row, row.meanUtilization, utilGpus);
  }
  const { utilGpus: _utilGpus, ...fleetCounts } = countsOf(fleet);
  const pools = poolByType(computed);

  const rows = computed.map((c) => c.row);
  const pageCount = Math.max(1, Math.ceil(rows.length / query.pageSize));
  const page = Math.min(query.page, pageCount);
  // Environment chips are read for the rows shown, unless they are what the rows sort by.
  const chipsFor = async (ids: number[]) => {
    const chips = await environmentChips(db, ids);
    for (const row of rows) if (chips.has(row.id)) row.environments = chips.get(row.id) ?? [];
  };
  if (query.sort === 'environments') await chipsFor(rows.map((row) => row.id));
  const pageRows = sortGpuFleetRows(rows, query.sort, query.direction).slice((page - 1) * query.pageSize, page * query.pageSize);
  const poolsOf = new Map(computed.map((c) => [c.row.id, c.pools]));
  for (const row of pageRows) row.byType = withTypes(poolsOf.get(row.id) ?? []);
  if (query.sort !== 'environments') await chipsFor(pageRows.map((row) => row.id));
  return {
    pools,
    totals: { ...fleetCounts, clusters: rows.length, reporting, noMetrics: rows.length - reporting, stale },
    rows: pageRows,
    page,
    pageSize: query.pageSize,
    pageCount,
  };
}

// ── Sparklines ───────────────────────────────────────────────────────────────

/** 24 hours in 48 half-hour buckets: enough for a sparkline, a fraction of the stored rows. */
export const SPARKLINE_BUCKETS = 48;

export interface SparklinePoint {
  /** Start of the bucket (epoch ms). */
  at: number;
  total: number;
  allocated: number;
  idleAllocated: number;
  meanUtilization: number | null;
}

export interface GpuFleetHistory {
  from: Date;
  bucketSeconds: number;
  clusters: { clusterId: number; points: SparklinePoint[] }[];
  /** Summed over every cluster the caller may see, per bucket. */
  pooled: SparklinePoint[];
  /** Summed per GPU type, per bucket. */
  byType: { model: string; points: SparklinePoint[] }[];
}

/**
 * Which bucket `column` falls in, as portable SQL: a binary tree of `case` comparisons
 * against the bucket edges (both engines store instants differently, so no arithmetic).
 */
function bucketExpression(column: PgColumn, edges: readonly Date[], lo: number, hi: number): SQL {
  if (lo === hi) return sql.raw(String(lo));
  const mid = (lo + hi + 1) >> 1;
  return sql`case when ${lt(column, edges[mid]!)} then ${bucketExpression(column, edges, lo, mid - 1)} else ${bucketExpression(column, edges, mid, hi)} end`;
}

function sparklinePoint(at: number, acc: CountsAccumulator): SparklinePoint {
  const { total, allocated, idleAllocated, meanUtilization } = countsOf(acc);
  return { at, total, allocated, idleAllocated, meanUtilization };
}

/**
 * The last summary of each half-hour of the last 24 hours of the clusters `principal` may
 * see, summed for the pooled sparklines; per cluster for those of `clusterIds` (all when
 * omitted).
 */
export async function gpuFleetHistory(
  db: Db,
  principal: Principal,
  clusterIds: readonly number[] | undefined,
  options: { now?: Date } = {},
): Promise<GpuFleetHistory> {
  const { clusters, clusterMetricHistory } = tablesOf(db);
  const now = options.now ?? new Date();
  const bucketMs = (SUMMARY_HISTORY_HOURS * 3_600_000) / SPARKLINE_BUCKETS;
  const from = new Date(now.getTime() - SPARKLINE_BUCKETS * bucketMs);
  const edges = Array.from({ length: SPARKLINE_BUCKETS }, (_, i) => new Date(from.getTime() + i * bucketMs));
  const empty: GpuFleetHistory = { from, bucketSeconds: bucketMs / 1000, clusters: [], pooled: [], byType: [] };

  const visibleIds = (await db.select({ id: clusters.id }).from(clusters).where(visibleClustersOn(principal, clusters.id))).map((row) => row.id);
  if (visibleIds.length === 0) return empty;
  // Pooled lines cover every visible cluster; per-cluster lines only those asked for (a table page).
  const wanted = clusterIds ? new Set(clusterIds) : undefined;

  const bucket = bucketExpression(clusterMetricHistory.collectedAt, edges, 0, SPARKLINE_BUCKETS - 1);
  const latestIds: number[] = [];
  for (let i = 0; i < visibleIds.length; i += 500) {
    const rows = await db
      .select({ id: max(clusterMetricHistory.id) })
      .from(clusterMetricHistory)
      .where(and(inArray(clusterMetricHistory.clusterId, visibleIds.slice(i, i + 500)), gte(clusterMetricHistory.collectedAt, from)))
      .groupBy(clusterMetricHistory.clusterId, bucket);
    for (const row of rows) if (row.id !== null) latestIds.push(Number(row.id));
  }
  const perCluster = new Map<number, SparklinePoint[]>();
  const pooled = new Map<number, CountsAccumulator>();
  const byType = new Map<string, Map<number, CountsAccumulator>>();
  for (let i = 0; i < latestIds.length; i += 1_000) {
    const rows = await db
      .select({ clusterId: clusterMetricHistory.clusterId, collectedAt: clusterMetricHistory.collectedAt, summary: clusterMetricHistory.summary })
      .from(clusterMetricHistory)
      .where(inArray(clusterMetricHistory.id, latestIds.slice(i, i + 1_000)));
    for (const row of rows) {
      const index = Math.min(SPARKLINE_BUCKETS - 1, Math.max(0, Math.floor((row.collectedAt.getTime() - from.getTime()) / bucketMs)));
      const at = edges[index]!.getTime();
      const { byType: types, all } = clusterGpuCounts(row.summary);
      if (!wanted || wanted.has(row.clusterId)) {
        const points = perCluster.get(row.clusterId) ?? [];
        perCluster.set(row.clusterId, points);
        points.push({ at, total: all.total, allocated: all.allocated, idleAllocated: all.idleAllocated, meanUtilization: all.meanUtilization });
      }
      const pooledAcc = pooled.get(at) ?? newAccumulator();
      pooled.set(at, addTo(pooledAcc, all, all.meanUtilization, all.utilGpus));
      for (const type of types) {
        const series = byType.get(type.model) ?? new Map<number, CountsAccumulator>();
        byType.set(type.model, series);
        series.set(at, addTo(series.get(at) ?? newAccumulator(), type, type.meanUtilization, type.utilGpus));
      }
    }
  }
  const ordered = (series: Map<number, CountsAccumulator>) => [...series].sort(([a], [b]) => a - b).map(([at, acc]) => sparklinePoint(at, acc));
  return {
    from,
    bucketSeconds: bucketMs / 1000,
    clusters: [...perCluster].sort(([a], [b]) => a - b).map(([clusterId, points]) => ({ clusterId, points: points.sort((a, b) => a.at - b.at) })),
    pooled: ordered(pooled),
    byType: [...byType].sort(([a], [b]) => compareText(a, b)).map(([model, series]) => ({ model, points: ordered(series) })),
  };
}
