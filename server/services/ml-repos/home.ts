/**
 * The team leads' home: what a team manager sees first on signing in. The repos they
 * administer (their own effective `admin`, however it reaches them), how many grants
 * each holds, and the grants on those repos that expire within `EXPIRING_SOON_DAYS`,
 * soonest first, so a lead renews or lets go before access silently ends.
 */
import { and, asc, count, eq, gt, inArray, lte } from 'drizzle-orm';
import { workspaceFqn } from '@/lib/workspaces';
import { type GrantSubjectKind, repoLocation, type RepoRole } from '@/lib/ml-repos';
import { withWorkspaceGrants } from '@/server/access/grants';
import type { UserPrincipal } from '@/server/access/principal';
import { withRepoAccess } from '@/server/access/repo-access';
import type { Store } from '@/server/store';

/** "Soon", for a grant's expiry: two weeks is time to notice and ask. */
export const EXPIRING_SOON_DAYS = 14;
/** A home, not a list page: past this many, the lead opens /ml-repos. */
const MAX_HOME_ROWS = 50;

export interface AdministeredRepo {
  id: number;
  name: string;
  description: string;
  storageName: string;
  /** `<storage root>/<repo name>`. */
  location: string;
  grantCount: number;
}

export interface ExpiringGrant {
  grantId: number;
  repoName: string;
  subjectKind: GrantSubjectKind;
  /** A user's name and email, a team's name, a workspace's FQN. */
  subjectLabel: string;
  role: RepoRole;
  expiresAt: Date;
}

export interface TeamLeadHome {
  /** The teams the caller manages; the home is shown only when there is one. */
  managedTeams: { id: number; name: string }[];
  repos: AdministeredRepo[];
  expiringGrants: ExpiringGrant[];
  expiringWithinDays: number;
}

/**
 * The caller's repos are read from their grants even when they are a tenant admin (who
 * may act on every repo): the home shows what they answer for, not the whole fleet.
 */
async function administeredRepoIds(store: Store, user: UserPrincipal, now: Date): Promise<number[]> {
  const asGrantee = await withWorkspaceGrants(store, { ...user, role: 'member', workspaceGrants: undefined, teamMemberships: undefined });
  const withAccess = await withRepoAccess(store, asGrantee, 'reachable', now);
  if (withAccess.kind !== 'user') return [];
  return (withAccess.repoAccess ?? []).filter((entry) => entry.access === 'admin').map((entry) => entry.repoId);
}

export async function teamLeadHome(store: Store, user: UserPrincipal, now: Date = new Date()): Promise<TeamLeadHome> {
  const { clusters, mlRepoGrants, mlRepos, storageIntegrations, teamMembers, teams, users, workspaces } = store.tables;
  const managedTeams = await store.db
    .select({ id: teams.id, name: teams.name })
    .from(teamMembers)
    .innerJoin(teams, eq(teams.id, teamMembers.teamId))
    .where(and(eq(teamMembers.userId, user.userId), eq(teamMembers.role, 'manager')))
    .orderBy(asc(teams.name));
  const repoIds = await administeredRepoIds(store, user, now);
  if (repoIds.length === 0) return { managedTeams, repos: [], expiringGrants: [], expiringWithinDays: EXPIRING_SOON_DAYS };

  const [repoRows, grantCounts] = await Promise.all([
    store.db
      .select({
        id: mlRepos.id,
        name: mlRepos.name,
        description: mlRepos.description,
        storageName: storageIntegrations.name,
        rootUri: storageIntegrations.rootUri,
      })
      .from(mlRepos)
      .innerJoin(storageIntegrations, eq(storageIntegrations.id, mlRepos.storageIntegrationId))
      .where(inArray(mlRepos.id, repoIds))
      .orderBy(asc(mlRepos.name))
      .limit(MAX_HOME_ROWS),
    store.db
      .select({ repoId: mlRepoGrants.repoId, grants: count() })
      .from(mlRepoGrants)
      .where(inArray(mlRepoGrants.repoId, repoIds))
      .groupBy(mlRepoGrants.repoId),
  ]);
  const countByRepo = new Map(grantCounts.map((row) => [row.repoId, Number(row.grants)]));
  const repos = repoRows.map(({ rootUri, ...repo }) => ({
    ...repo,
    location: repoLocation(rootUri, repo.name),
    grantCount: countByRepo.get(repo.id) ?? 0,
  }));

  const soon = new Date(now.getTime() + EXPIRING_SOON_DAYS * 24 * 60 * 60 * 1000);
  const expiring = await store.db
    .select({
      grantId: mlRepoGrants.id,
      repoName: mlRepos.name,
      subjectKind: mlRepoGrants.subjectKind,
      role: mlRepoGrants.role,
      expiresAt: mlRepoGrants.expiresAt,
      userName: users.name,
      userEmail: users.email,
      teamName: teams.name,
      workspaceName: workspaces.name,
      clusterName: clusters.name,
    })
    .from(mlRepoGrants)
    .innerJoin(mlRepos, eq(mlRepos.id, mlRepoGrants.repoId))
    .leftJoin(users, eq(users.id, mlRepoGrants.userId))
    .leftJoin(teams, eq(teams.id, mlRepoGrants.teamId))
    .leftJoin(workspaces, eq(workspaces.id, mlRepoGrants.workspaceId))
    .leftJoin(clusters, eq(clusters.id, workspaces.clusterId))
    .where(and(inArray(mlRepoGrants.repoId, repoIds), gt(mlRepoGrants.expiresAt, now), lte(mlRepoGrants.expiresAt, soon)))
    .orderBy(asc(mlRepoGrants.expiresAt), asc(mlRepoGrants.id))
    .limit(MAX_HOME_ROWS);
  const expiringGrants: ExpiringGrant[] = expiring.map((row) => ({
    grantId: row.grantId,
    repoName: row.repoName,
    subjectKind: row.subjectKind,
    subjectLabel:
      row.subjectKind === 'user'
        ? `${row.userName ?? '?'} (${row.userEmail ?? '?'})`
        : row.subjectKind === 'team'
          ? (row.teamName ?? '?')
          : workspaceFqn(row.clusterName ?? '?', row.workspaceName ?? '?'),
    role: row.role,
    // The filter above leaves only grants with an expiry.
    expiresAt: row.expiresAt!,
  }));
  return { managedTeams, repos, expiringGrants, expiringWithinDays: EXPIRING_SOON_DAYS };
}
