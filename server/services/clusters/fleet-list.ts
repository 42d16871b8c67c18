/**
 * The fleet view's query. It reads only the `clusters` row (status, versions and node/GPU
 * counts are denormalised there by the gateway) plus the page's environment links, so a
 * page costs the same with 50 or 50,000 node rows behind it. Every statement is written
 * in the SQL both engines share, and only over the clusters the caller may see.
 */
import { and, asc, count, desc, eq, exists, inArray, or, type SQL, sql } from 'drizzle-orm';
import type { ClusterRow, Tables } from '@/db/schema';
import type { ClusterStatus } from '@/lib/cluster-status';
import type { ClusterSortColumn, ListClustersQuery } from '@/lib/schemas/cluster';
import type { Principal } from '@/server/access/principal';
import { tablesOf, type Db } from '@/server/store';
import { clusterHealthColumns, visibleClustersOn } from '@/server/services/clusters/shared';

export interface ClusterEnvironmentChip {
  id: number;
  name: string;
  color: string;
  isProduction: boolean;
}

export interface FleetRow {
  id: number;
  name: string;
  provider: ClusterRow['provider'];
  region: string;
  status: ClusterStatus;
  statusReasons: string[];
  lastSeenAt: Date | null;
  kubernetesVersion: string | null;
  /** Null until the agent's first snapshot: the UI shows "—", not 0. */
  nodeCount: number | null;
  readyNodeCount: number | null;
  gpuCount: number | null;
  gpusByType: Record<string, number> | null;
  createdAt: Date;
  environments: ClusterEnvironmentChip[];
}

export interface FleetPage {
  rows: FleetRow[];
  total: number;
  page: number;
  pageSize: number;
  pageCount: number;
}

/** Clusters that need someone first: disconnected, then degraded, then not yet connected. */
export function attentionRank({ clusters }: Tables): SQL<number> {
  return sql<number>`case ${clusters.status}
    when 'disconnected' then 0 when 'degraded' then 1 when 'awaiting_agent' then 2 else 3 end`;
}

/** "v1.30.2-eks-1" as [1, 30, 2]: what follows the patch is ignored, a missing part is 0; null for no version. */
export function kubernetesVersionParts(version: string | null): [number, number, number] | null {
  if (!version) return null;
  const match = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(version.trim());
  if (!match) return null;
  return [Number(match[1]), Number(match[2] ?? 0), Number(match[3] ?? 0)];
}

/**
 * Kubernetes versions in release order (major, minor, patch as numbers: "1.9" < "1.10",
 * "1.30.2" < "1.30.10"), no version last either way, then by name. Done here rather than
 * in SQL: parsing three numbers out of text takes deeply nested string functions in the
 * SQL both engines share, which cost ~200 ms over 1,000 rows; this costs one narrow read.
 */
export function compareByKubernetesVersion(direction: 'asc' | 'desc') {
  const sign = direction === 'asc' ? 1 : -1;
  return (a: { version: string | null; name: string }, b: { version: string | null; name: string }): number => {
    const pa = kubernetesVersionParts(a.version);
    const pb = kubernetesVersionParts(b.version);
    if (!pa || !pb) {
      if (pa !== pb) return pa ? -1 : 1;
    } else {
      for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return sign * ((pa[i] ?? 0) - (pb[i] ?? 0));
    }
    return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  };
}

function sortExpression(tables: Tables, column: Exclude<ClusterSortColumn, 'kubernetesVersion'>): SQL {
  const { clusters, clusterEnvironments, environments } = tables;
  switch (column) {
    case 'environments':
      return sql`(
        select min(${environments.name}) from ${clusterEnvironments}
        join ${environments} on ${environments.id} = ${clusterEnvironments.environmentId}
        where ${clusterEnvironments.clusterId} = ${clusters.id})`;
    case 'status':
      return attentionRank(tables);
    default:
      return sql`${clusters[column]}`;
  }
}

