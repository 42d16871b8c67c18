/**
 * Reads workspaces with what their namespace is made of (cluster and environment names),
 * for the reconciler and for the drift check on agent reports.
 */
import { and, eq, inArray, type SQL } from 'drizzle-orm';
import type { WorkspaceSyncState } from '@/lib/workspaces';
import type { QuotaUsage } from '@/lib/workspaces';
import { tablesOf, type Db } from '@/server/store';
import type { WorkspaceSpec } from './desired-namespace';

export interface WorkspaceSpecRow extends WorkspaceSpec {
  id: number;
  clusterId: number;
  syncState: WorkspaceSyncState;
  desiredGeneration: number;
  appliedGeneration: number;
  drift: string | null;
  quotaUsage: QuotaUsage | null;
}

/** The cluster's workspaces matching `where` (its state, some names), in id order, at most `limit`. */
export async function selectWorkspaceSpecs(
  db: Db,
  clusterId: number,
  filter: { states?: readonly WorkspaceSyncState[]; names?: readonly string[]; limit?: number } = {},
): Promise<WorkspaceSpecRow[]> {
  const { workspaces, clusters, environments } = tablesOf(db);
  const conditions: SQL[] = [eq(workspaces.clusterId, clusterId)];
  if (filter.states) conditions.push(inArray(workspaces.syncState, [...filter.states]));
  if (filter.names) {
    if (filter.names.length === 0) return [];
    conditions.push(inArray(workspaces.name, [...filter.names]));
  }
  const query = db
    .select({
      id: workspaces.id,
      clusterId: workspaces.clusterId,
      name: workspaces.name,
      clusterName: clusters.name,
      environmentName: environments.name,
      labels: workspaces.labels,
      tolerations: workspaces.tolerations,
      quota: workspaces.quota,
      syncState: workspaces.syncState,
      desiredGeneration: workspaces.desiredGeneration,
      appliedGeneration: workspaces.appliedGeneration,
      drift: workspaces.drift,
      quotaUsage: workspaces.quotaUsage,
    })
    .from(workspaces)
    .innerJoin(clusters, eq(clusters.id, workspaces.clusterId))
    .innerJoin(environments, eq(environments.id, workspaces.environmentId))
    .where(and(...conditions))
    .orderBy(workspaces.id);
  const rows = filter.limit ? await query.limit(filter.limit) : await query;
  return rows.map((row) => ({ ...row, labels: row.labels ?? {}, tolerations: row.tolerations ?? [], quota: row.quota ?? null }));
}
