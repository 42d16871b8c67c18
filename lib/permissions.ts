/**
 * The permission model, shared by the server (which enforces it) and the browser
 * (which hides what a user cannot do). Tenant roles: `admin` and `member`; on top,
 * resource roles on single workspaces (`WORKSPACE_ROLE_PERMISSIONS`).
 */
import type { RepoRole } from '@/lib/ml-repos';
import type { WorkspaceRole } from '@/lib/workspaces';

export const ROLES = ['admin', 'member'] as const;
export type Role = (typeof ROLES)[number];

/** Every permission a procedure may declare, and the tenant roles that hold it. */
export const PERMISSIONS = {
  'environment.read': ['admin', 'member'],
  'environment.manage': ['admin'],
  'user.read': ['admin'],
  'user.manage': ['admin'],
  /** A user's page (teams, workspace roles, repo access): admins for anyone, a member only their own (server/access/authorize.ts). */
  'user.profile.read': ['admin', 'member'],
  'audit.read': ['admin'],
  'cluster.read': ['admin', 'member'],
  'cluster.manage': ['admin'],
  /** Alerts, the delivery log, and channels and rules (URLs only as hints): on-call members read them. */
  'alert.read': ['admin', 'member'],
  /** Channels (their URLs are credentials) and rules. */
  'alert.manage': ['admin'],
  /**
   * Workspaces. A tenant role listed here may call the procedure; whether it may act on
   * one workspace (or see one cluster) is decided on the resource: fleet-wide roles hold
   * it everywhere, other roles only where a workspace role gives it.
   */
  'workspace.read': ['admin', 'member'],
  'workspace.create': ['admin'],
  'workspace.update': ['admin', 'member'],
  'workspace.delete': ['admin', 'member'],
  'workspace.reapply': ['admin', 'member'],
  'workspace.roles.manage': ['admin', 'member'],
  /** Teams: everyone reads them (to pick one for a grant); admins create and delete; managers change their team's members. */
  'team.read': ['admin', 'member'],
  'team.manage': ['admin'],
  'team.members.manage': ['admin', 'member'],
  /** Storage integrations: members read names and locations (to pick one for a repo), never credentials; admins manage. */
  'storage.read': ['admin', 'member'],
  'storage.manage': ['admin'],
  /**
   * ML repos. A member may create one only as a team manager (a team lead); on one repo,
   * a member holds what their effective repo role gives (`REPO_ROLE_PERMISSIONS`).
   */
  'mlRepo.read': ['admin', 'member'],
  'mlRepo.create': ['admin', 'member'],
  'mlRepo.update': ['admin', 'member'],
  'mlRepo.delete': ['admin', 'member'],
  'mlRepo.grants.manage': ['admin', 'member'],
  'mlRepo.artifacts.read': ['admin', 'member'],
  'mlRepo.artifacts.write': ['admin', 'member'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

/**
 * What a procedure declares: a permission, or one of the two levels below any
 * permission. `public` is reserved for sign-in and health; `authenticated` for what
 * every signed-in user may do about themselves (who am I, sign out).
 */
export type AccessDeclaration = Permission | 'public' | 'authenticated';

export function roleHas(role: Role, permission: Permission): boolean {
  return (PERMISSIONS[permission] as readonly Role[]).includes(role);
}

/**
 * Tenant roles whose permissions hold on every cluster and workspace. Any other role
 * holds the cluster and workspace permissions only on the workspaces where it has a
 * workspace role, and sees only those workspaces' clusters.
 */
export const FLEET_WIDE_ROLES: readonly Role[] = ['admin'];

/** What each workspace role allows on its workspace (and, to read, on its cluster). */
export const WORKSPACE_ROLE_PERMISSIONS: Record<WorkspaceRole, readonly Permission[]> = {
  admin: ['cluster.read', 'workspace.read', 'workspace.update', 'workspace.delete', 'workspace.reapply', 'workspace.roles.manage'],
  editor: ['cluster.read', 'workspace.read', 'workspace.update', 'workspace.reapply'],
  viewer: ['cluster.read', 'workspace.read'],
};

/** The permissions a workspace row offers actions for (the browser hides the rest). */
export const WORKSPACE_ACTIONS = ['workspace.update', 'workspace.delete', 'workspace.reapply', 'workspace.roles.manage'] as const;
export type WorkspaceAction = (typeof WORKSPACE_ACTIONS)[number];

export function workspaceRoleHas(role: WorkspaceRole, permission: Permission): boolean {
  return WORKSPACE_ROLE_PERMISSIONS[role].includes(permission);
}

/** What each effective role on an ML repo allows on it (lib/ml-repos.ts). */
export const REPO_ROLE_PERMISSIONS: Record<RepoRole, readonly Permission[]> = {
  viewer: ['mlRepo.read', 'mlRepo.artifacts.read'],
  editor: ['mlRepo.read', 'mlRepo.artifacts.read', 'mlRepo.artifacts.write'],
  admin: ['mlRepo.read', 'mlRepo.artifacts.read', 'mlRepo.artifacts.write', 'mlRepo.update', 'mlRepo.delete', 'mlRepo.grants.manage'],
};

export function repoRoleHas(role: RepoRole, permission: Permission): boolean {
  return REPO_ROLE_PERMISSIONS[role].includes(permission);
}

/** The repo actions a page offers (the browser hides the rest; the server decides each call). */
export const REPO_ACTIONS = ['mlRepo.update', 'mlRepo.delete', 'mlRepo.grants.manage', 'mlRepo.artifacts.write'] as const;
export type RepoAction = (typeof REPO_ACTIONS)[number];

/** Permissions a member holds only as a manager of some team (a team lead). */
export const TEAM_LEAD_PERMISSIONS: readonly Permission[] = ['mlRepo.create'];
