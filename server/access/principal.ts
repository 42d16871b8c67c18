/**
 * Who is calling. Every request resolves to one `Principal` before any procedure runs:
 * today a signed-in user or nobody; API tokens and SSO users become further kinds.
 */
import type { Role } from '@/lib/permissions';

export interface UserPrincipal {
  kind: 'user';
  userId: number;
  email: string;
  name: string;
  role: Role;
  /** SHA-256 of the session cookie this request carried, so sign-out ends exactly it. */
  sessionTokenHash: string;
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
