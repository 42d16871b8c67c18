/**
 * Loads what `authorize` needs beyond the tenant role: the caller's workspace roles.
 * Done once per call, before access is decided, so a role granted or revoked takes
 * effect on the next request (a subscription keeps the roles it started with).
 */
import { eq } from 'drizzle-orm';
import { FLEET_WIDE_ROLES } from '@/lib/permissions';
import type { Store } from '@/server/store';
import type { Principal } from './principal';

export async function withWorkspaceGrants(store: Store, principal: Principal): Promise<Principal> {
  if (principal.kind !== 'user' || FLEET_WIDE_ROLES.includes(principal.role) || principal.workspaceGrants) return principal;
  const { clusters, workspaceRoles, workspaces } = store.tables;
  const workspaceGrants = await store.db
    .select({
      workspaceId: workspaces.id,
      workspaceName: workspaces.name,
      clusterId: clusters.id,
      clusterName: clusters.name,
      role: workspaceRoles.role,
    })
    .from(workspaceRoles)
    .innerJoin(workspaces, eq(workspaces.id, workspaceRoles.workspaceId))
    .innerJoin(clusters, eq(clusters.id, workspaces.clusterId))
    .where(eq(workspaceRoles.userId, principal.userId));
  return { ...principal, workspaceGrants };
}
