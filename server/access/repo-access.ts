/**
 * Loads the caller's effective access on ML repos into the principal, for `authorize`
 * and `visibleScope` to read: on the one repo a procedure names, or on every repo the
 * caller's grants reach (lists). Runs after ./grants.ts has loaded the caller's teams and
 * workspace roles; decides nothing itself: ./effective-access.ts does, for every path.
 */
import { and, eq, inArray, or, type SQL } from 'drizzle-orm';
import { FLEET_WIDE_ROLES } from '@/lib/permissions';
import { workspaceFqn } from '@/lib/workspaces';
import type { Store } from '@/server/store';
import { effectiveAccess, type GrantFact, type SubjectFacts } from './effective-access';
import type { Principal, RepoAccessEntry, UserPrincipal } from './principal';

/** The signed-in caller as a subject of grants (a signed-in user is active). */
export function userSubjectFacts(user: UserPrincipal): SubjectFacts {
  return {
    kind: 'user',
    userId: user.userId,
    active: true,
    teams: (user.teamMemberships ?? []).map(({ teamId, teamName }) => ({ teamId, teamName })),
    workspaces: (user.workspaceGrants ?? []).map((g) => ({
      workspaceId: g.workspaceId,
      workspaceFqn: workspaceFqn(g.clusterName, g.workspaceName),
      role: g.role,
    })),
  };
}

/** A grant row as the resolver reads it. */
export function grantFact(row: {
  id: number;
  subjectKind: 'user' | 'team' | 'workspace';
  userId: number | null;
  teamId: number | null;
  workspaceId: number | null;
  role: GrantFact['role'];
  expiresAt: Date | null;
}): GrantFact {
  const subject: GrantFact['subject'] =
    row.subjectKind === 'user'
      ? { kind: 'user', userId: row.userId! }
      : row.subjectKind === 'team'
        ? { kind: 'team', teamId: row.teamId! }
        : { kind: 'workspace', workspaceId: row.workspaceId! };
  return { id: row.id, subject, role: row.role, expiresAt: row.expiresAt };
}

export type RepoScope = { id: number } | { name: string } | 'reachable';

export async function withRepoAccess(store: Store, principal: Principal, scope: RepoScope, now: Date = new Date()): Promise<Principal> {
  if (principal.kind !== 'user' || FLEET_WIDE_ROLES.includes(principal.role)) return principal;
  const { mlRepoGrants, mlRepos } = store.tables;
  const subject = userSubjectFacts(principal);
  if (subject.kind !== 'user') return principal;
  const teamIds = subject.teams.map((t) => t.teamId);
  const workspaceIds = subject.workspaces.map((w) => w.workspaceId);
  const reaches: SQL[] = [eq(mlRepoGrants.userId, principal.userId)];
  if (teamIds.length > 0) reaches.push(inArray(mlRepoGrants.teamId, teamIds));
  if (workspaceIds.length > 0) reaches.push(inArray(mlRepoGrants.workspaceId, workspaceIds));
  const repoFilter = scope === 'reachable' ? undefined : 'id' in scope ? eq(mlRepos.id, scope.id) : eq(mlRepos.name, scope.name);
  const rows = await store.db
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
    .where(and(repoFilter, or(...reaches)));
  const byRepo = new Map<number, { repoName: string; grants: GrantFact[] }>();
  for (const row of rows) {
    const entry = byRepo.get(row.repoId) ?? { repoName: row.repoName, grants: [] };
    entry.grants.push(grantFact(row));
    byRepo.set(row.repoId, entry);
  }
  const repoAccess: RepoAccessEntry[] = [...byRepo].map(([repoId, { repoName, grants }]) => ({
    repoId,
    repoName,
    access: effectiveAccess(grants, subject, now).access,
  }));
  return { ...principal, repoAccess };
}
