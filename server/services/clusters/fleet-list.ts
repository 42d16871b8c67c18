/**
 * The fleet view's query. It reads only the `clusters` row (status, versions and node/GPU
 * counts are denormalised there by the gateway) plus the page's environment links, so a
 * page costs the same with 50 or 50,000 node rows behind it.
 */
import { and, asc, count, desc, eq, exists, inArray, type SQL, sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { clusterEnvironments, clusters, environments, type ClusterStatus } from '@/db/schema';
import type { ClusterSortColumn, ListClustersQuery } from '@/lib/schemas/cluster';
import { clusterHealthColumns } from '@/server/services/clusters/shared';

export interface ClusterEnvironmentChip {
  id: number;
  name: string;
  color: string;
  isProduction: boolean;
}

export interface FleetRow {
  id: number;
  name: string;
  provider: (typeof clusters.$inferSelect)['provider'];
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
export const attentionRank = sql<number>`case ${clusters.status}
  when 'disconnected' then 0 when 'degraded' then 1 when 'awaiting_agent' then 2 else 3 end`;

const firstEnvironmentName = sql<string | null>`(
  select min(${environments.name}) from ${clusterEnvironments}
  join ${environments} on ${environments.id} = ${clusterEnvironments.environmentId}
  where ${clusterEnvironments.clusterId} = ${clusters.id})`;

const SORT_EXPRESSIONS: Record<ClusterSortColumn, SQL | typeof clusters.name> = {
  name: clusters.name,
  provider: sql`${clusters.provider}`,
  region: sql`${clusters.region}`,
  environments: firstEnvironmentName,
  status: attentionRank,
  lastSeenAt: sql`${clusters.lastSeenAt}`,
  // Numeric parts of "v1.30.2" compare as numbers, not text ("1.9" < "1.10").
  kubernetesVersion: sql`(
    cast(substr(ltrim(${clusters.kubernetesVersion}, 'v'), 1, instr(ltrim(${clusters.kubernetesVersion}, 'v'), '.') - 1) as integer) * 1000
    + cast(substr(ltrim(${clusters.kubernetesVersion}, 'v'), instr(ltrim(${clusters.kubernetesVersion}, 'v'), '.') + 1) as integer))`,
  nodeCount: sql`${clusters.nodeCount}`,
  gpuCount: sql`${clusters.gpuCount}`,
  createdAt: sql`${clusters.createdAt}`,
};

function filtersOf(db: Db, query: ListClustersQuery): SQL | undefined {
  const filters: SQL[] = [];
  if (query.providers.length) filters.push(inArray(clusters.provider, query.providers));
  if (query.statuses.length) filters.push(inArray(clusters.status, query.statuses));
  if (query.regions.length) filters.push(inArray(clusters.region, query.regions));
  if (query.search) filters.push(sql`instr(${clusters.name}, ${query.search.toLowerCase()}) > 0`);
  if (query.environments.length) {
    const envIds = db
      .select({ id: environments.id })
      .from(environments)
      .where(inArray(environments.name, query.environments));
    filters.push(
      exists(
        db
          .select({ one: sql`1` })
          .from(clusterEnvironments)
          .where(and(eq(clusterEnvironments.clusterId, clusters.id), inArray(clusterEnvironments.environmentId, envIds))),
      ),
    );
  }
  return filters.length ? and(...filters) : undefined;
}

export function listClusters(db: Db, query: ListClustersQuery): FleetPage {
  const where = filtersOf(db, query);
  const total = db.select({ n: count() }).from(clusters).where(where).get()?.n ?? 0;
  const pageCount = Math.max(1, Math.ceil(total / query.pageSize));
  const page = Math.min(query.page, pageCount);

  const sortBy = SORT_EXPRESSIONS[query.sort];
  const direction = query.direction === 'asc' ? asc : desc;
  const rows = db
    .select({
      ...clusterHealthColumns,
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
    .offset((page - 1) * query.pageSize)
    .all();

  const chips = environmentChips(db, rows.map((row) => row.id));
  return {
    rows: rows.map((row) => ({ ...row, environments: chips.get(row.id) ?? [] })),
    total,
    page,
    pageSize: query.pageSize,
    pageCount,
  };
}

export function environmentChips(db: Db, clusterIds: readonly number[]): Map<number, ClusterEnvironmentChip[]> {
  const byCluster = new Map<number, ClusterEnvironmentChip[]>();
  if (clusterIds.length === 0) return byCluster;
  const links = db
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
    .orderBy(asc(environments.name))
    .all();
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

/** Counts for the filter menus, over the whole fleet. Every environment is listed, even at 0. */
export function fleetFacets(db: Db): FleetFacets {
  const envCounts = db
    .select({ id: clusterEnvironments.environmentId, count: count() })
    .from(clusterEnvironments)
    .groupBy(clusterEnvironments.environmentId)
    .all();
  const countByEnv = new Map(envCounts.map((row) => [row.id, row.count]));
  return {
    environments: db
      .select({ id: environments.id, name: environments.name, color: environments.color, isProduction: environments.isProduction })
      .from(environments)
      .orderBy(asc(environments.name))
      .all()
      .map((env) => ({ ...env, count: countByEnv.get(env.id) ?? 0 })),
    providers: db
      .select({ value: clusters.provider, count: count() })
      .from(clusters)
      .groupBy(clusters.provider)
      .orderBy(asc(clusters.provider))
      .all(),
    statuses: db
      .select({ value: clusters.status, count: count() })
      .from(clusters)
      .groupBy(clusters.status)
      .orderBy(asc(attentionRank))
      .all(),
    regions: db.select({ value: clusters.region, count: count() }).from(clusters).groupBy(clusters.region).orderBy(asc(clusters.region)).all(),
    total: db.select({ n: count() }).from(clusters).get()?.n ?? 0,
  };
}
