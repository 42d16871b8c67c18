/**
 * A repo's access grants: the list (expired ones stay, marked), granting, changing role
 * and expiry, revoking, and whom the grant form offers. Guard rails are checked inside
 * the transaction: the last live admin grant cannot be removed or downgraded, and a
 * workspace is never admin. Every change is audited on the repo with before/after.
 */
import { and, asc, eq, gt, inArray, isNull, ne, notInArray, or, sql } from 'drizzle-orm';
import type { GrantSubjectKind, RepoRole } from '@/lib/ml-repos';
import { WORKSPACE_GRANT_ROLES } from '@/lib/ml-repos';
import type { ChangeGrantInput, CreateGrantInput, GrantCandidatesInput, GrantSubject, RevokeGrantInput } from '@/lib/schemas/ml-repo';
import { workspaceFqn } from '@/lib/workspaces';
import { grantIsLive } from '@/server/access/effective-access';
import { InvalidError, NotFoundError, PreconditionError } from '@/server/errors';
import { tablesOf, type Db, type Store } from '@/server/store';
import { type Actor, recordAudit } from '@/server/services/audit';
import { containsPattern, findRepoByName } from './shared';

export type GrantSubjectView =
  | { kind: 'user'; userId: number; label: string; name: string; email: string; active: boolean }
  | { kind: 'team'; teamId: number; label: string; name: string }
  | { kind: 'workspace'; workspaceId: number; label: string; fqn: string; environment: string; production: boolean };

export interface GrantView {
  id: number;
  subject: GrantSubjectView;
  role: RepoRole;
  expiresAt: Date | null;
  /** An expired grant stays listed and gives no access. */
  expired: boolean;
  grantedBy: string | null;
  grantedAt: Date;
}

interface GrantRowLike {
  id: number;
  subjectKind: GrantSubjectKind;
  userId: number | null;
  teamId: number | null;
  workspaceId: number | null;
  role: RepoRole;
  expiresAt: Date | null;
  grantedByUserId: number | null;
  createdAt: Date;
}

/** Labels for the subjects of `rows`: one query per kind. */
async function subjectViews(db: Db, rows: readonly GrantRowLike[]) {
  const { clusters, environments, teams, users, workspaces } = tablesOf(db);
  const pick = (key: 'userId' | 'teamId' | 'workspaceId') => [...new Set(rows.flatMap((r) => (r[key] === null ? [] : [r[key]!])))];
  const userIds = [...new Set([...pick('userId'), ...rows.flatMap((r) => (r.grantedByUserId === null ? [] : [r.grantedByUserId]))])];
  const teamIds = pick('teamId');
  const workspaceIds = pick('workspaceId');
  const [people, teamRows, workspaceRows] = await Promise.all([
    userIds.length
      ? db.select({ id: users.id, name: users.name, email: users.email, active: users.active }).from(users).where(inArray(users.id, userIds))
      : Promise.resolve([]),
    teamIds.length ? db.select({ id: teams.id, name: teams.name }).from(teams).where(inArray(teams.id, teamIds)) : Promise.resolve([]),
    workspaceIds.length
      ? db
          .select({ id: workspaces.id, name: workspaces.name, clusterName: clusters.name, environment: environments.name, production: environments.isProduction })
          .from(workspaces)
          .innerJoin(clusters, eq(clusters.id, workspaces.clusterId))
          .innerJoin(environments, eq(environments.id, workspaces.environmentId))
          .where(inArray(workspaces.id, workspaceIds))
      : Promise.resolve([]),
  ]);
  const userById = new Map(people.map((p) => [p.id, p]));
  const teamById = new Map(teamRows.map((t) => [t.id, t]));
  const workspaceById = new Map(workspaceRows.map((w) => [w.id, w]));
  return {
    subjectOf(row: GrantRowLike): GrantSubjectView {
      if (row.subjectKind === 'user') {
        const p = userById.get(row.userId!);
        return { kind: 'user', userId: row.userId!, label: p ? `${p.name} <${p.email}>` : `user #${row.userId}`, name: p?.name ?? '', email: p?.email ?? '', active: p?.active ?? false };
      }
      if (row.subjectKind === 'team') {
        const t = teamById.get(row.teamId!);
        return { kind: 'team', teamId: row.teamId!, label: t?.name ?? `team #${row.teamId}`, name: t?.name ?? '' };
      }
      const w = workspaceById.get(row.workspaceId!);
      const fqn = w ? workspaceFqn(w.clusterName, w.name) : `workspace #${row.workspaceId}`;
      return { kind: 'workspace', workspaceId: row.workspaceId!, label: fqn, fqn, environment: w?.environment ?? '', production: w?.production ?? false };
    },
    emailOf: (userId: number | null) => (userId === null ? null : (userById.get(userId)?.email ?? null)),
  };
}

