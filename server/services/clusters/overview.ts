/** The Overview page: the fleet in counts, and the clusters that need someone first. */
import { asc, count, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { clusterEnvironments, clusters, environments, type ClusterStatus } from '@/db/schema';
import { CLUSTER_STATUSES } from '@/lib/schemas/cluster';
import { PROVIDER_IDS, type ProviderId } from '@/lib/providers';
import { attentionRank, environmentChips } from '@/server/services/clusters/fleet-list';
import { clusterHealthColumns } from '@/server/services/clusters/shared';

const ATTENTION_LIMIT = 10;

export function fleetOverview(db: Db) {
  const statusCounts = new Map(
    db.select({ status: clusters.status, n: count() }).from(clusters).groupBy(clusters.status).all().map((row) => [row.status, row.n]),
  );
  const providerCounts = new Map(
    db.select({ provider: clusters.provider, n: count() }).from(clusters).groupBy(clusters.provider).all().map((row) => [row.provider, row.n]),
  );
  const totals = db
    .select({
      clusters: count(),
      nodes: sql<number>`coalesce(sum(${clusters.nodeCount}), 0)`,
      readyNodes: sql<number>`coalesce(sum(${clusters.readyNodeCount}), 0)`,
      gpus: sql<number>`coalesce(sum(${clusters.gpuCount}), 0)`,
    })
    .from(clusters)
    .get() ?? { clusters: 0, nodes: 0, readyNodes: 0, gpus: 0 };

  const byEnvironment = db
    .select({
      id: environments.id,
      name: environments.name,
      color: environments.color,
      isProduction: environments.isProduction,
      count: sql<number>`count(${clusterEnvironments.clusterId})`,
    })
    .from(environments)
    .leftJoin(clusterEnvironments, eq(clusterEnvironments.environmentId, environments.id))
    .groupBy(environments.id)
    .orderBy(asc(environments.name))
    .all();

  const needing = db
    .select(clusterHealthColumns)
    .from(clusters)
    .where(inArray(clusters.status, ['disconnected', 'degraded', 'awaiting_agent']))
    .orderBy(asc(attentionRank), sql`${clusters.lastSeenAt} is null`, asc(clusters.lastSeenAt), asc(clusters.name))
    .limit(ATTENTION_LIMIT)
    .all();
  const chips = environmentChips(db, needing.map((row) => row.id));

  return {
    totals: { ...totals, nodes: Number(totals.nodes), readyNodes: Number(totals.readyNodes), gpus: Number(totals.gpus) },
    byStatus: CLUSTER_STATUSES.map((status: ClusterStatus) => ({ status, count: statusCounts.get(status) ?? 0 })),
    byProvider: PROVIDER_IDS.map((provider: ProviderId) => ({ provider, count: providerCounts.get(provider) ?? 0 })),
    byEnvironment: byEnvironment.map((env) => ({ ...env, count: Number(env.count) })),
    /** Disconnected first (longest silent first), then degraded, then awaiting an agent. */
    needingAttention: needing.map((row) => ({ ...row, environments: chips.get(row.id) ?? [] })),
    needingAttentionTotal:
      (statusCounts.get('disconnected') ?? 0) + (statusCounts.get('degraded') ?? 0) + (statusCounts.get('awaiting_agent') ?? 0),
  };
}
