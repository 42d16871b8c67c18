/**
 * "Who can access this repo, and why", "what can this one access", and `checkAccess`:
 * each loads the grants and the facts about the subjects (active users, team members,
 * workspace roles own and via team, workspaces) in a fixed number of queries, one per
 * kind, then asks the one resolver (server/access/effective-access.ts) per subject.
 */
import { and, asc, eq, inArray, or, type SQL } from 'drizzle-orm';
import { describeAccessPath, type EffectiveAccess } from '@/lib/ml-repos';
import type { AccessOfInput, AccessSubjectInput } from '@/lib/schemas/ml-repo';
import { WORKSPACE_ROLES, workspaceFqn, type WorkspaceRole } from '@/lib/workspaces';
import { effectiveAccess, type GrantFact, type SubjectFacts } from '@/server/access/effective-access';
import { grantFact } from '@/server/access/repo-access';
import { NotFoundError } from '@/server/errors';
import { tablesOf, type Db } from '@/server/store';
import { findRepoByName } from './shared';

type UserFacts = Extract<SubjectFacts, { kind: 'user' }> & { name: string; email: string };

const rank = (role: WorkspaceRole) => WORKSPACE_ROLES.length - WORKSPACE_ROLES.indexOf(role);

/**
 * The facts about users, for either one user (everything about them) or the users that
 * some teams and workspaces reach (only those teams and workspaces: other grants cannot
 * matter to the repo asked about). Four queries whatever the number of users.
 */
async function loadUserFacts(
  db: Db,
  scope: { userId: number } | { userIds: readonly number[]; teamIds: readonly number[]; workspaceIds: readonly number[] },
): Promise<Map<number, UserFacts>> {
  const { clusters, teamMembers, teams, users, workspaceRoles, workspaceTeamRoles, workspaces } = tablesOf(db);
  const nothing = (ids: readonly number[]) => ids.length === 0;
  const one = 'userId' in scope;
  const membershipWhere: SQL | undefined = one ? eq(teamMembers.userId, scope.userId) : nothing(scope.teamIds) ? undefined : inArray(teamMembers.teamId, [...scope.teamIds]);
  const ownWhere: SQL | undefined = one
    ? eq(workspaceRoles.userId, scope.userId)
    : nothing(scope.workspaceIds)
      ? undefined
      : inArray(workspaceRoles.workspaceId, [...scope.workspaceIds]);
  const viaTeamWhere: SQL | undefined = one
    ? eq(teamMembers.userId, scope.userId)
    : nothing(scope.workspaceIds)
      ? undefined
      : inArray(workspaceTeamRoles.workspaceId, [...scope.workspaceIds]);
  const [memberships, own, viaTeam] = await Promise.all([
    membershipWhere
      ? db
          .select({ userId: teamMembers.userId, teamId: teams.id, teamName: teams.name })
          .from(teamMembers)
          .innerJoin(teams, eq(teams.id, teamMembers.teamId))
          .where(membershipWhere)
      : Promise.resolve([]),
    ownWhere
      ? db
          .select({ userId: workspaceRoles.userId, workspaceId: workspaces.id, workspaceName: workspaces.name, clusterName: clusters.name, role: workspaceRoles.role })
          .from(workspaceRoles)
          .innerJoin(workspaces, eq(workspaces.id, workspaceRoles.workspaceId))
          .innerJoin(clusters, eq(clusters.id, workspaces.clusterId))
          .where(ownWhere)
      : Promise.resolve([]),
    viaTeamWhere
      ? db
          .select({ userId: teamMembers.userId, workspaceId: workspaces.id, workspaceName: workspaces.name, clusterName: clusters.name, role: workspaceTeamRoles.role })
          .from(workspaceTeamRoles)
          .innerJoin(teamMembers, eq(teamMembers.teamId, workspaceTeamRoles.teamId))
          .innerJoin(workspaces, eq(workspaces.id, workspaceTeamRoles.workspaceId))
          .innerJoin(clusters, eq(clusters.id, workspaces.clusterId))
          .where(viaTeamWhere)
      : Promise.resolve([]),
  ]);
  const userIds = new Set<number>(one ? [scope.userId] : scope.userIds);
  for (const row of [...memberships, ...own, ...viaTeam]) userIds.add(row.userId);
  if (userIds.size === 0) return new Map();
  const people = await db
    .select({ id: users.id, name: users.name, email: users.email, active: users.active })
    .from(users)
    .where(inArray(users.id, [...userIds]));
  const facts = new Map<number, UserFacts>();
  for (const person of people) {
    facts.set(person.id, { kind: 'user', userId: person.id, active: person.active, name: person.name, email: person.email, teams: [], workspaces: [] });
  }
  for (const m of memberships) {
    const f = facts.get(m.userId);
    if (f) (f.teams as { teamId: number; teamName: string }[]).push({ teamId: m.teamId, teamName: m.teamName });
  }
  for (const w of [...own, ...viaTeam]) {
    const f = facts.get(w.userId);
    if (!f) continue;
    const list = f.workspaces as { workspaceId: number; workspaceFqn: string; role: WorkspaceRole }[];
    const held = list.find((x) => x.workspaceId === w.workspaceId);
    if (!held) list.push({ workspaceId: w.workspaceId, workspaceFqn: workspaceFqn(w.clusterName, w.workspaceName), role: w.role });
    else if (rank(w.role) > rank(held.role)) held.role = w.role;
  }
  return facts;
}

