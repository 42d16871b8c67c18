/**
 * Who is calling. Every request resolves to one `Principal` before any procedure runs:
 * today a signed-in user or nobody; API tokens and SSO users become further kinds.
 */
import type { RepoAccess } from '@/lib/ml-repos';
import type { Role } from '@/lib/permissions';
import type { TeamMemberRole } from '@/lib/teams';
import type { WorkspaceRole } from '@/lib/workspaces';

/**
 * A workspace role the user holds, with where the workspace lives (its cluster becomes
 * visible): their own, or their team's (`viaTeam`). Where both exist, the highest wins.
 */
export interface WorkspaceGrant {
  workspaceId: number;
  workspaceName: string;
  clusterId: number;
  clusterName: string;
  role: WorkspaceRole;
  /** Set when the role comes from a team the user belongs to. */
  viaTeam?: { teamId: number; teamName: string };
}

/** A team the user belongs to, and as what. */
export interface TeamMembership {
  teamId: number;
  teamName: string;
  role: TeamMemberRole;
}

/** The caller's effective access on one ML repo (server/access/repo-access.ts). */
export interface RepoAccessEntry {
  repoId: number;
  repoName: string;
  access: RepoAccess;
}

export interface UserPrincipal {
  kind: 'user';
  userId: number;
  email: string;
  name: string;
  role: Role;
  /** SHA-256 of the session cookie this request carried, so sign-out ends exactly it. */
  sessionTokenHash: string;
  /**
   * The user's workspace roles, loaded per call for roles that are not fleet-wide
   * (server/access/grants.ts). Absent means not loaded: such a user sees nothing scoped.
   */
  workspaceGrants?: readonly WorkspaceGrant[];
  /** The teams the user belongs to, loaded with `workspaceGrants`. */
  teamMemberships?: readonly TeamMembership[];
  /**
   * The user's effective access on the ML repos this call concerns (one repo for a
   * procedure on a repo, every repo reachable for a list), loaded per call for roles
   * that are not fleet-wide. A repo missing here is `none`.
   */
  repoAccess?: readonly RepoAccessEntry[];
}

export interface AnonymousPrincipal {
  kind: 'anonymous';
}

export type Principal = UserPrincipal | AnonymousPrincipal;

export const ANONYMOUS: AnonymousPrincipal = { kind: 'anonymous' };

/** What the browser learns about the signed-in user. */
export interface SessionUser {
  id: number;
  email: string;
  name: string;
  role: Role;
}

export function sessionUserOf(principal: Principal): SessionUser | null {
  if (principal.kind !== 'user') return null;
  return { id: principal.userId, email: principal.email, name: principal.name, role: principal.role };
}
