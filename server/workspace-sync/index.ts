/** Workspaces reconciled into their clusters through the agents (see reconciler.ts). */
export { createWorkspaceReconciler, type WorkspaceReconciler, type WorkspaceReconcilerOptions } from './reconciler';
export { describeDrift, desiredNamespace, type DesiredNamespace, type WorkspaceSpec } from './desired-namespace';
