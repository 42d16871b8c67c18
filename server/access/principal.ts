/**
 * Who is calling. Every request resolves to one `Principal` before any procedure runs:
 * today a signed-in user or nobody; API tokens and SSO users become further kinds.
 */
import type { Role } from '@/lib/permissions';
import type { WorkspaceRole } from '@/lib/workspaces';

/** A workspace role the user holds, with where the workspace lives (its cluster becomes visible). */
export interface WorkspaceGrant {
  workspaceId: number;
  workspaceName: string;
  clusterId: number;
  clusterName: string;
  role: WorkspaceRole;
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
