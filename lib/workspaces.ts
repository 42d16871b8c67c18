/**
 * Workspace vocabulary shared by the store, the server, the browser and the agent: sync
 * states, resource roles, and the shapes of tolerations, quotas and quota use.
 */

/**
 * `pending`: the desired state is stored and not yet confirmed by the agent (a change, or
 * a disconnected cluster); `synced`: the agent applied this generation; `failed`: the agent
 * (or Kubernetes) refused it, with the reason in `syncError`; `deleting`: the workspace
 * was deleted here and waits for the agent to remove its namespace.
 */
export const WORKSPACE_SYNC_STATES = ['pending', 'synced', 'failed', 'deleting'] as const;
export type WorkspaceSyncState = (typeof WORKSPACE_SYNC_STATES)[number];

/** Resource roles on one workspace (teams join later). */
export const WORKSPACE_ROLES = ['admin', 'editor', 'viewer'] as const;
export type WorkspaceRole = (typeof WORKSPACE_ROLES)[number];

export const TOLERATION_OPERATORS = ['Equal', 'Exists'] as const;
export const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] as const;

/** A Kubernetes toleration as a workspace carries it for every job submitted to it. */
export interface Toleration {
  /** Empty with `Exists` tolerates every taint. */
  key?: string;
  operator: (typeof TOLERATION_OPERATORS)[number];
  /** Only with `Equal`. */
  value?: string;
  /** Empty tolerates every effect. */
  effect?: (typeof TAINT_EFFECTS)[number];
}

/** An optional ResourceQuota: Kubernetes quantities for CPU and memory, a GPU count. */
export interface WorkspaceQuota {
  cpu?: string;
  memory?: string;
  gpus?: number;
}

/** A managed ResourceQuota's figures as the agent reports them (`status.used` / `status.hard`). */
export interface QuotaUsage {
  hard: Record<string, string>;
  used: Record<string, string>;
}

/** Fleetdeck's labels and annotation on a managed namespace. */
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY_VALUE = 'fleetdeck';
export const ENVIRONMENT_LABEL = 'fleetdeck.io/environment';
/** Label values cannot hold `:`; the FQN label carries `<cluster>.<workspace>`, the annotation the real FQN. */
export const FQN_LABEL = 'fleetdeck.io/workspace';
export const FQN_ANNOTATION = 'fleetdeck.io/fqn';
/** JSON array of tolerations the workload layer adds to every pod of the namespace. */
export const TOLERATIONS_ANNOTATION = 'scheduler.alpha.kubernetes.io/defaultTolerations';
/** The ResourceQuota Fleetdeck manages in each workspace namespace. */
export const QUOTA_NAME = 'fleetdeck-quota';

export function workspaceFqn(clusterName: string, workspaceName: string): string {
  return `${clusterName}:${workspaceName}`;
}
