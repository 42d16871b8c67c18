/**
 * Reading teams: every signed-in user may (`team.read`), to pick one for a grant and to
 * see who leads it. What the caller may change comes with each team (`can`), so a page
 * offers only the controls the server would allow.
 */
import { and, asc, count, eq, inArray, notInArray, or, sql } from 'drizzle-orm';
import { MAX_MEMBER_CANDIDATES } from '@/lib/schemas/team';
import type { TeamMemberRole } from '@/lib/teams';
import { workspaceFqn, type WorkspaceRole } from '@/lib/workspaces';
import { authorize } from '@/server/access/authorize';
import type { Principal } from '@/server/access/principal';
import { NotFoundError } from '@/server/errors';
import { tablesOf, type Db, type Store } from '@/server/store';

export interface TeamPerson {
  userId: number;
  name: string;
  email: string;
}

/** What the caller may do on one team (the server decides each call again). */
export interface TeamActions {
  /** Rename, describe, delete (admins). */
  manage: boolean;
  /** Add and remove members, change their roles (admins and the team's managers). */
  manageMembers: boolean;
}

export interface TeamSummary {
  id: number;
  name: string;
  description: string;
  memberCount: number;
  managers: TeamPerson[];
  /** The caller's own role in the team, or null when they are not in it. */
  myRole: TeamMemberRole | null;
  can: TeamActions;
}

export interface TeamMember extends TeamPerson {
  role: TeamMemberRole;
  active: boolean;
  addedAt: Date;
}

export interface TeamDetail extends TeamSummary {
  members: TeamMember[];
  /** Workspace roles the team holds: each member holds them too. */
  workspaceRoles: { workspaceId: number; fqn: string; clusterName: string; workspaceName: string; role: WorkspaceRole }[];
  createdAt: Date;
  updatedAt: Date;
}

function allowed(principal: Principal, check: () => void): boolean {
  try {
    check();
    return true;
  } catch {
    return false;
  }
}

export function teamActions(principal: Principal, teamId: number): TeamActions {
  return {
    manage: allowed(principal, () => authorize(principal, 'team.manage', { type: 'team', id: teamId })),
    manageMembers: allowed(principal, () => authorize(principal, 'team.members.manage', { type: 'team', id: teamId })),
  };
}

function myRoleIn(principal: Principal, teamId: number): TeamMemberRole | null {
  if (principal.kind !== 'user') return null;
  return principal.teamMemberships?.find((m) => m.teamId === teamId)?.role ?? null;
}

async function managersOf(db: Db, teamIds: readonly number[]): Promise<Map<number, TeamPerson[]>> {
  const { teamMembers, users } = tablesOf(db);
  const byTeam = new Map<number, TeamPerson[]>();
  if (teamIds.length === 0) return byTeam;
  const rows = await db
    .select({ teamId: teamMembers.teamId, userId: users.id, name: users.name, email: users.email })
    .from(teamMembers)
    .innerJoin(users, eq(users.id, teamMembers.userId))
    .where(and(inArray(teamMembers.teamId, [...teamIds]), eq(teamMembers.role, 'manager')))
    .orderBy(asc(users.email));
  for (const { teamId, ...person } of rows) byTeam.set(teamId, [...(byTeam.get(teamId) ?? []), person]);
  return byTeam;
}

/** Every team by name, with its member count and managers. */
export async function listTeams(store: Store, principal: Principal): Promise<TeamSummary[]> {
  const { teamMembers, teams } = store.tables;
  const rows = await store.db
    .select({ id: teams.id, name: teams.name, description: teams.description, memberCount: count(teamMembers.userId) })
    .from(teams)
    .leftJoin(teamMembers, eq(teamMembers.teamId, teams.id))
    .groupBy(teams.id, teams.name, teams.description)
    .orderBy(asc(teams.name));
  const managers = await managersOf(store.db, rows.map((row) => row.id));
  return rows.map((row) => ({
    ...row,
    memberCount: Number(row.memberCount),
    managers: managers.get(row.id) ?? [],
    myRole: myRoleIn(principal, row.id),
    can: teamActions(principal, row.id),
  }));
}

export async function findTeam(db: Db, id: number) {
  const { teams } = tablesOf(db);
  const [team] = await db.select().from(teams).where(eq(teams.id, id)).limit(1);
  if (!team) throw new NotFoundError('That team no longer exists');
  return team;
}

/** One team with its members (managers first) and the workspace roles it holds. */
export async function getTeam(store: Store, principal: Principal, id: number): Promise<TeamDetail> {
  const { clusters, teamMembers, users, workspaceTeamRoles, workspaces } = store.tables;
  const team = await findTeam(store.db, id);
  const [members, roles] = await Promise.all([
    store.db
      .select({ userId: users.id, name: users.name, email: users.email, active: users.active, role: teamMembers.role, addedAt: teamMembers.createdAt })
      .from(teamMembers)
      .innerJoin(users, eq(users.id, teamMembers.userId))
      .where(eq(teamMembers.teamId, id))
      .orderBy(asc(users.email)),
    store.db
      .select({ workspaceId: workspaces.id, workspaceName: workspaces.name, clusterName: clusters.name, role: workspaceTeamRoles.role })
      .from(workspaceTeamRoles)
      .innerJoin(workspaces, eq(workspaces.id, workspaceTeamRoles.workspaceId))
      .innerJoin(clusters, eq(clusters.id, workspaces.clusterId))
      .where(eq(workspaceTeamRoles.teamId, id))
      .orderBy(asc(clusters.name), asc(workspaces.name)),
  ]);
  const managersFirst = [...members].sort((a, b) => Number(b.role === 'manager') - Number(a.role === 'manager'));
  return {
    id: team.id,
    name: team.name,
    description: team.description,
    memberCount: members.length,
    managers: managersFirst.filter((m) => m.role === 'manager').map(({ userId, name, email }) => ({ userId, name, email })),
    myRole: myRoleIn(principal, id),
    can: teamActions(principal, id),
    members: managersFirst,
    workspaceRoles: roles.map((r) => ({ ...r, fqn: workspaceFqn(r.clusterName, r.workspaceName) })),
    createdAt: team.createdAt,
    updatedAt: team.updatedAt,
  };
}

/** LIKE with the user's text taken literally, case-insensitive on both engines. */
function containsPattern(search: string): string {
  return `%${search.toLowerCase().replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
}

/**
 * Whom the add-member picker offers: active users not in the team yet, matching the
 * search, at most `MAX_MEMBER_CANDIDATES` (type to narrow). Names and emails only:
 * a team manager learns no more about people than that.
 */
export async function listMemberCandidates(store: Store, teamId: number, search: string): Promise<TeamPerson[]> {
  const { teamMembers, users } = store.tables;
  await findTeam(store.db, teamId);
  const inTeam = store.db.select({ userId: teamMembers.userId }).from(teamMembers).where(eq(teamMembers.teamId, teamId));
  const pattern = containsPattern(search);
  const matches = search
    ? or(sql`lower(${users.email}) like ${pattern} escape '\\'`, sql`lower(${users.name}) like ${pattern} escape '\\'`)
    : undefined;
  return store.db
    .select({ userId: users.id, name: users.name, email: users.email })
    .from(users)
    .where(and(eq(users.active, true), notInArray(users.id, inTeam), matches))
    .orderBy(asc(users.email))
    .limit(MAX_MEMBER_CANDIDATES);
}
