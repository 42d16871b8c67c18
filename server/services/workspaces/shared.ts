/** What every workspaces service needs: the row as views see it, lookups, and the after-commit signal. */
import { eq, inArray, type SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import type { EnvironmentRow, WorkspaceRow } from '@/db/schema';
import type { WorkspaceAction } from '@/lib/permissions';
import { workspaceFqn, type QuotaUsage, type Toleration, type WorkspaceQuota, type WorkspaceRole, type WorkspaceSyncState } from '@/lib/workspaces';
import { visibleScope, workspaceActions, workspaceRoleOf } from '@/server/access/authorize';
import type { Principal } from '@/server/access/principal';
import type { ControlPlane } from '@/server/control-plane';
import { NotFoundError } from '@/server/errors';
import { tablesOf, type Db } from '@/server/store';

export type WorkspaceServices = Pick<ControlPlane, 'store' | 'bus'>;

export interface WorkspaceEnvironment {
  id: number;
  name: string;
  color: string;
  isProduction: boolean;
  optimizeFor: EnvironmentRow['optimizeFor'];
}

/** One workspace as lists and its page show it. */
export interface WorkspaceView {
  id: number;
  name: string;
  /** `<cluster>:<workspace>`. */
  fqn: string;
  cluster: { id: number; name: string };
  environment: WorkspaceEnvironment;
  labels: Record<string, string>;
  tolerations: Toleration[];
  quota: WorkspaceQuota | null;
  syncState: WorkspaceSyncState;
  syncError: string | null;
  syncedAt: Date | null;
  drift: string | null;
  quotaUsage: QuotaUsage | null;
  desiredGeneration: number;
  appliedGeneration: number;
  createdAt: Date;
  updatedAt: Date;
  /** The caller's own workspace role (null for fleet-wide roles and non-holders). */
  myRole: WorkspaceRole | null;
  /** What the caller may do on it: the row's actions follow this (the server decides each call). */
  can: Record<WorkspaceAction, boolean>;
}

/** The columns a `WorkspaceView` is made of; select them from workspaces ⋈ clusters ⋈ environments. */
export function workspaceViewColumns(db: Db) {
  const { clusters, environments, workspaces } = tablesOf(db);
  return {
    workspace: workspaces,
    clusterName: clusters.name,
    environment: {
      id: environments.id,
      name: environments.name,
      color: environments.color,
      isProduction: environments.isProduction,
      optimizeFor: environments.optimizeFor,
    },
  };
}

export function viewOf(
  principal: Principal,
  row: { workspace: WorkspaceRow; clusterName: string; environment: WorkspaceEnvironment },
): WorkspaceView {
  const w = row.workspace;
  return {
    id: w.id,
    name: w.name,
    fqn: workspaceFqn(row.clusterName, w.name),
    cluster: { id: w.clusterId, name: row.clusterName },
    environment: row.environment,
    labels: w.labels,
    tolerations: w.tolerations,
    quota: w.quota ?? null,
    syncState: w.syncState,
    syncError: w.syncError,
    syncedAt: w.syncedAt,
    drift: w.drift,
    quotaUsage: w.quotaUsage ?? null,
    desiredGeneration: w.desiredGeneration,
    appliedGeneration: w.appliedGeneration,
    createdAt: w.createdAt,
    updatedAt: w.updatedAt,
    myRole: workspaceRoleOf(principal, w.id),
    can: workspaceActions(principal, w.id),
  };
}

/**
 * The condition that keeps only the workspaces `principal` may see, on a column of
 * workspace ids, or undefined when it sees them all.
 */
export function visibleWorkspacesOn(principal: Principal, workspaceIdColumn: PgColumn): SQL | undefined {
  const scope = visibleScope(principal, 'workspace');
  return scope.kind === 'all' ? undefined : inArray(workspaceIdColumn, [...scope.ids]);
}

export async function findWorkspace(tx: Db, id: number): Promise<WorkspaceRow> {
  const { workspaces } = tablesOf(tx);
  const [row] = await tx.select().from(workspaces).where(eq(workspaces.id, id)).limit(1);
  if (!row) throw new NotFoundError('That workspace no longer exists');
  return row;
}

/** What audit rows record about a workspace's desired state. */
export function auditableWorkspace(w: Pick<WorkspaceRow, 'environmentId' | 'labels' | 'tolerations' | 'quota'>, environmentName: string) {
  return { environment: environmentName, labels: w.labels, tolerations: w.tolerations, quota: w.quota ?? null };
}

/** Only the fields that differ, for an audit row's before/after. */
export function changedFields(before: Record<string, unknown>, after: Record<string, unknown>) {
  const b: Record<string, unknown> = {};
  const a: Record<string, unknown> = {};
  for (const key of Object.keys(after)) {
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) {
      b[key] = before[key];
      a[key] = after[key];
    }
  }
  return { before: b, after: a };
}

/** After a committed change: live views refetch, and the reconciler applies it. */
export function afterWorkspaceCommit(cp: WorkspaceServices, clusterId: number, workspaceIds: readonly number[]): void {
  cp.bus.publish({ type: 'workspace.changed', clusterId, workspaceIds });
}
