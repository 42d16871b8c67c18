/**
 * The one place access is decided: from the caller (`Principal`), the action, and the
 * resource it touches. Procedures declare the action and, where there is one, how to
 * find the resource in their input (server/trpc.ts); list queries ask `visibleScope`
 * so a caller's lists, counts and search hold only what they may see.
 *
 * Two layers: the tenant role says which procedures a caller may call at all
 * (lib/permissions.ts `PERMISSIONS`). On clusters and workspaces, a fleet-wide role
 * (admin) then holds its permissions everywhere; any other role holds them only on the
 * workspaces where it has a workspace role, and may read only those workspaces'
 * clusters (`WORKSPACE_ROLE_PERMISSIONS`, grants loaded by ./grants.ts).
 *
 * One rule for refusals: whatever a caller may not do, or may not see, is FORBIDDEN,
 * whether or not it exists, so a refusal never tells a member what exists elsewhere.
 * NOT_FOUND is only for callers who could see the thing if it existed.
 */
import {
  FLEET_WIDE_ROLES,
  type Permission,
  roleHas,
  WORKSPACE_ACTIONS,
  type WorkspaceAction,
  workspaceRoleHas,
} from '@/lib/permissions';
import { ForbiddenError, UnauthorizedError } from '@/server/errors';
import type { Principal, UserPrincipal, WorkspaceGrant } from './principal';

export const RESOURCE_TYPES = ['cluster', 'environment', 'user', 'alertChannel', 'alertRule', 'workspace'] as const;
export type ResourceType = (typeof RESOURCE_TYPES)[number];

/** A single thing a procedure acts on, as its input names it. */
export type Resource =
  | { type: 'cluster'; name: string }
  | { type: 'cluster'; id: number }
  | { type: 'environment'; id: number }
  | { type: 'user'; id: number }
  | { type: 'alertChannel'; id: number }
  | { type: 'alertRule'; id: number }
  | { type: 'workspace'; id: number }
  | { type: 'workspace'; clusterName: string; name: string };

export function requireUser(principal: Principal): UserPrincipal {
  if (principal.kind !== 'user') throw new UnauthorizedError('Sign in to continue');
  return principal;
}

function fleetWide(user: UserPrincipal): boolean {
  return FLEET_WIDE_ROLES.includes(user.role);
}

/** The caller's workspace roles that concern `resource` (empty when none, or not a cluster or workspace). */
function grantsOn(user: UserPrincipal, resource: Resource): readonly WorkspaceGrant[] {
  const grants = user.workspaceGrants ?? [];
  switch (resource.type) {
    case 'cluster':
      return grants.filter((g) => ('id' in resource ? g.clusterId === resource.id : g.clusterName === resource.name));
    case 'workspace':
      return grants.filter((g) =>
        'id' in resource ? g.workspaceId === resource.id : g.clusterName === resource.clusterName && g.workspaceName === resource.name,
      );
    default:
      return [];
  }
}

/** Throws `UnauthorizedError` or `ForbiddenError` unless `principal` may do `action` (on `resource`). */
export function authorize(principal: Principal, action: Permission, resource?: Resource): UserPrincipal {
  const user = requireUser(principal);
  if (!roleHas(user.role, action)) throw new ForbiddenError('Your role does not allow this');
  if (!resource || fleetWide(user) || (resource.type !== 'cluster' && resource.type !== 'workspace')) return user;
  if (!grantsOn(user, resource).some((grant) => workspaceRoleHas(grant.role, action))) {
    throw new ForbiddenError(
      resource.type === 'workspace' ? 'Your role on this workspace does not allow this' : 'You have no role on a workspace of this cluster',
    );
  }
  return user;
}

/**
 * What the caller may do on one workspace, for the actions a row or page offers (the
 * server still decides each call through `authorize`).
 */
export function workspaceActions(principal: Principal, workspaceId: number): Record<WorkspaceAction, boolean> {
  const allowed = (action: WorkspaceAction) => {
    try {
      authorize(principal, action, { type: 'workspace', id: workspaceId });
      return true;
    } catch {
      return false;
    }
  };
  return Object.fromEntries(WORKSPACE_ACTIONS.map((action) => [action, allowed(action)])) as Record<WorkspaceAction, boolean>;
}

/** The caller's own role on a workspace, or null (fleet-wide roles need none). */
export function workspaceRoleOf(principal: Principal, workspaceId: number): WorkspaceGrant['role'] | null {
  if (principal.kind !== 'user') return null;
  return principal.workspaceGrants?.find((g) => g.workspaceId === workspaceId)?.role ?? null;
}

/**
 * Which resources of a type a principal may see in lists: `all`, or the ids it may.
 * Services apply it in their queries, so counts and search are filtered too.
 */
export type VisibleScope = { kind: 'all' } | { kind: 'some'; ids: readonly number[] };

export function visibleScope(principal: Principal, type: ResourceType): VisibleScope {
  const user = requireUser(principal);
  const readPermission: Record<ResourceType, Permission> = {
    cluster: 'cluster.read',
    environment: 'environment.read',
    user: 'user.read',
    alertChannel: 'alert.read',
    alertRule: 'alert.read',
    workspace: 'workspace.read',
  };
  if (!roleHas(user.role, readPermission[type])) return { kind: 'some', ids: [] };
  if (fleetWide(user) || (type !== 'cluster' && type !== 'workspace')) return { kind: 'all' };
  const grants = user.workspaceGrants ?? [];
  const ids = grants.map((g) => (type === 'cluster' ? g.clusterId : g.workspaceId));
  return { kind: 'some', ids: [...new Set(ids)] };
}
