/**
 * Changing a workspace's desired state. Each write is one transaction: checked, stored
 * as `pending` with the next desired generation, audited; the reconciler
 * (server/workspace-sync) applies it when the cluster's agent is there, and learns of
 * it from `workspace.changed`, published only after the commit. A refusal writes nothing.
 */
import { and, eq, sql } from 'drizzle-orm';
import type { ClusterRow, WorkspaceRow } from '@/db/schema';
import type { CreateWorkspaceInput, DeleteWorkspaceInput, UpdateWorkspaceInput } from '@/lib/schemas/workspace';
import { workspaceFqn } from '@/lib/workspaces';
import { ConflictError, InvalidError, NotFoundError, PreconditionError } from '@/server/errors';
import { tablesOf, type Db } from '@/server/store';
import { type Actor, recordAudit } from '@/server/services/audit';
import { afterWorkspaceCommit, auditableWorkspace, changedFields, findWorkspace, type WorkspaceServices } from './shared';

async function findCluster(tx: Db, clusterId: number): Promise<ClusterRow> {
  const { clusters } = tablesOf(tx);
  const [cluster] = await tx.select().from(clusters).where(eq(clusters.id, clusterId)).limit(1);
  if (!cluster) throw InvalidError.onField('clusterId', 'That cluster no longer exists (it may have been detached): reload and choose again');
  return cluster;
}

/** The environment, which must be one of the cluster's; refused on `environmentId` otherwise. */
async function requireClusterEnvironment(tx: Db, cluster: ClusterRow, environmentId: number) {
  const { clusterEnvironments, environments } = tablesOf(tx);
  const [env] = await tx
    .select({ id: environments.id, name: environments.name, isProduction: environments.isProduction })
    .from(clusterEnvironments)
    .innerJoin(environments, eq(environments.id, clusterEnvironments.environmentId))
    .where(and(eq(clusterEnvironments.clusterId, cluster.id), eq(clusterEnvironments.environmentId, environmentId)))
    .limit(1);
  if (!env) {
    throw InvalidError.onField('environmentId', `Choose one of the environments of cluster "${cluster.name}"`);
  }
  return env;
}

async function environmentName(tx: Db, id: number): Promise<string> {
  const { environments } = tablesOf(tx);
  const [env] = await tx.select({ name: environments.name }).from(environments).where(eq(environments.id, id)).limit(1);
  return env?.name ?? String(id);
}

function refuseWhileDeleting(workspace: WorkspaceRow): void {
  if (workspace.syncState === 'deleting') {
    throw new PreconditionError(`Workspace "${workspace.name}" is being deleted; it cannot be changed any more`);
  }
}

export async function createWorkspace(cp: WorkspaceServices, actor: Actor, input: CreateWorkspaceInput): Promise<WorkspaceRow> {
  const created = await cp.store.transaction(async (tx) => {
    const { workspaces } = tablesOf(tx);
    const cluster = await findCluster(tx, input.clusterId);
    const env = await requireClusterEnvironment(tx, cluster, input.environmentId);
    const [clash] = await tx
      .select({ id: workspaces.id })
      .from(workspaces)
      .where(and(eq(workspaces.clusterId, cluster.id), eq(workspaces.name, input.name)))
      .limit(1);
    if (clash) throw ConflictError.onField('name', `Cluster "${cluster.name}" already has a workspace named "${input.name}"`);
    const [row] = await tx
      .insert(workspaces)
      .values({
        clusterId: cluster.id,
        name: input.name,
        environmentId: env.id,
        labels: input.labels,
        tolerations: input.tolerations,
        quota: input.quota,
        syncState: 'pending',
        desiredGeneration: 1,
        appliedGeneration: 0,
      })
      .returning();
    if (!row) throw new Error('createWorkspace: the insert returned no row');
    await recordAudit(tx, actor, {
      action: 'workspace.create',
      target: { type: 'workspace', id: row.id, label: workspaceFqn(cluster.name, row.name) },
      after: auditableWorkspace(row, env.name),
    });
    return row;
  });
  afterWorkspaceCommit(cp, created.clusterId, [created.id]);
  return created;
}