function viewOf(views: Awaited<ReturnType<typeof subjectViews>>, row: GrantRowLike, now: Date): GrantView {
  return {
    id: row.id,
    subject: views.subjectOf(row),
    role: row.role,
    expiresAt: row.expiresAt,
    expired: !grantIsLive(row, now),
    grantedBy: views.emailOf(row.grantedByUserId),
    grantedAt: row.createdAt,
  };
}

export async function listGrants(db: Db, repoName: string, now = new Date()): Promise<GrantView[]> {
  const { mlRepoGrants } = tablesOf(db);
  const repo = await findRepoByName(db, repoName);
  const rows = await db.select().from(mlRepoGrants).where(eq(mlRepoGrants.repoId, repo.id)).orderBy(asc(mlRepoGrants.id));
  const views = await subjectViews(db, rows);
  const order: Record<GrantSubjectKind, number> = { user: 0, team: 1, workspace: 2 };
  return rows
    .map((row) => viewOf(views, row, now))
    .sort((a, b) => order[a.subject.kind] - order[b.subject.kind] || a.subject.label.localeCompare(b.subject.label));
}

/** What an audit row records about a grant. */
function audited(grant: GrantView) {
  return { subject: `${grant.subject.kind} ${grant.subject.label}`, role: grant.role, expiresAt: grant.expiresAt ? grant.expiresAt.toISOString() : null };
}

function checkExpiry(expiresAt: Date | null | undefined, now: Date) {
  if (expiresAt && expiresAt.getTime() <= now.getTime()) throw InvalidError.onField('expiresAt', 'The expiry must be in the future');
}

/** Throws unless the repo keeps a live admin grant other than `grantId`. */
async function keepsAnotherAdmin(tx: Db, repoId: number, grantId: number, now: Date) {
  const { mlRepoGrants } = tablesOf(tx);
  const [other] = await tx
    .select({ id: mlRepoGrants.id })
    .from(mlRepoGrants)
    .where(
      and(
        eq(mlRepoGrants.repoId, repoId),
        eq(mlRepoGrants.role, 'admin'),
        ne(mlRepoGrants.id, grantId),
        or(isNull(mlRepoGrants.expiresAt), gt(mlRepoGrants.expiresAt, now)),
      ),
    )
    .limit(1);
  if (!other) {
    throw new PreconditionError('This is the repo’s last admin grant: grant admin to someone else first, so the repo keeps an admin');
  }
}

async function checkSubjectExists(tx: Db, subject: GrantSubject) {
  const { teams, users, workspaces } = tablesOf(tx);
  if (subject.kind === 'user') {
    const [u] = await tx.select({ active: users.active }).from(users).where(eq(users.id, subject.userId)).limit(1);
    if (!u || !u.active) throw InvalidError.onField('subject', 'That user does not exist or is deactivated');
  } else if (subject.kind === 'team') {
    const [t] = await tx.select({ id: teams.id }).from(teams).where(eq(teams.id, subject.teamId)).limit(1);
    if (!t) throw InvalidError.onField('subject', 'That team does not exist (it may have been deleted)');
  } else {
    const [w] = await tx.select({ id: workspaces.id }).from(workspaces).where(eq(workspaces.id, subject.workspaceId)).limit(1);
    if (!w) throw InvalidError.onField('subject', 'That workspace does not exist (it may have been deleted)');
  }
}

