/**
 * The one place access is decided: from the caller (`Principal`), the action, and the
 * resource it touches. Procedures declare the action and, where there is one, how to
 * find the resource in their input (server/trpc.ts); list queries ask `visibleScope`
 * so a caller's lists, counts and search hold only what they may see.
 *
 * Today the tenant role decides everything; the resource is already passed so that
 * workspace roles and ML-repo grants slot in here without touching a procedure.
 */
import { type Permission, roleHas } from '@/lib/permissions';
import { ForbiddenError, UnauthorizedError } from '@/server/errors';
import type { Principal, UserPrincipal } from './principal';

export const RESOURCE_TYPES = ['cluster', 'environment', 'user', 'alertChannel', 'alertRule'] as const;
export type ResourceType = (typeof RESOURCE_TYPES)[number];

/** A single thing a procedure acts on, as its input names it. */
export type Resource =
  | { type: 'cluster'; name: string }
  | { type: 'environment'; id: number }
  | { type: 'user'; id: number }
  | { type: 'alertChannel'; id: number }
  | { type: 'alertRule'; id: number };

export function requireUser(principal: Principal): UserPrincipal {
  if (principal.kind !== 'user') throw new UnauthorizedError('Sign in to continue');
  return principal;
}

/** Throws `UnauthorizedError` or `ForbiddenError` unless `principal` may do `action` (on `resource`). */
export function authorize(principal: Principal, action: Permission, resource?: Resource): UserPrincipal {
  const user = requireUser(principal);
  if (!roleHas(user.role, action)) throw new ForbiddenError('Your role does not allow this');
  // Resource-scoped rules (workspace roles, repo grants) decide here, from `resource`.
  void resource;
  return user;
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
  };
  return roleHas(user.role, readPermission[type]) ? { kind: 'all' } : { kind: 'some', ids: [] };
}
