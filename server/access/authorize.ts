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
 * clusters (`WORKSPACE_ROLE_PERMISSIONS`, grants loaded by ./grants.ts). On an ML repo,
 * a non-fleet-wide caller holds what their effective repo role gives
 * (`REPO_ROLE_PERMISSIONS`, loaded by ./repo-access.ts); a team's members are changed by
 * its managers; creating a repo takes being a manager of some team (a team lead).
 *
 * One rule for refusals: whatever a caller may not do, or may not see, is FORBIDDEN,
 * whether or not it exists, so a refusal never tells a member what exists elsewhere.
 * NOT_FOUND is only for callers who could see the thing if it existed.
 */
import {
  FLEET_WIDE_ROLES,
  type Permission,
  REPO_ACTIONS,
  repoRoleHas,
  type RepoAction,
  roleHas,
  TEAM_LEAD_PERMISSIONS,
  WORKSPACE_ACTIONS,
  type WorkspaceAction,
  workspaceRoleHas,
} from '@/lib/permissions';
import { ForbiddenError, UnauthorizedError } from '@/server/errors';
import type { RepoAccess } from '@/lib/ml-repos';
import type { Principal, UserPrincipal, WorkspaceGrant } from './principal';

export const RESOURCE_TYPES = [
  'cluster',
  'environment',
  'user',
  'alertChannel',
  'alertRule',
  'workspace',
  'team',
  'storageIntegration',
  'mlRepo',
] as const;
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
  | { type: 'workspace'; clusterName: string; name: string }
  | { type: 'team'; id: number }
  | { type: 'storageIntegration'; id: number }
  | { type: 'mlRepo'; id: number }
  | { type: 'mlRepo'; name: string };

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

/** The caller's effective access on one repo, `none` when not loaded or not granted. */
export function repoAccessOf(principal: Principal, repo: { id: number } | { name: string }): RepoAccess {
  if (principal.kind !== 'user') return 'none';
  if (fleetWide(principal)) return 'admin';
  const entry = principal.repoAccess?.find((e) => ('id' in repo ? e.repoId === repo.id : e.repoName === repo.name));
  return entry?.access ?? 'none';
}

function managesTeam(user: UserPrincipal, teamId?: number): boolean {
  return (user.teamMemberships ?? []).some((m) => m.role === 'manager' && (teamId === undefined || m.teamId === teamId));
}

/** Throws `UnauthorizedError` or `ForbiddenError` unless `principal` may do `action` (on `resource`). */
export function authorize(principal: Principal, action: Permission, resource?: Resource): UserPrincipal {
  const user = requireUser(principal);
  if (!roleHas(user.role, action)) throw new ForbiddenError('Your role does not allow this');
  if (fleetWide(user)) return user;
  if (TEAM_LEAD_PERMISSIONS.includes(action) && !managesTeam(user)) {
    throw new ForbiddenError('Only team managers (team leads) and admins can do this');
  }
  if (!resource) return user;
  switch (resource.type) {
    case 'cluster':
    case 'workspace':
      if (!grantsOn(user, resource).some((grant) => workspaceRoleHas(grant.role, action))) {
        throw new ForbiddenError(
          resource.type === 'workspace' ? 'Your role on this workspace does not allow this' : 'You have no role on a workspace of this cluster',
        );
      }
      return user;
    case 'user':
      // The one permission a member holds on a user: their own page. Every other user
      // permission is admin-only by tenant role, and admins returned above.
      if (action === 'user.profile.read' && resource.id !== user.userId) {
        throw new ForbiddenError('You can open only your own user page');
      }
      return user;
    case 'team':
      if (action === 'team.members.manage' && !managesTeam(user, resource.id)) {
        throw new ForbiddenError("Only this team's managers and admins can change its members");
      }
      return user;
    case 'mlRepo': {
      const access = repoAccessOf(user, resource);
      if (access === 'none' || !repoRoleHas(access, action)) {
        throw new ForbiddenError(access === 'none' ? 'You have no access to this ML repo' : 'Your role on this ML repo does not allow this');
      }
      return user;
    }
    default:
      return user;
  }
}

/** What the caller may do on one repo, for the actions its page offers. */
export function repoActions(principal: Principal, repoId: number): Record<RepoAction, boolean> {
  const allowed = (action: RepoAction) => {
    try {
      authorize(principal, action, { type: 'mlRepo', id: repoId });
      return true;
    } catch {
      return false;
    }
  };
  return Object.fromEntries(REPO_ACTIONS.map((action) => [action, allowed(action)])) as Record<RepoAction, boolean>;
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
    team: 'team.read',
    storageIntegration: 'storage.read',
    mlRepo: 'mlRepo.read',
  };
  if (!roleHas(user.role, readPermission[type])) return { kind: 'some', ids: [] };
  if (fleetWide(user)) return { kind: 'all' };
  if (type === 'mlRepo') {
    // The list procedure loads the access of every repo the caller reaches (./repo-access.ts).
    return { kind: 'some', ids: (user.repoAccess ?? []).filter((e) => e.access !== 'none').map((e) => e.repoId) };
  }
  if (type !== 'cluster' && type !== 'workspace') return { kind: 'all' };
  const grants = user.workspaceGrants ?? [];
  const ids = grants.map((g) => (type === 'cluster' ? g.clusterId : g.workspaceId));
  return { kind: 'some', ids: [...new Set(ids)] };
}
