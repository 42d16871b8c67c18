/**
 * Teams through the router, on both engines: admins create, rename and delete teams;
 * a team's managers change its members and nobody else's; a team keeps a manager; a
 * team that is some ML repo's last admin cannot be deleted; every change is audited.
 */
import { TRPCError } from '@trpc/server';
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { UserPrincipal } from '@/server/access/principal';
import { callerFor, insertUser, routerHarness, type RouterHarness } from '@/testing/router-harness';

async function rejection(promise: Promise<unknown>): Promise<TRPCError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TRPCError);
  return error as TRPCError;
}

function fieldErrorsOf(error: TRPCError): Record<string, string[]> {
  const cause = error.cause as { fieldErrors?: Record<string, string[]>; issues?: { path: PropertyKey[]; message: string }[] } | undefined;
  if (cause?.fieldErrors) return cause.fieldErrors;
  const out: Record<string, string[]> = {};
  for (const issue of cause?.issues ?? []) (out[String(issue.path[0])] ??= []).push(issue.message);
  return out;
}

describe('teams router', () => {
  let h: RouterHarness;
  let lead: UserPrincipal;
  let other: UserPrincipal;
  let asLead: ReturnType<typeof callerFor>;
  let research = 0;
  let platform = 0;

  beforeEach(async () => {
    h = await routerHarness();
    lead = await insertUser(h.store, 'member', 'lead@example.com');
    other = await insertUser(h.store, 'member', 'other@example.com');
    asLead = callerFor(h.cp, lead);
    research = (await h.asAdmin.teams.create({ name: 'ml-research', description: 'Model training' })).id;
    platform = (await h.asAdmin.teams.create({ name: 'platform' })).id;
    await h.asAdmin.teams.addMember({ teamId: research, userId: lead.userId, role: 'manager' });
  });
  afterEach(() => h.cp.close());

  const auditOf = (action: string) => {
    const { auditEvents } = h.store.tables;
    return h.store.db.select().from(auditEvents).where(eq(auditEvents.action, action));
  };
  const membersOf = async (id: number) => (await h.asAdmin.teams.get({ id })).members.map((m) => [m.email, m.role]);

  it('an admin creates a team, audited with its values; everyone signed in reads the list', async () => {
    const [audit] = await auditOf('team.create');
    expect(audit).toMatchObject({ targetType: 'team', targetLabel: 'ml-research', actorUserId: h.admin.userId, before: null });
    expect(audit?.after).toEqual({ name: 'ml-research', description: 'Model training' });
    const list = await h.asMember.teams.list();
    expect(list.map((t) => [t.name, t.memberCount, t.managers.map((m) => m.email)])).toEqual([
      ['ml-research', 1, ['lead@example.com']],
      ['platform', 0, []],
    ]);
    expect(list[0]?.can).toEqual({ manage: false, manageMembers: false });
    expect((await asLead.teams.list()).map((t) => [t.name, t.myRole, t.can.manageMembers])).toEqual([
      ['ml-research', 'manager', true],
      ['platform', null, false],
    ]);
  });

  it('a member cannot create, rename or delete a team (FORBIDDEN), and nothing is written', async () => {
    expect((await rejection(h.asMember.teams.create({ name: 'mine' }))).code).toBe('FORBIDDEN');
    expect((await rejection(asLead.teams.create({ name: 'mine' }))).code).toBe('FORBIDDEN');
    expect((await rejection(asLead.teams.update({ id: research, name: 'renamed', description: '' }))).code).toBe('FORBIDDEN');
    expect((await rejection(asLead.teams.delete({ id: research, confirmName: 'ml-research' }))).code).toBe('FORBIDDEN');
    expect((await h.asAdmin.teams.list()).map((t) => t.name)).toEqual(['ml-research', 'platform']);
  });

  it('refuses a duplicate name on the name field, and a bad name with what is allowed', async () => {
    const duplicate = await rejection(h.asAdmin.teams.create({ name: 'platform' }));
    expect(duplicate.code).toBe('CONFLICT');
    expect(fieldErrorsOf(duplicate).name?.[0]).toContain('A team named "platform" already exists');
    const renamed = await rejection(h.asAdmin.teams.update({ id: research, name: 'platform', description: '' }));
    expect(fieldErrorsOf(renamed).name?.[0]).toContain('already exists');
    const bad = await rejection(h.asAdmin.teams.create({ name: 'ML Research' }));
    expect(bad.code).toBe('BAD_REQUEST');
    expect(fieldErrorsOf(bad).name?.join(' ')).toContain('lower-case');
    expect((await rejection(h.asAdmin.teams.create({ name: 'x' }))).code).toBe('BAD_REQUEST');
  });

  it('an admin renames and describes a team, audited with before and after', async () => {
    await h.asAdmin.teams.update({ id: platform, name: 'platform-eng', description: 'Clusters and CI' });
    const [audit] = await auditOf('team.update');
    expect(audit?.before).toEqual({ name: 'platform', description: '' });
    expect(audit?.after).toEqual({ name: 'platform-eng', description: 'Clusters and CI' });
  });

  it("a manager adds, re-roles and removes members of their own team, audited; another team's members are FORBIDDEN", async () => {
    expect((await asLead.teams.memberCandidates({ teamId: research, search: '' })).map((u) => u.email)).toEqual([
      'admin@example.com',
      'member@example.com',
      'other@example.com',
    ]);
    expect((await asLead.teams.memberCandidates({ teamId: research, search: 'OTH' })).map((u) => u.email)).toEqual(['other@example.com']);
    await asLead.teams.addMember({ teamId: research, userId: other.userId });
    await asLead.teams.setMemberRole({ teamId: research, userId: other.userId, role: 'manager' });
    expect(await membersOf(research)).toEqual([
      ['lead@example.com', 'manager'],
      ['other@example.com', 'manager'],
    ]);
    await asLead.teams.removeMember({ teamId: research, userId: other.userId });
    expect(await membersOf(research)).toEqual([['lead@example.com', 'manager']]);

    expect((await auditOf('team.member.add')).at(-1)).toMatchObject({ targetLabel: 'ml-research', actorUserId: lead.userId, before: null, after: { user: 'other@example.com', role: 'member' } });
    expect((await auditOf('team.member.role'))[0]).toMatchObject({ before: { user: 'other@example.com', role: 'member' }, after: { user: 'other@example.com', role: 'manager' } });
    expect((await auditOf('team.member.remove'))[0]).toMatchObject({ before: { user: 'other@example.com', role: 'manager' }, after: null });

    const forbidden = [
      () => asLead.teams.addMember({ teamId: platform, userId: other.userId }),
      () => asLead.teams.memberCandidates({ teamId: platform, search: '' }),
      () => asLead.teams.setMemberRole({ teamId: platform, userId: lead.userId, role: 'manager' }),
      () => asLead.teams.removeMember({ teamId: platform, userId: other.userId }),
      () => h.asMember.teams.addMember({ teamId: research, userId: h.member.userId }),
    ];
    for (const call of forbidden) expect((await rejection(call())).code).toBe('FORBIDDEN');
    expect(await membersOf(platform)).toEqual([]);
  });

  it('a plain member of the team may not change its members', async () => {
    await asLead.teams.addMember({ teamId: research, userId: h.member.userId });
    expect((await rejection(h.asMember.teams.addMember({ teamId: research, userId: other.userId }))).code).toBe('FORBIDDEN');
  });

  it('refuses a deactivated user and someone already in the team on userId', async () => {
    await h.asAdmin.users.setActive({ id: other.userId, active: false });
    expect(fieldErrorsOf(await rejection(asLead.teams.addMember({ teamId: research, userId: other.userId }))).userId?.[0]).toContain('deactivated');
    expect((await asLead.teams.memberCandidates({ teamId: research, search: '' })).map((u) => u.email)).not.toContain('other@example.com');
    expect(fieldErrorsOf(await rejection(asLead.teams.addMember({ teamId: research, userId: lead.userId }))).userId?.[0]).toContain('already in team');
  });

  it('keeps a manager: a manager cannot remove or demote the last one, an admin can', async () => {
    const leave = await rejection(asLead.teams.removeMember({ teamId: research, userId: lead.userId }));
    expect(leave.code).toBe('PRECONDITION_FAILED');
    expect(leave.message).toContain('needs at least one manager');
    expect((await rejection(asLead.teams.setMemberRole({ teamId: research, userId: lead.userId, role: 'member' }))).code).toBe('PRECONDITION_FAILED');
    expect(await membersOf(research)).toEqual([['lead@example.com', 'manager']]);

    await asLead.teams.addMember({ teamId: research, userId: other.userId, role: 'manager' });
    await asLead.teams.setMemberRole({ teamId: research, userId: lead.userId, role: 'member' });
    // No longer a manager: the next call is refused.
    expect((await rejection(asLead.teams.addMember({ teamId: research, userId: h.member.userId }))).code).toBe('FORBIDDEN');

    await h.asAdmin.teams.removeMember({ teamId: research, userId: other.userId });
    expect(await membersOf(research)).toEqual([['lead@example.com', 'member']]);
  });

  describe('delete', () => {
    async function repoWithGrants(name: string, grants: { teamId?: number; userId?: number; role: 'admin' | 'viewer'; expiresAt?: Date }[]) {
      const { mlRepoGrants, mlRepos, storageIntegrations } = h.store.tables;
      return h.store.transaction(async (tx) => {
        let [integration] = await tx.select().from(storageIntegrations).limit(1);
        integration ??= (
          await tx
            .insert(storageIntegrations)
            .values({ name: 'lake', kind: 's3-compatible', rootUri: 's3://lake/ml', credentialsSealed: 'sealed', credentialsHint: 'access key …WXYZ' })
            .returning()
        )[0];
        const [repo] = await tx.insert(mlRepos).values({ name, storageIntegrationId: integration!.id }).returning();
        for (const grant of grants) {
          await tx.insert(mlRepoGrants).values({
            repoId: repo!.id,
            subjectKind: grant.teamId ? 'team' : 'user',
            teamId: grant.teamId ?? null,
            userId: grant.userId ?? null,
            role: grant.role,
            expiresAt: grant.expiresAt ?? null,
          });
        }
        return repo!.id;
      });
    }

    it('asks for the name typed, on confirmName', async () => {
      const error = await rejection(h.asAdmin.teams.delete({ id: platform, confirmName: 'plat' }));
      expect(fieldErrorsOf(error).confirmName?.[0]).toContain('Type platform');
      expect((await h.asAdmin.teams.list()).length).toBe(2);
    });

    it('is refused while the team is a repo’s last live admin, and writes nothing', async () => {
      await repoWithGrants('churn-model', [
        { teamId: research, role: 'admin' },
        { userId: other.userId, role: 'admin', expiresAt: new Date(Date.now() - 60_000) },
        { teamId: platform, role: 'viewer' },
      ]);
      const error = await rejection(h.asAdmin.teams.delete({ id: research, confirmName: 'ml-research' }));
      expect(error.code).toBe('PRECONDITION_FAILED');
      expect(error.message).toContain('last admin of ML repo churn-model');
      expect((await h.asAdmin.teams.list()).map((t) => t.name)).toContain('ml-research');
      expect(await auditOf('team.delete')).toEqual([]);
    });

    it('deletes with its members, workspace roles and repo grants, audited with what went', async () => {
      const { mlRepoGrants, teamMembers, workspaceTeamRoles } = h.store.tables;
      // Another live admin on the repo: the team is not its last.
      await repoWithGrants('churn-model', [
        { teamId: research, role: 'admin' },
        { userId: other.userId, role: 'admin' },
      ]);
      const [env] = await h.store.transaction((tx) => tx.insert(h.store.tables.environments).values({ name: 'dev', color: '#22c55e' }).returning());
      const { cluster } = await h.asAdmin.clusters.attach({ name: 'gpu-west', provider: 'aws-eks', region: 'us-west-2', environmentIds: [env!.id] });
      const workspace = await h.asAdmin.workspaces.create({ name: 'training', clusterId: cluster.id, environmentId: env!.id });
      await h.asAdmin.workspaces.roles.grantTeam({ id: workspace.id, teamId: research, role: 'editor' });

      await h.asAdmin.teams.delete({ id: research, confirmName: 'ml-research' });
      expect((await h.asAdmin.teams.list()).map((t) => t.name)).toEqual(['platform']);
      expect(await h.store.db.select().from(teamMembers).where(eq(teamMembers.teamId, research))).toEqual([]);
      expect(await h.store.db.select().from(workspaceTeamRoles)).toEqual([]);
      expect((await h.store.db.select().from(mlRepoGrants)).map((g) => g.subjectKind)).toEqual(['user']);
      const [audit] = await auditOf('team.delete');
      expect(audit?.before).toEqual({
        name: 'ml-research',
        description: 'Model training',
        memberCount: 1,
        members: ['lead@example.com (manager)'],
        workspaceRoleCount: 1,
        workspaceRoles: ['gpu-west:training (editor)'],
        repoGrantCount: 1,
        repoGrants: ['churn-model (admin)'],
      });
      expect((await rejection(h.asAdmin.teams.get({ id: research }))).code).toBe('NOT_FOUND');
    });
  });
});
