/**
 * The team leads' home: a team manager's administered repos (however the admin role
 * reaches them) and the grants on those repos expiring within two weeks, soonest first.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RepoRole } from '@/lib/ml-repos';
import type { UserPrincipal } from '@/server/access/principal';
import { EXPIRING_SOON_DAYS } from '@/server/services/ml-repos/home';
import { callerFor, insertUser, routerHarness, type RouterHarness } from '@/testing/router-harness';

const DAY = 24 * 60 * 60 * 1000;
const inDays = (days: number) => new Date(Date.now() + days * DAY);

describe('mlRepos.home.teamLead', () => {
  let h: RouterHarness;
  let lead: UserPrincipal;
  let alice: UserPrincipal;
  let teamId: number;
  const repoIds = new Map<string, number>();

  async function grant(repo: string, subject: { userId: number } | { teamId: number }, role: RepoRole, expiresAt: Date | null = null) {
    const { mlRepoGrants } = h.store.tables;
    const [row] = await h.store.transaction((tx) =>
      tx
        .insert(mlRepoGrants)
        .values({ repoId: repoIds.get(repo)!, subjectKind: 'userId' in subject ? 'user' : 'team', ...subject, role, expiresAt })
        .returning(),
    );
    return row!.id;
  }

  beforeEach(async () => {
    h = await routerHarness();
    lead = await insertUser(h.store, 'member', 'lead@example.com');
    alice = await insertUser(h.store, 'member', 'alice@example.com');
    const { mlRepos, storageIntegrations, teamMembers, teams } = h.store.tables;
    const [team] = await h.store.transaction((tx) => tx.insert(teams).values({ name: 'ml-research' }).returning());
    teamId = team!.id;
    await h.store.transaction((tx) =>
      tx.insert(teamMembers).values([
        { teamId, userId: lead.userId, role: 'manager' },
        { teamId, userId: alice.userId, role: 'member' },
      ]),
    );
    const [integration] = await h.store.transaction((tx) =>
      tx
        .insert(storageIntegrations)
        .values({ name: 'lake', kind: 's3-compatible', rootUri: 's3://lake/ml/', settings: {}, credentialsSealed: 'x', credentialsHint: 'x' })
        .returning(),
    );
    for (const name of ['vision', 'nlp', 'audio', 'old', 'other']) {
      const [repo] = await h.store.transaction((tx) => tx.insert(mlRepos).values({ name, storageIntegrationId: integration!.id }).returning());
      repoIds.set(name, repo!.id);
    }
  });
  afterEach(() => h.cp.close());

  it("lists the repos a lead administers (direct or via their team) and their grants expiring soon, soonest first", async () => {
    await grant('vision', { userId: lead.userId }, 'admin');
    await grant('nlp', { teamId }, 'admin');
    await grant('audio', { userId: lead.userId }, 'viewer');
    await grant('old', { userId: lead.userId }, 'admin', inDays(-1));
    const aliceOnVision = await grant('vision', { userId: alice.userId }, 'viewer', inDays(3));
    await grant('vision', { userId: h.member.userId }, 'editor', inDays(EXPIRING_SOON_DAYS + 6));
    await grant('nlp', { userId: alice.userId }, 'editor', inDays(-2));
    const memberOnNlp = await grant('nlp', { userId: h.member.userId }, 'viewer', inDays(1));
    // Not the lead's to answer for: expiring, but on a repo they only view.
    await grant('audio', { userId: alice.userId }, 'editor', inDays(2));

    const home = await callerFor(h.cp, lead).mlRepos.home.teamLead();
    expect(home.managedTeams).toEqual([{ id: teamId, name: 'ml-research' }]);
    expect(home.expiringWithinDays).toBe(EXPIRING_SOON_DAYS);
    expect(home.repos.map((r) => [r.name, r.grantCount, r.location])).toEqual([
      ['nlp', 3, 's3://lake/ml/nlp'],
      ['vision', 3, 's3://lake/ml/vision'],
    ]);
    expect(home.expiringGrants.map((g) => [g.grantId, g.repoName, g.subjectKind, g.subjectLabel, g.role])).toEqual([
      [memberOnNlp, 'nlp', 'user', 'Max Member (member@example.com)', 'viewer'],
      [aliceOnVision, 'vision', 'user', 'Max Member (alice@example.com)', 'viewer'],
    ]);
  });

  it('labels a team grant by the team, and leaves out grants without an expiry', async () => {
    await grant('vision', { userId: lead.userId }, 'admin');
    await grant('vision', { teamId }, 'viewer', inDays(5));
    await grant('vision', { userId: alice.userId }, 'editor');
    const home = await callerFor(h.cp, lead).mlRepos.home.teamLead();
    expect(home.expiringGrants.map((g) => [g.subjectKind, g.subjectLabel])).toEqual([['team', 'ml-research']]);
  });

  it('is empty for a member who manages no team, even one holding a repo', async () => {
    await grant('vision', { userId: alice.userId }, 'admin');
    const home = await callerFor(h.cp, h.member).mlRepos.home.teamLead();
    expect(home).toMatchObject({ managedTeams: [], repos: [], expiringGrants: [] });
    expect((await callerFor(h.cp, alice).mlRepos.home.teamLead()).managedTeams).toEqual([]);
  });

  it("shows a tenant admin only the repos their own grants make them administer", async () => {
    const { teamMembers } = h.store.tables;
    await h.store.transaction((tx) => tx.insert(teamMembers).values({ teamId, userId: h.admin.userId, role: 'manager' }));
    await grant('other', { userId: h.admin.userId }, 'admin');
    const home = await h.asAdmin.mlRepos.home.teamLead();
    expect(home.repos.map((r) => r.name)).toEqual(['other']);
  });
});
