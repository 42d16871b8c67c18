/** The Overview page: the fleet in counts, and the clusters that need someone first. */
import { and, asc, count, desc, eq, inArray, sql } from 'drizzle-orm';
import { CLUSTER_STATUSES, type ClusterStatus } from '@/lib/cluster-status';
import { PROVIDER_IDS, type ProviderId } from '@/lib/providers';
import type { Principal } from '@/server/access/principal';
import { tablesOf, type Db } from '@/server/store';
import { attentionRank, environmentChips } from '@/server/services/clusters/fleet-list';
import { clusterHealthColumns, visibleClustersOn } from '@/server/services/clusters/shared';

const ATTENTION_LIMIT = 10;

/** Over the clusters `principal` may see. */
export async function fleetOverview(db: Db, principal: Principal) {
  const tables = tablesOf(db);
  const { clusters, clusterEnvironments, environments } = tables;
  const visible = visibleClustersOn(principal, clusters.id);
  // Production is what customers feel: its clusters lead the attention list, whatever the status.
  const isProduction = sql<boolean>`exists (
    select 1 from ${clusterEnvironments} join ${environments} on ${environments.id} = ${clusterEnvironments.environmentId}
    where ${clusterEnvironments.clusterId} = ${clusters.id} and ${eq(environments.isProduction, true)})`.mapWith(Boolean);
  const [byStatusRows, byProviderRows, totalsRows, byEnvironment, needing] = await Promise.all([
    db.select({ status: clusters.status, n: count() }).from(clusters).where(visible).groupBy(clusters.status),
    db.select({ provider: clusters.provider, n: count() }).from(clusters).where(visible).groupBy(clusters.provider),
    db
      .select({
        clusters: count(),
        nodes: sql<number>`coalesce(sum(${clusters.nodeCount}), 0)`.mapWith(Number),
        readyNodes: sql<number>`coalesce(sum(${clusters.readyNodeCount}), 0)`.mapWith(Number),
        gpus: sql<number>`coalesce(sum(${clusters.gpuCount}), 0)`.mapWith(Number),
      })
      .from(clusters)
      .where(visible),
    db
      .select({
        id: environments.id,
        name: environments.name,
        color: environments.color,
        isProduction: environments.isProduction,
        count: count(clusterEnvironments.clusterId),
      })
      .from(environments)
      .leftJoin(
        clusterEnvironments,
        and(eq(clusterEnvironments.environmentId, environments.id), visibleClustersOn(principal, clusterEnvironments.clusterId)),
      )
      .groupBy(environments.id)
      .orderBy(asc(environments.name)),
    db
      .select({ ...clusterHealthColumns(tables), isProduction })
      .from(clusters)
      .where(and(visible, inArray(clusters.status, ['disconnected', 'degraded', 'awaiting_agent'])))
      .orderBy(desc(isProduction), asc(attentionRank(tables)), sql`${clusters.lastSeenAt} is null`, asc(clusters.lastSeenAt), asc(clusters.name))
      .limit(ATTENTION_LIMIT),
  ]);
  const statusCounts = new Map(byStatusRows.map((row) => [row.status, row.n]));
  const providerCounts = new Map(byProviderRows.map((row) => [row.provider, row.n]));
  const chips = await environmentChips(db, needing.map((row) => row.id));

  return {
    totals: totalsRows[0] ?? { clusters: 0, nodes: 0, readyNodes: 0, gpus: 0 },
    byStatus: CLUSTER_STATUSES.map((status: ClusterStatus) => ({ status, count: statusCounts.get(status) ?? 0 })),
    byProvider: PROVIDER_IDS.map((provider: ProviderId) => ({ provider, count: providerCounts.get(provider) ?? 0 })),
    byEnvironment,
    /** Production clusters first; then disconnected (longest silent first), degraded, awaiting an agent. */
    needingAttention: needing.map((row) => ({ ...row, environments: chips.get(row.id) ?? [] })),
    needingAttentionTotal:
      (statusCounts.get('disconnected') ?? 0) + (statusCounts.get('degraded') ?? 0) + (statusCounts.get('awaiting_agent') ?? 0),
  };
}