interface WorkspaceFacts {
  id: number;
  fqn: string;
  environment: string;
  production: boolean;
}

async function loadWorkspaces(db: Db, where: SQL): Promise<WorkspaceFacts[]> {
  const { clusters, environments, workspaces } = tablesOf(db);
  const rows = await db
    .select({ id: workspaces.id, name: workspaces.name, clusterName: clusters.name, environment: environments.name, production: environments.isProduction })
    .from(workspaces)
    .innerJoin(clusters, eq(clusters.id, workspaces.clusterId))
    .innerJoin(environments, eq(environments.id, workspaces.environmentId))
    .where(where);
  return rows.map((row) => ({ id: row.id, fqn: workspaceFqn(row.clusterName, row.name), environment: row.environment, production: row.production }));
}

async function repoGrantFacts(db: Db, repoId: number): Promise<GrantFact[]> {
  const { mlRepoGrants } = tablesOf(db);
  const rows = await db.select().from(mlRepoGrants).where(eq(mlRepoGrants.repoId, repoId)).orderBy(asc(mlRepoGrants.id));
  return rows.map(grantFact);
}

export type AccessSubjectView =
  | { kind: 'user'; userId: number; name: string; email: string; active: boolean }
  | { kind: 'workspace'; workspaceId: number; fqn: string; environment: string; production: boolean };

export interface AccessRow extends EffectiveAccess {
  subject: AccessSubjectView;
  /** The path in words: "direct", "via team X", "via workspace Y". */
  pathText: string;
}

/** Shown: every subject with access, and those whose grants exist but do not count (expired, deactivated) with the reason. */
const worthShowing = (answer: EffectiveAccess) => answer.access !== 'none' || answer.note !== undefined;

/** Every user and workspace that can access the repo (or could, but a grant expired), with the path. */
export async function whoCanAccess(db: Db, repoName: string, now = new Date()): Promise<AccessRow[]> {
  const repo = await findRepoByName(db, repoName);
  const grants = await repoGrantFacts(db, repo.id);
  const ids = (kind: 'user' | 'team' | 'workspace') =>
    grants.flatMap((g) => (g.subject.kind === kind ? [kind === 'user' ? (g.subject as { userId: number }).userId : kind === 'team' ? (g.subject as { teamId: number }).teamId : (g.subject as { workspaceId: number }).workspaceId] : []));
  const workspaceIds = ids('workspace');
  const { workspaces } = tablesOf(db);
  const [users, granted] = await Promise.all([
    loadUserFacts(db, { userIds: ids('user'), teamIds: ids('team'), workspaceIds }),
    workspaceIds.length ? loadWorkspaces(db, inArray(workspaces.id, workspaceIds)) : Promise.resolve([]),
  ]);
  const rows: AccessRow[] = [];
  for (const user of users.values()) {
    const answer = effectiveAccess(grants, user, now);
    if (!worthShowing(answer)) continue;
    rows.push({ ...answer, pathText: describeAccessPath(answer.path), subject: { kind: 'user', userId: user.userId, name: user.name, email: user.email, active: user.active } });
  }
  for (const w of granted) {
    const answer = effectiveAccess(grants, { kind: 'workspace', workspaceId: w.id, workspaceFqn: w.fqn }, now);
    if (!worthShowing(answer)) continue;
    rows.push({ ...answer, pathText: describeAccessPath(answer.path), subject: { kind: 'workspace', workspaceId: w.id, fqn: w.fqn, environment: w.environment, production: w.production } });
  }
  const label = (row: AccessRow) => (row.subject.kind === 'user' ? row.subject.email : row.subject.fqn);
  return rows.sort((a, b) => a.subject.kind.localeCompare(b.subject.kind) || label(a).localeCompare(label(b)));
}

