/**
 * A user's page: who they are, their teams, and their workspace roles (their own and
 * those their teams hold), so "what can this one access" is answered in one place. The
 * ML repos section is loaded by its own procedure (server/services/ml-repos).
 */
import { asc, eq } from 'drizzle-orm';
import type { Role } from '@/lib/permissions';
import type { TeamMemberRole } from '@/lib/teams';
import { workspaceFqn, type WorkspaceRole } from '@/lib/workspaces';
import { NotFoundError } from '@/server/errors';
import type { Store } from '@/server/store';

export interface ProfileWorkspaceRole {
  workspaceId: number;
  clusterName: string;
  workspaceName: string;
  /** `<cluster>:<workspace>`. */
  fqn: string;
  role: WorkspaceRole;
  /** Null: their own role; otherwise the team that holds it. */
  viaTeam: { teamId: number; teamName: string } | null;
}

export interface UserProfile {
  user: { id: number; name: string; email: string; role: Role; active: boolean; lastSignInAt: Date | null; createdAt: Date };
  teams: { teamId: number; teamName: string; role: TeamMemberRole }[];
  /** Every role, own and via each team, by FQN (the highest one applies). */
  workspaceRoles: ProfileWorkspaceRole[];
}

export async function getUserProfile(store: Store, id: number): Promise<UserProfile> {
  const { clusters, teamMembers, teams, users, workspaceRoles, workspaceTeamRoles, workspaces } = store.tables;
  const [user] = await store.db
    .select({ id: users.id, name: users.name, email: users.email, role: users.role, active: users.active, lastSignInAt: users.lastSignInAt, createdAt: users.createdAt })
    .from(users)
    .where(eq(users.id, id))
    .limit(1);
  if (!user) throw new NotFoundError('That user does not exist');
  const [memberships, own, viaTeams] = await Promise.all([
    store.db
      .select({ teamId: teams.id, teamName: teams.name, role: teamMembers.role })
      .from(teamMembers)
      .innerJoin(teams, eq(teams.id, teamMembers.teamId))
      .where(eq(teamMembers.userId, id))
      .orderBy(asc(teams.name)),
    store.db
      .select({ workspaceId: workspaces.id, workspaceName: workspaces.name, clusterName: clusters.name, role: workspaceRoles.role })
      .from(workspaceRoles)
      .innerJoin(workspaces, eq(workspaces.id, workspaceRoles.workspaceId))
      .innerJoin(clusters, eq(clusters.id, workspaces.clusterId))
      .where(eq(workspaceRoles.userId, id)),
    store.db
      .select({
        workspaceId: workspaces.id,
        workspaceName: workspaces.name,
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
      .where(eq(teamMembers.userId, id)),
  ]);
  const roles: ProfileWorkspaceRole[] = [
    ...own.map((r) => ({ ...r, fqn: workspaceFqn(r.clusterName, r.workspaceName), viaTeam: null })),
    ...viaTeams.map(({ teamId, teamName, ...r }) => ({ ...r, fqn: workspaceFqn(r.clusterName, r.workspaceName), viaTeam: { teamId, teamName } })),
  ];
  roles.sort((a, b) => a.fqn.localeCompare(b.fqn) || Number(a.viaTeam !== null) - Number(b.viaTeam !== null));
  return { user, teams: memberships, workspaceRoles: roles };
}
