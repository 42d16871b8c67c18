/** Lookups every clusters service needs. */
import { asc, eq, inArray } from 'drizzle-orm';
import { clusterEnvironments, clusters, environments, workspaces } from '@/db/schema';
import { InvalidError, NotFoundError } from '@/server/errors';
import type { Tx } from '@/server/services/audit';

export type ClusterRow = typeof clusters.$inferSelect;

export function findClusterByName(tx: Tx, name: string): ClusterRow {
  const cluster = tx.select().from(clusters).where(eq(clusters.name, name)).get();
  if (!cluster) throw new NotFoundError(`Cluster "${name}" does not exist (it may have been detached)`);
  return cluster;
}

/** Every id must name an existing environment; returns them by id. */
export function requireEnvironments(tx: Tx, ids: readonly number[]) {
  const found = tx.select().from(environments).where(inArray(environments.id, [...ids])).all();
  if (found.length !== new Set(ids).size) {
    throw InvalidError.onField('environmentIds', 'One of the chosen environments no longer exists: reload and choose again');
  }
  return found;
}

export function clusterEnvironmentRows(tx: Tx, clusterId: number) {
  return tx
    .select({ id: environments.id, name: environments.name, color: environments.color, isProduction: environments.isProduction })
    .from(clusterEnvironments)
    .innerJoin(environments, eq(environments.id, clusterEnvironments.environmentId))
    .where(eq(clusterEnvironments.clusterId, clusterId))
    .orderBy(asc(environments.name))
    .all();
}

export function clusterWorkspaces(tx: Tx, clusterId: number) {
  return tx
    .select({ id: workspaces.id, name: workspaces.name, environmentId: workspaces.environmentId })
    .from(workspaces)
    .where(eq(workspaces.clusterId, clusterId))
    .orderBy(asc(workspaces.name))
    .all();
}

/** What audit rows record about a cluster's settings (never a token or its hash). */
export function auditableCluster(cluster: ClusterRow, environmentNames: readonly string[]) {
  return {
    name: cluster.name,
    provider: cluster.provider,
    region: cluster.region,
    environments: [...environmentNames],
    baseDomains: cluster.baseDomains,
    prometheusUrl: cluster.prometheusUrl,
    nodePoolLabel: cluster.nodePoolLabel,
    gpuTypeLabel: cluster.gpuTypeLabel,
    addons: cluster.addons,
  };
}

/** What every list of clusters shows about each: who it is and how it is. */
export const clusterHealthColumns = {
  id: clusters.id,
  name: clusters.name,
  provider: clusters.provider,
  region: clusters.region,
  status: clusters.status,
  statusReasons: clusters.statusReasons,
  lastSeenAt: clusters.lastSeenAt,
  createdAt: clusters.createdAt,
};