/**
 * The repo, locked for this transaction: touching its row makes concurrent grant changes
 * on the same repo wait for each other on PostgreSQL (SQLite has one writer anyway), so
 * two admins stepping down at once cannot both pass the last-admin check.
 */
async function lockRepo(tx: Db, name: string) {
  const { mlRepos } = tablesOf(tx);
  await tx.update(mlRepos).set({ updatedAt: new Date() }).where(eq(mlRepos.name, name));
  return findRepoByName(tx, name);
}

export async function createGrant(store: Store, actor: Actor, input: CreateGrantInput, now = new Date()): Promise<GrantView> {
  const { subject, role } = input;
  if (subject.kind === 'workspace' && !(WORKSPACE_GRANT_ROLES as readonly string[]).includes(role)) {
    throw InvalidError.onField('role', 'A workspace can be granted viewer or editor, never admin');
  }
  checkExpiry(input.expiresAt, now);
  return store.transaction(async (tx) => {
    const { mlRepoGrants } = tablesOf(tx);
    const repo = await lockRepo(tx, input.name);
    await checkSubjectExists(tx, subject);
    const [row] = await tx
      .insert(mlRepoGrants)
      .values({
        repoId: repo.id,
        subjectKind: subject.kind,
        userId: subject.kind === 'user' ? subject.userId : null,
        teamId: subject.kind === 'team' ? subject.teamId : null,
        workspaceId: subject.kind === 'workspace' ? subject.workspaceId : null,
        role,
        expiresAt: input.expiresAt ?? null,
        grantedByUserId: actor.userId,
      })
      .returning();
    if (!row) throw new Error('createGrant: no row returned');
    const view = viewOf(await subjectViews(tx, [row]), row, now);
    await recordAudit(tx, actor, { action: 'mlRepo.grant.create', target: { type: 'mlRepo', id: repo.id, label: repo.name }, before: null, after: audited(view) });
    return view;
  });
}

async function findGrant(tx: Db, repoId: number, grantId: number) {
  const { mlRepoGrants } = tablesOf(tx);
  const [row] = await tx.select().from(mlRepoGrants).where(and(eq(mlRepoGrants.id, grantId), eq(mlRepoGrants.repoId, repoId))).limit(1);
  if (!row) throw new NotFoundError('That grant no longer exists on this repo');
  return row;
}

/** Changes role and expiry (`expiresAt` absent keeps it, null removes it). */
export async function changeGrant(store: Store, actor: Actor, input: ChangeGrantInput, now = new Date()): Promise<GrantView> {
  checkExpiry(input.expiresAt, now);
  return store.transaction(async (tx) => {
    const { mlRepoGrants } = tablesOf(tx);
    const repo = await lockRepo(tx, input.name);
    const row = await findGrant(tx, repo.id, input.grantId);
    if (row.subjectKind === 'workspace' && !(WORKSPACE_GRANT_ROLES as readonly string[]).includes(input.role)) {
      throw InvalidError.onField('role', 'A workspace can be granted viewer or editor, never admin');
    }
    const expiresAt = input.expiresAt === undefined ? row.expiresAt : input.expiresAt;
    const wasLiveAdmin = row.role === 'admin' && grantIsLive(row, now);
    if (wasLiveAdmin && input.role !== 'admin') await keepsAnotherAdmin(tx, repo.id, row.id, now);
    const views = await subjectViews(tx, [row]);
    const before = viewOf(views, row, now);
    if (row.role === input.role && (row.expiresAt?.getTime() ?? null) === (expiresAt?.getTime() ?? null)) return before;
    const [updated] = await tx.update(mlRepoGrants).set({ role: input.role, expiresAt, updatedAt: new Date() }).where(eq(mlRepoGrants.id, row.id)).returning();
    const after = viewOf(views, updated!, now);
    await recordAudit(tx, actor, { action: 'mlRepo.grant.update', target: { type: 'mlRepo', id: repo.id, label: repo.name }, before: audited(before), after: audited(after) });
    return after;
  });
}

