/** What every clusters service needs: its parts of the control plane, lookups, and the caller's visible scope. */
import { asc, eq, inArray, type SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import type { ClusterRow, Tables } from '@/db/schema';
import { visibleScope } from '@/server/access/authorize';
import type { Principal } from '@/server/access/principal';
import type { ControlPlane } from '@/server/control-plane';
import { InvalidError, NotFoundError } from '@/server/errors';
import { errorMessage } from '@/server/logger';
import { tablesOf, type Db } from '@/server/store';

/** The parts of the control plane the clusters' mutations use. */
export type ClusterServices = Pick<ControlPlane, 'config' | 'log' | 'store' | 'bus' | 'gateway'>;

export async function findClusterByName(tx: Db, name: string): Promise<ClusterRow> {
  const { clusters } = tablesOf(tx);
  const [cluster] = await tx.select().from(clusters).where(eq(clusters.name, name)).limit(1);
  if (!cluster) throw new NotFoundError(`Cluster "${name}" does not exist (it may have been detached)`);
  return cluster;
}

/** Every id must name an existing environment; returns them by id. */
export async function requireEnvironments(tx: Db, ids: readonly number[]) {
  const { environments } = tablesOf(tx);
  const found = await tx.select().from(environments).where(inArray(environments.id, [...ids]));
  if (found.length !== new Set(ids).size) {
    throw InvalidError.onField('environmentIds', 'One of the chosen environments no longer exists: reload and choose again');
  }
  return found;
}

export async function clusterEnvironmentRows(tx: Db, clusterId: number) {
  const { clusterEnvironments, environments } = tablesOf(tx);
  return tx
    .select({ id: environments.id, name: environments.name, color: environments.color, isProduction: environments.isProduction })
    .from(clusterEnvironments)
    .innerJoin(environments, eq(environments.id, clusterEnvironments.environmentId))
    .where(eq(clusterEnvironments.clusterId, clusterId))
    .orderBy(asc(environments.name));
}

export async function clusterWorkspaces(tx: Db, clusterId: number) {
  const { workspaces } = tablesOf(tx);
  return tx
    .select({ id: workspaces.id, name: workspaces.name, environmentId: workspaces.environmentId })
    .from(workspaces)
    .where(eq(workspaces.clusterId, clusterId))
    .orderBy(asc(workspaces.name));
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
export function clusterHealthColumns({ clusters }: Tables) {
  return {
    id: clusters.id,
    name: clusters.name,
    provider: clusters.provider,
    region: clusters.region,
    status: clusters.status,
    statusReasons: clusters.statusReasons,
    lastSeenAt: clusters.lastSeenAt,
    createdAt: clusters.createdAt,
  };
}

/**
 * The condition that keeps only the clusters `principal` may see, on a column holding
 * cluster ids (`clusters.id`, `cluster_environments.cluster_id`...), or undefined when
 * it sees them all. Lists, counts, facets and search all go through it.
 */
export function visibleClustersOn(principal: Principal, clusterIdColumn: PgColumn): SQL | undefined {
  const scope = visibleScope(principal, 'cluster');
  return scope.kind === 'all' ? undefined : inArray(clusterIdColumn, [...scope.ids]);
}

/**
 * After a committed mutation: live views learn of it, and a revoked credential loses
 * its open session at once rather than at the agent's next reconnect.
 */
export function afterClusterCommit(cp: ClusterServices, clusterId: number, revoke?: string): void {
  if (revoke) {
    try {
      cp.gateway.revoke(clusterId, revoke);
    } catch (error) {
      // The token is already revoked in the database, so the agent cannot come back with
      // it; a failed close must not turn the committed mutation into an error.
      cp.log.warn('could not close agent session', { clusterId, error: errorMessage(error) });
    }
  }
  cp.bus.publish({ type: 'cluster.changed', clusterIds: [clusterId] });
}
