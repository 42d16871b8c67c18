/**
 * Workspaces: the list and a workspace's page, the form's options, the desired-state
 * mutations (applied into the cluster by server/workspace-sync), workspace roles, and
 * the live feed. Thin: each procedure declares its access and the resource it acts on;
 * `authorize` decides per workspace (admins everywhere, members by workspace role).
 */
import { z } from 'zod';
import {
  createWorkspaceInput,
  deleteWorkspaceInput,
  grantWorkspaceRoleInput,
  grantWorkspaceTeamRoleInput,
  listWorkspacesInput,
  revokeWorkspaceRoleInput,
  revokeWorkspaceTeamRoleInput,
  updateWorkspaceInput,
  workspaceFormOptionsInput,
  workspaceIdInput,
  workspaceRef,
} from '@/lib/schemas/workspace';
import { authorize, visibleScope } from '@/server/access/authorize';
import { workspaceChanges } from '@/server/services/workspaces/changes';
import { createWorkspace, deleteWorkspace, reapplyWorkspace, updateWorkspace } from '@/server/services/workspaces/mutations';
import { getWorkspace, listWorkspaces, workspaceFormOptions } from '@/server/services/workspaces/queries';
import {
  grantWorkspaceRole,
  grantWorkspaceTeamRole,
  listWorkspaceRoleCandidates,
  listWorkspaceRoles,
  listWorkspaceTeamRoleCandidates,
  listWorkspaceTeamRoles,
  revokeWorkspaceRole,
  revokeWorkspaceTeamRole,
} from '@/server/services/workspaces/roles';
import { permissionProcedure, resourceProcedure, router } from '@/server/trpc';

const byId = (input: { id: number }) => ({ type: 'workspace' as const, id: input.id });

/** The list, optionally of one cluster: then that cluster is the resource `authorize` decides on. */
const listProcedure = permissionProcedure('workspace.read')
  .meta({ access: 'workspace.read', resource: 'cluster' })
  .input(listWorkspacesInput)
  .use(({ ctx, input, next }) => {
    if (input.clusterId !== undefined) authorize(ctx.principal, 'cluster.read', { type: 'cluster', id: input.clusterId });
    return next();
  });

const rolesRouter = router({
  list: resourceProcedure('workspace.roles.manage', 'workspace', workspaceIdInput, byId).query(({ ctx, input }) =>
    listWorkspaceRoles(ctx.cp.store, input.id),
  ),
  /** The people the grant form offers: active users without a role on it yet. */
  candidates: resourceProcedure('workspace.roles.manage', 'workspace', workspaceIdInput, byId).query(({ ctx, input }) =>
    listWorkspaceRoleCandidates(ctx.cp.store, input.id),
  ),
  /** Gives a user a role on the workspace (replacing the one they held). */
  grant: resourceProcedure('workspace.roles.manage', 'workspace', grantWorkspaceRoleInput, byId).mutation(async ({ ctx, input }) => {
    await grantWorkspaceRole(ctx.cp, ctx.actor, input);
    return { ok: true as const };
  }),
  revoke: resourceProcedure('workspace.roles.manage', 'workspace', revokeWorkspaceRoleInput, byId).mutation(async ({ ctx, input }) => {
    await revokeWorkspaceRole(ctx.cp, ctx.actor, input);
    return { ok: true as const };
  }),
  /** The teams holding a role on it (each member holds it too), with their member counts. */
  teams: resourceProcedure('workspace.roles.manage', 'workspace', workspaceIdInput, byId).query(({ ctx, input }) =>
    listWorkspaceTeamRoles(ctx.cp.store, input.id),
  ),
  /** The teams the grant form offers: those without a role on it yet. */
  teamCandidates: resourceProcedure('workspace.roles.manage', 'workspace', workspaceIdInput, byId).query(({ ctx, input }) =>
    listWorkspaceTeamRoleCandidates(ctx.cp.store, input.id),
  ),
  /** Gives a team a role on the workspace (replacing the one it held). */
  grantTeam: resourceProcedure('workspace.roles.manage', 'workspace', grantWorkspaceTeamRoleInput, byId).mutation(async ({ ctx, input }) => {
    await grantWorkspaceTeamRole(ctx.cp, ctx.actor, input);
    return { ok: true as const };
  }),
  revokeTeam: resourceProcedure('workspace.roles.manage', 'workspace', revokeWorkspaceTeamRoleInput, byId).mutation(async ({ ctx, input }) => {
    await revokeWorkspaceTeamRole(ctx.cp, ctx.actor, input);
    return { ok: true as const };
  }),
});

export const workspacesRouter = router({
  /** Filtered, searched (name or FQN) and paged on the server, over the workspaces the caller may see. */
  list: listProcedure.query(({ ctx, input }) => listWorkspaces(ctx.cp.store.db, ctx.principal, input)),

  /** One workspace's page: /workspaces/<clusterName>/<name>. */
  get: resourceProcedure('workspace.read', 'workspace', workspaceRef, (input) => ({
    type: 'workspace',
    clusterName: input.clusterName,
    name: input.name,
  })).query(({ ctx, input }) => getWorkspace(ctx.cp.store.db, ctx.principal, input)),

  /** The cluster's environments (the only ones offered) and the taints on its GPU nodes. */
  formOptions: resourceProcedure('workspace.read', 'cluster', workspaceFormOptionsInput, (input) => ({
    type: 'cluster',
    id: input.clusterId,
  })).query(({ ctx, input }) => workspaceFormOptions(ctx.cp.store.db, input.clusterId)),

  create: permissionProcedure('workspace.create', { creates: 'workspace' })
    .input(createWorkspaceInput)
    .mutation(({ ctx, input }) => createWorkspace(ctx.cp, ctx.actor, input)),

  /** Environment, labels, tolerations and quota (name and cluster are fixed). */
  update: resourceProcedure('workspace.update', 'workspace', updateWorkspaceInput, byId).mutation(({ ctx, input }) =>
    updateWorkspace(ctx.cp, ctx.actor, input),
  ),

  /** A production workspace needs `confirmFqn`; `removed` says whether it waits for the agent. */
  delete: resourceProcedure('workspace.delete', 'workspace', deleteWorkspaceInput, byId).mutation(({ ctx, input }) =>
    deleteWorkspace(ctx.cp, ctx.actor, input),
  ),

  /** Applies the desired state again (after drift). */
  reapply: resourceProcedure('workspace.reapply', 'workspace', workspaceIdInput, byId).mutation(({ ctx, input }) =>
    reapplyWorkspace(ctx.cp, ctx.actor, input.id),
  ),

  roles: rolesRouter,

  /** Which workspaces changed (desired state, sync status), pushed over SSE; views refetch on each value. */
  onChange: permissionProcedure('workspace.read')
    .input(z.undefined().optional())
    .subscription(({ ctx, signal }) => workspaceChanges(ctx.cp.bus, visibleScope(ctx.principal, 'workspace'), signal)),
});