/** `search` as a LIKE pattern matching it anywhere, its own `%`, `_` and `\` taken literally. */
function containsPattern(search: string): string {
  return `%${search.toLowerCase().replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
}

/** Statuses the "needs attention" filter keeps: someone should look now. */
export const NEEDS_ATTENTION_STATUSES = ['degraded', 'disconnected'] as const satisfies readonly ClusterStatus[];

/** Distinct GPU mixes read for one search: far more than any fleet has. */
const MAX_GPU_MIXES = 1_000;

/**
 * The GPU types whose name contains `search`, read from the clusters' own GPU counts:
 * the distinct `gpus_by_type` texts that contain it (one pass over the clusters rows,
 * never the node rows), their keys kept when the key itself matches (not a count).
 */
async function gpuTypesMatching(db: Db, search: string): Promise<string[]> {
  const { clusters } = tablesOf(db);
  const text = sql<string | null>`cast(${clusters.gpusByType} as text)`;
  const mixes = await db
    .selectDistinct({ gpus: text })
    .from(clusters)
    .where(sql`lower(${text}) like ${containsPattern(search)} escape '\\'`)
    .limit(MAX_GPU_MIXES);
  const needle = search.toLowerCase();
  const types = new Set<string>();
  for (const { gpus } of mixes) {
    const parsed: unknown = gpus ? JSON.parse(gpus) : null;
    if (!parsed || typeof parsed !== 'object') continue;
    for (const type of Object.keys(parsed)) if (type.toLowerCase().includes(needle)) types.add(type);
  }
  return [...types];
}

/** `gpus_by_type` has `gpuType` as a key. Its values are counts, so a quoted string in its JSON text can only be a key. */
function hasGpuType({ clusters }: Tables, gpuType: string): SQL {
  const quotedKey = `%${JSON.stringify(gpuType).replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
  return sql`cast(${clusters.gpusByType} as text) like ${quotedKey} escape '\\'`;
}

async function filtersOf(db: Db, principal: Principal, query: ListClustersQuery): Promise<SQL | undefined> {
  const tables = tablesOf(db);
  const { clusters, clusterEnvironments, environments } = tables;
  const filters: (SQL | undefined)[] = [visibleClustersOn(principal, clusters.id)];
  if (query.providers.length) filters.push(inArray(clusters.provider, query.providers));
  if (query.statuses.length) filters.push(inArray(clusters.status, query.statuses));
  if (query.needsAttention) filters.push(inArray(clusters.status, NEEDS_ATTENTION_STATUSES));
  if (query.regions.length) filters.push(inArray(clusters.region, query.regions));
  if (query.search) {
    const byName = sql`lower(${clusters.name}) like ${containsPattern(query.search)} escape '\\'`;
    const gpuTypes = await gpuTypesMatching(db, query.search);
    filters.push(or(byName, ...gpuTypes.map((gpuType) => hasGpuType(tables, gpuType))));
  }
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

export async function listClusters(db: Db, principal: Principal, query: ListClustersQuery): Promise<FleetPage> {
  const tables = tablesOf(db);
  const { clusters } = tables;
  const where = await filtersOf(db, principal, query);
  const [counted] = await db.select({ n: count() }).from(clusters).where(where);
  const total = counted?.n ?? 0;
  const pageCount = Math.max(1, Math.ceil(total / query.pageSize));
  const page = Math.min(query.page, pageCount);

  const columns = {
    ...clusterHealthColumns(tables),
    kubernetesVersion: clusters.kubernetesVersion,
    nodeCount: clusters.nodeCount,
    readyNodeCount: clusters.readyNodeCount,
    gpuCount: clusters.gpuCount,
    gpusByType: clusters.gpusByType,
  };
  let rows;
  if (query.sort === 'kubernetesVersion') {
    const ordered = (await db.select({ id: clusters.id, version: clusters.kubernetesVersion, name: clusters.name }).from(clusters).where(where)).sort(
      compareByKubernetesVersion(query.direction),
    );
    const pageIds = ordered.slice((page - 1) * query.pageSize, page * query.pageSize).map((row) => row.id);
    const position = new Map(pageIds.map((id, index) => [id, index]));
    rows =
      pageIds.length === 0
        ? []
        : (await db.select(columns).from(clusters).where(inArray(clusters.id, pageIds))).sort(
            (a, b) => (position.get(a.id) ?? 0) - (position.get(b.id) ?? 0),
          );
  } else {
    const sortBy = sortExpression(tables, query.sort);
    const direction = query.direction === 'asc' ? asc : desc;
    rows = await db
      .select(columns)
      .from(clusters)
      .where(where)
      // Clusters the agent has not reported on sort last either way: "—" is not a value.
      .orderBy(sql`${sortBy} is null`, direction(sortBy), asc(clusters.name))
      .limit(query.pageSize)
      .offset((page - 1) * query.pageSize);
  }

  const chips = await environmentChips(db, rows.map((row) => row.id));
  return {
    rows: rows.map((row) => ({ ...row, environments: chips.get(row.id) ?? [] })),
    total,
    page,
    pageSize: query.pageSize,
    pageCount,
  };
}

export async function environmentChips(db: Db, clusterIds: readonly number[]): Promise<Map<number, ClusterEnvironmentChip[]>> {
  const byCluster = new Map<number, ClusterEnvironmentChip[]>();
  if (clusterIds.length === 0) return byCluster;
  const { clusterEnvironments, environments } = tablesOf(db);
  const links = await db
    .select({
      clusterId: clusterEnvironments.clusterId,
      id: environments.id,
      name: environments.name,
      color: environments.color,
      isProduction: environments.isProduction,
    })
    .from(clusterEnvironments)
    .innerJoin(environments, eq(environments.id, clusterEnvironments.environmentId))
    .where(inArray(clusterEnvironments.clusterId, [...clusterIds]))
    .orderBy(asc(environments.name));
  for (const { clusterId, ...chip } of links) {
    const list = byCluster.get(clusterId) ?? [];
    list.push(chip);
    byCluster.set(clusterId, list);
  }
  return byCluster;
}

export interface FleetFacets {
  environments: (ClusterEnvironmentChip & { count: number })[];
  providers: { value: FleetRow['provider']; count: number }[];
  statuses: { value: ClusterStatus; count: number }[];
  regions: { value: string; count: number }[];
  total: number;
}

/**
 * Counts for the filter menus, over the clusters the caller may see. Every environment
 * is listed, even at 0.
 */
export async function fleetFacets(db: Db, principal: Principal): Promise<FleetFacets> {
  const tables = tablesOf(db);
  const { clusters, clusterEnvironments, environments } = tables;
  const visible = visibleClustersOn(principal, clusters.id);
  const [envCounts, allEnvironments, providers, statuses, regions, totals] = await Promise.all([
    db
      .select({ id: clusterEnvironments.environmentId, count: count() })
      .from(clusterEnvironments)
      .where(visibleClustersOn(principal, clusterEnvironments.clusterId))
      .groupBy(clusterEnvironments.environmentId),
    db
      .select({ id: environments.id, name: environments.name, color: environments.color, isProduction: environments.isProduction })
      .from(environments)
      .orderBy(asc(environments.name)),
    db.select({ value: clusters.provider, count: count() }).from(clusters).where(visible).groupBy(clusters.provider).orderBy(asc(clusters.provider)),
    db.select({ value: clusters.status, count: count() }).from(clusters).where(visible).groupBy(clusters.status).orderBy(asc(attentionRank(tables))),
    db.select({ value: clusters.region, count: count() }).from(clusters).where(visible).groupBy(clusters.region).orderBy(asc(clusters.region)),
    db.select({ n: count() }).from(clusters).where(visible),
  ]);
  const countByEnv = new Map(envCounts.map((row) => [row.id, row.count]));
  return {
    environments: allEnvironments.map((env) => ({ ...env, count: countByEnv.get(env.id) ?? 0 })),
    providers,
    statuses,
    regions,
    total: totals[0]?.n ?? 0,
  };
}