export async function revokeGrant(store: Store, actor: Actor, input: RevokeGrantInput, now = new Date()): Promise<{ ok: true }> {
  return store.transaction(async (tx) => {
    const { mlRepoGrants } = tablesOf(tx);
    const repo = await lockRepo(tx, input.name);
    const row = await findGrant(tx, repo.id, input.grantId);
    if (row.role === 'admin' && grantIsLive(row, now)) await keepsAnotherAdmin(tx, repo.id, row.id, now);
    const before = viewOf(await subjectViews(tx, [row]), row, now);
    await tx.delete(mlRepoGrants).where(eq(mlRepoGrants.id, row.id));
    await recordAudit(tx, actor, { action: 'mlRepo.grant.delete', target: { type: 'mlRepo', id: repo.id, label: repo.name }, before: audited(before), after: null });
    return { ok: true as const };
  });
}

export const MAX_GRANT_CANDIDATES = 20;

export interface GrantCandidate {
  kind: GrantSubjectKind;
  id: number;
  label: string;
  /** Users: the email; workspaces: the environment. */
  detail: string;
  production: boolean;
}

/** Users (active), teams or workspaces (by FQN) matching `search` that hold no grant on the repo yet, at most 20. */
export async function grantCandidates(db: Db, input: GrantCandidatesInput & { kind: GrantSubjectKind }): Promise<GrantCandidate[]> {
  const { clusters, environments, mlRepoGrants, teams, users, workspaces } = tablesOf(db);
  const repo = await findRepoByName(db, input.name);
  const pattern = containsPattern(input.search ?? '');
  const holders = (column: typeof mlRepoGrants.userId | typeof mlRepoGrants.teamId | typeof mlRepoGrants.workspaceId) =>
    db
      .select({ id: sql<number>`${column}` })
      .from(mlRepoGrants)
      .where(and(eq(mlRepoGrants.repoId, repo.id), sql`${column} is not null`));
  if (input.kind === 'user') {
    const rows = await db
      .select({ id: users.id, name: users.name, email: users.email })
      .from(users)
      .where(
        and(
          eq(users.active, true),
          notInArray(users.id, holders(mlRepoGrants.userId)),
          or(sql`lower(${users.name}) like ${pattern} escape '\\'`, sql`lower(${users.email}) like ${pattern} escape '\\'`),
        ),
      )
      .orderBy(asc(users.email))
      .limit(MAX_GRANT_CANDIDATES);
    return rows.map((r) => ({ kind: 'user', id: r.id, label: r.name ? `${r.name} <${r.email}>` : r.email, detail: r.email, production: false }));
  }
  if (input.kind === 'team') {
    const rows = await db
      .select({ id: teams.id, name: teams.name, description: teams.description })
      .from(teams)
      .where(and(notInArray(teams.id, holders(mlRepoGrants.teamId)), sql`lower(${teams.name}) like ${pattern} escape '\\'`))
      .orderBy(asc(teams.name))
      .limit(MAX_GRANT_CANDIDATES);
    return rows.map((r) => ({ kind: 'team', id: r.id, label: r.name, detail: r.description, production: false }));
  }
  const rows = await db
    .select({ id: workspaces.id, name: workspaces.name, clusterName: clusters.name, environment: environments.name, production: environments.isProduction })
    .from(workspaces)
    .innerJoin(clusters, eq(clusters.id, workspaces.clusterId))
    .innerJoin(environments, eq(environments.id, workspaces.environmentId))
    .where(
      and(notInArray(workspaces.id, holders(mlRepoGrants.workspaceId)), sql`lower(${clusters.name} || ':' || ${workspaces.name}) like ${pattern} escape '\\'`),
    )
    .orderBy(asc(clusters.name), asc(workspaces.name))
    .limit(MAX_GRANT_CANDIDATES);
  return rows.map((r) => ({ kind: 'workspace', id: r.id, label: workspaceFqn(r.clusterName, r.name), detail: r.environment, production: r.production }));
}