/** Environment, labels, tolerations and quota; an update that changes nothing writes nothing. */
export async function updateWorkspace(cp: WorkspaceServices, actor: Actor, input: UpdateWorkspaceInput): Promise<WorkspaceRow> {
  const result = await cp.store.transaction(async (tx) => {
    const { workspaces } = tablesOf(tx);
    const before = await findWorkspace(tx, input.id);
    refuseWhileDeleting(before);
    const cluster = await findCluster(tx, before.clusterId);
    const env = await requireClusterEnvironment(tx, cluster, input.environmentId);
    const desired = { environmentId: env.id, labels: input.labels, tolerations: input.tolerations, quota: input.quota };
    const diff = changedFields(auditableWorkspace(before, await environmentName(tx, before.environmentId)), auditableWorkspace(desired, env.name));
    if (Object.keys(diff.after).length === 0) return { row: before, changed: false };
    const [after] = await tx
      .update(workspaces)
      .set({
        ...desired,
        syncState: 'pending',
        syncError: null,
        desiredGeneration: sql`${workspaces.desiredGeneration} + 1`,
        updatedAt: new Date(),
      })
      .where(eq(workspaces.id, before.id))
      .returning();
    if (!after) throw new NotFoundError('That workspace no longer exists');
    await recordAudit(tx, actor, {
      action: 'workspace.update',
      target: { type: 'workspace', id: after.id, label: workspaceFqn(cluster.name, after.name) },
      ...diff,
    });
    return { row: after, changed: true };
  });
  if (result.changed) afterWorkspaceCommit(cp, result.row.clusterId, [result.row.id]);
  return result.row;
}

/**
 * A production workspace needs its FQN typed. The row waits as `deleting` for the agent
 * to remove the namespace (the reconciler then removes the row). When nothing of ours can
 * be in the cluster (it never connected, or no generation was ever confirmed and no agent
 * is connected to be applying one) the row goes at once.
 */
export async function deleteWorkspace(
  cp: WorkspaceServices,
  actor: Actor,
  input: DeleteWorkspaceInput,
): Promise<{ removed: 'now' | 'afterSync' }> {
  const result = await cp.store.transaction(async (tx) => {
    const { environments, workspaces } = tablesOf(tx);
    const workspace = await findWorkspace(tx, input.id);
    const cluster = await findCluster(tx, workspace.clusterId);
    const [env] = await tx.select().from(environments).where(eq(environments.id, workspace.environmentId)).limit(1);
    const fqn = workspaceFqn(cluster.name, workspace.name);
    if (env?.isProduction && input.confirmFqn !== fqn) {
      throw InvalidError.onField('confirmFqn', `"${fqn}" is in a production environment: type its FQN to confirm`);
    }
    const audit = {
      action: 'workspace.delete',
      target: { type: 'workspace', id: workspace.id, label: fqn },
      before: auditableWorkspace(workspace, env?.name ?? String(workspace.environmentId)),
    };
    // With an agent connected, an apply of a never-confirmed generation may be under way:
    // the agent removes whatever it made. Otherwise nothing of ours is in the cluster.
    const agentConnected = cluster.status === 'connected' || cluster.status === 'degraded';
    if (cluster.status === 'awaiting_agent' || (workspace.appliedGeneration === 0 && !agentConnected)) {
      await tx.delete(workspaces).where(eq(workspaces.id, workspace.id));
      await recordAudit(tx, actor, audit);
      return { clusterId: cluster.id, removed: 'now' as const };
    }
    if (workspace.syncState === 'deleting') return { clusterId: cluster.id, removed: 'afterSync' as const, unchanged: true };
    await tx
      .update(workspaces)
      .set({ syncState: 'deleting', syncError: null, desiredGeneration: sql`${workspaces.desiredGeneration} + 1`, updatedAt: new Date() })
      .where(eq(workspaces.id, workspace.id));
    await recordAudit(tx, actor, audit);
    return { clusterId: cluster.id, removed: 'afterSync' as const };
  });
  if (!('unchanged' in result)) afterWorkspaceCommit(cp, result.clusterId, [input.id]);
  return { removed: result.removed };
}

/** Asks the agent to apply the desired state again (after drift); the drift stays shown until the agent clears it. */
export async function reapplyWorkspace(cp: WorkspaceServices, actor: Actor, id: number): Promise<WorkspaceRow> {
  const row = await cp.store.transaction(async (tx) => {
    const { clusters, workspaces } = tablesOf(tx);
    const before = await findWorkspace(tx, id);
    refuseWhileDeleting(before);
    const [cluster] = await tx.select({ name: clusters.name }).from(clusters).where(eq(clusters.id, before.clusterId)).limit(1);
    const [after] = await tx
      .update(workspaces)
      .set({ syncState: 'pending', syncError: null, desiredGeneration: sql`${workspaces.desiredGeneration} + 1`, updatedAt: new Date() })
      .where(eq(workspaces.id, id))
      .returning();
    if (!after) throw new NotFoundError('That workspace no longer exists');
    await recordAudit(tx, actor, {
      action: 'workspace.reapply',
      target: { type: 'workspace', id, label: workspaceFqn(cluster?.name ?? '?', after.name) },
      before: { syncState: before.syncState, drift: before.drift, desiredGeneration: before.desiredGeneration },
      after: { syncState: after.syncState, desiredGeneration: after.desiredGeneration },
    });
    return after;
  });
  afterWorkspaceCommit(cp, row.clusterId, [row.id]);
  return row;
}
