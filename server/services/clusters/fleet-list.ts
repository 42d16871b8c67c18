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

/** The digits `text` starts with ('' when none), without a function only one engine has. */
function leadingDigits(text: SQL): SQL {
  return sql`substr(${text}, 1, length(${text}) - length(ltrim(${text}, '0123456789')))`;
}

/** `digits` left-padded with zeros to six characters, so that text order is numeric order. */
function padded(digits: SQL): SQL {
  return sql`substr('000000' || ${digits}, length(${digits}) + 1, 6)`;
}

/** What follows the first `.` after `part` (`part` being the digits `text` starts with). */
function afterDot(text: SQL, part: SQL): SQL {
  return sql`substr(${text}, length(${part}) + 2)`;
}

/**
 * "v1.30.2-eks-1" as "000001000030000002": major, minor and patch each compare as numbers
 * ("1.9" < "1.10", "1.30.2" < "1.30.10"); anything after the patch is ignored, a missing
 * part counts as 0, and a missing version stays null.
 */
function kubernetesVersionKey({ clusters }: Tables): SQL {
  const version = sql`ltrim(${clusters.kubernetesVersion}, 'v')`;
  const major = leadingDigits(version);
  const afterMajor = afterDot(version, major);
  const minor = leadingDigits(afterMajor);
  const patch = leadingDigits(afterDot(afterMajor, minor));
  return sql`(${padded(major)} || ${padded(minor)} || ${padded(patch)})`;
}

function sortExpression(tables: Tables, column: ClusterSortColumn): SQL {
  const { clusters, clusterEnvironments, environments } = tables;
  switch (column) {
    case 'environments':
      return sql`(
        select min(${environments.name}) from ${clusterEnvironments}
        join ${environments} on ${environments.id} = ${clusterEnvironments.environmentId}
        where ${clusterEnvironments.clusterId} = ${clusters.id})`;
    case 'status':
      return attentionRank(tables);
    case 'kubernetesVersion':
      return kubernetesVersionKey(tables);
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

/** At most this many distinct GPU types are matched by one search: far more than any fleet has. */
const MAX_MATCHED_GPU_TYPES = 50;

/**
 * The GPU types (as nodes report them) whose name contains `search`. Read from the small
 * set of distinct types (an index-only scan), so the cluster query then matches exact
 * keys of `gpus_by_type` on the clusters row instead of walking every node per cluster.
 */
async function gpuTypesMatching(db: Db, search: string): Promise<string[]> {
  const { clusterNodes } = tablesOf(db);
  const rows = await db
    .selectDistinct({ gpuType: clusterNodes.gpuType })
    .from(clusterNodes)
    .where(sql`lower(${clusterNodes.gpuType}) like ${containsPattern(search)} escape '\\'`)
    .limit(MAX_MATCHED_GPU_TYPES);
  return rows.flatMap((row) => (row.gpuType ? [row.gpuType] : []));
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

  const sortBy = sortExpression(tables, query.sort);
  const direction = query.direction === 'asc' ? asc : desc;
  const rows = await db
    .select({
      ...clusterHealthColumns(tables),
      kubernetesVersion: clusters.kubernetesVersion,
      nodeCount: clusters.nodeCount,
      readyNodeCount: clusters.readyNodeCount,
      gpuCount: clusters.gpuCount,
      gpusByType: clusters.gpusByType,
    })
    .from(clusters)
    .where(where)
    // Clusters the agent has not reported on sort last either way: "—" is not a value.
    .orderBy(sql`${sortBy} is null`, direction(sortBy), asc(clusters.name))
    .limit(query.pageSize)
    .offset((page - 1) * query.pageSize);

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