/** The subject `checkAccess` names, found; NOT_FOUND with a plain sentence otherwise. */
async function resolveSubject(db: Db, subject: AccessSubjectInput | AccessOfInput['subject']): Promise<SubjectFacts & { view: AccessSubjectView }> {
  const { clusters, users, workspaces } = tablesOf(db);
  if (subject.kind === 'user') {
    const [person] = await db
      .select({ id: users.id })
      .from(users)
      .where('email' in subject ? eq(users.email, subject.email) : eq(users.id, subject.userId))
      .limit(1);
    if (!person) throw new NotFoundError('No user with that ' + ('email' in subject ? 'email' : 'id'));
    const facts = (await loadUserFacts(db, { userId: person.id })).get(person.id)!;
    return { ...facts, view: { kind: 'user', userId: facts.userId, name: facts.name, email: facts.email, active: facts.active } };
  }
  let where: SQL;
  if ('fqn' in subject) {
    const [clusterName, name] = subject.fqn.split(':') as [string, string];
    where = and(eq(clusters.name, clusterName), eq(workspaces.name, name))!;
  } else where = eq(workspaces.id, subject.workspaceId);
  const [w] = await loadWorkspaces(db, where);
  if (!w) throw new NotFoundError('No workspace ' + ('fqn' in subject ? `"${subject.fqn}"` : 'with that id'));
  return { kind: 'workspace', workspaceId: w.id, workspaceFqn: w.fqn, view: { kind: 'workspace', workspaceId: w.id, fqn: w.fqn, environment: w.environment, production: w.production } };
}

/** One subject's effective access on one repo: the same answer as the repo's access table. */
export async function checkAccess(
  db: Db,
  repoName: string,
  subject: AccessSubjectInput,
  now = new Date(),
): Promise<EffectiveAccess & { repo: string; subject: AccessSubjectView; pathText: string }> {
  const repo = await findRepoByName(db, repoName);
  const [grants, resolved] = await Promise.all([repoGrantFacts(db, repo.id), resolveSubject(db, subject)]);
  const { view, ...facts } = resolved;
  const answer = effectiveAccess(grants, facts as SubjectFacts, now);
  return { repo: repo.name, subject: view, ...answer, pathText: describeAccessPath(answer.path) };
}

export interface SubjectRepoRow extends EffectiveAccess {
  repo: { id: number; name: string };
  pathText: string;
}

/** "What can this one access": every repo the subject reaches (or reached, before a grant expired), with the path. */
export async function accessOf(db: Db, subject: AccessOfInput['subject'], now = new Date()): Promise<{ subject: AccessSubjectView; repos: SubjectRepoRow[] }> {
  const { mlRepoGrants, mlRepos } = tablesOf(db);
  const resolved = await resolveSubject(db, subject);
  const { view, ...facts } = resolved;
  const subjectFacts = facts as SubjectFacts;
  const reaches: SQL[] = [];
  if (subjectFacts.kind === 'workspace') reaches.push(eq(mlRepoGrants.workspaceId, subjectFacts.workspaceId));
  else {
    reaches.push(eq(mlRepoGrants.userId, subjectFacts.userId));
    if (subjectFacts.teams.length) reaches.push(inArray(mlRepoGrants.teamId, subjectFacts.teams.map((t) => t.teamId)));
    if (subjectFacts.workspaces.length) reaches.push(inArray(mlRepoGrants.workspaceId, subjectFacts.workspaces.map((w) => w.workspaceId)));
  }
  const rows = await db
    .select({
      repoId: mlRepos.id,
      repoName: mlRepos.name,
      id: mlRepoGrants.id,
      subjectKind: mlRepoGrants.subjectKind,
      userId: mlRepoGrants.userId,
      teamId: mlRepoGrants.teamId,
      workspaceId: mlRepoGrants.workspaceId,
      role: mlRepoGrants.role,
      expiresAt: mlRepoGrants.expiresAt,
    })
    .from(mlRepoGrants)
    .innerJoin(mlRepos, eq(mlRepos.id, mlRepoGrants.repoId))
    .where(or(...reaches))
    .orderBy(asc(mlRepos.name), asc(mlRepoGrants.id));
  const byRepo = new Map<number, { name: string; grants: GrantFact[] }>();
  for (const row of rows) {
    const entry = byRepo.get(row.repoId) ?? { name: row.repoName, grants: [] };
    entry.grants.push(grantFact(row));
    byRepo.set(row.repoId, entry);
  }
  const repos: SubjectRepoRow[] = [];
  for (const [id, { name, grants }] of byRepo) {
    const answer = effectiveAccess(grants, subjectFacts, now);
    if (worthShowing(answer)) repos.push({ repo: { id, name }, ...answer, pathText: describeAccessPath(answer.path) });
  }
  return { subject: view, repos };
}
