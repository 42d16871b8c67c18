/**
 * Loads what `authorize` needs beyond the tenant role: the caller's workspace roles (their
 * own and their teams') and team memberships. Done once per call, before access is
 * decided, so a role granted or revoked takes effect on the next request (a subscription
 * keeps the roles it started with).
 */
import { eq } from 'drizzle-orm';
import { FLEET_WIDE_ROLES } from '@/lib/permissions';
import { WORKSPACE_ROLES, type WorkspaceRole } from '@/lib/workspaces';
import type { Store } from '@/server/store';
import type { Principal, TeamMembership, WorkspaceGrant } from './principal';

/** Higher first: `WORKSPACE_ROLES` lists admin, editor, viewer. */
const rank = (role: WorkspaceRole) => WORKSPACE_ROLES.length - WORKSPACE_ROLES.indexOf(role);

/** One grant per workspace: the highest; on a tie, the user's own over a team's. */
function highestPerWorkspace(grants: readonly WorkspaceGrant[]): WorkspaceGrant[] {
  const best = new Map<number, WorkspaceGrant>();
  for (const grant of grants) {
    const current = best.get(grant.workspaceId);
    if (!current || rank(grant.role) > rank(current.role) || (rank(grant.role) === rank(current.role) && current.viaTeam && !grant.viaTeam)) {
      best.set(grant.workspaceId, grant);
    }
  }
  return [...best.values()];
}

export async function withWorkspaceGrants(store: Store, principal: Principal): Promise<Principal> {
  if (principal.kind !== 'user' || FLEET_WIDE_ROLES.includes(principal.role) || principal.workspaceGrants) return principal;
  const { clusters, teamMembers, teams, workspaceRoles, workspaceTeamRoles, workspaces } = store.tables;
  const [own, memberships, viaTeams] = await Promise.all([
    store.db
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
      .where(eq(workspaceRoles.userId, principal.userId)),
    store.db
      .select({ teamId: teams.id, teamName: teams.name, role: teamMembers.role })
      .from(teamMembers)
      .innerJoin(teams, eq(teams.id, teamMembers.teamId))
      .where(eq(teamMembers.userId, principal.userId)),
    store.db
      .select({
        workspaceId: workspaces.id,
        workspaceName: workspaces.name,
        clusterId: clusters.id,
        clusterName: clusters.name,
        role: workspaceTeamRoles.role,
        teamId: teams.id,
        teamName: teams.name,
      })
      .from(workspaceTeamRoles)
      .innerJoin(teamMembers, eq(teamMembers.teamId, workspaceTeamRoles.teamId))
      .innerJoin(teams, eq(teams.id, workspaceTeamRoles.teamId))
      .innerJoin(workspaces, eq(workspaces.id, workspaceTeamRoles.workspaceId))
      .innerJoin(clusters, eq(clusters.id, workspaces.clusterId))
      .where(eq(teamMembers.userId, principal.userId)),
  ]);
  const teamGrants: WorkspaceGrant[] = viaTeams.map(({ teamId, teamName, ...grant }) => ({ ...grant, viaTeam: { teamId, teamName } }));
  const teamMemberships: TeamMembership[] = memberships;
  return { ...principal, workspaceGrants: highestPerWorkspace([...own, ...teamGrants]), teamMemberships };
}
