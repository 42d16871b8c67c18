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

describe('mlRepos router', () => {
  let h: RouterHarness;
  let storageId: number;
  let lead: UserPrincipal;
  let platformTeam: number;
  let viewersTeam: number;
  let devWorkspace: number;
  let prodWorkspace: number;
  let runner: UserPrincipal;

  beforeEach(async () => {
    h = await routerHarness();
    const { environments, storageIntegrations, teamMembers, teams, workspaces, workspaceRoles } = h.store.tables;
    lead = await insertUser(h.store, 'member', 'lead@example.com');
    runner = await insertUser(h.store, 'member', 'runner@example.com');
    const ids = await h.store.transaction(async (tx) => {
      const [storage] = await tx
        .insert(storageIntegrations)
        .values({ name: 'minio', kind: 's3-compatible', rootUri: 's3://models/ml/', credentialsSealed: 'sealed', credentialsHint: 'access key …ABCD' })
        .returning();
      const [platform, viewers] = await tx.insert(teams).values([{ name: 'ml-platform' }, { name: 'viewers' }]).returning();
      await tx.insert(teamMembers).values([
        { teamId: platform!.id, userId: lead.userId, role: 'manager' },
        { teamId: viewers!.id, userId: h.member.userId, role: 'member' },
      ]);
      const envs = await tx
        .insert(environments)
        .values([
          { name: 'dev', color: '#22c55e' },
          { name: 'prod', color: '#ef4444', isProduction: true },
        ])
        .returning();
      return { storage: storage!.id, platform: platform!.id, viewers: viewers!.id, envs };
    });
    storageId = ids.storage;
    platformTeam = ids.platform;
    viewersTeam = ids.viewers;
    const { cluster } = await h.asAdmin.clusters.attach({ name: 'gpu-1', provider: 'aws-eks', region: 'us-east-1', environmentIds: ids.envs.map((e) => e.id) });
    const [dev, prod] = await h.store.transaction((tx) =>
      tx
        .insert(workspaces)
        .values([
          { clusterId: cluster.id, name: 'train', environmentId: ids.envs[0]!.id },
          { clusterId: cluster.id, name: 'serve', environmentId: ids.envs[1]!.id },
        ])
        .returning(),
    );
    devWorkspace = dev!.id;
    prodWorkspace = prod!.id;
    await h.store.transaction((tx) => tx.insert(workspaceRoles).values({ workspaceId: devWorkspace, userId: runner.userId, role: 'editor' }));
  });
  afterEach(() => h.cp.close());

  const asLead = () => callerFor(h.cp, lead);
  const asRunner = () => callerFor(h.cp, runner);
  const createRepo = (name = 'churn-model') => asLead().mlRepos.create({ name, description: 'Churn', storageIntegrationId: storageId });
  const auditOf = (action: string) => h.store.db.select().from(h.store.tables.auditEvents).where(eq(h.store.tables.auditEvents.action, action));
  const grantsOf = () => h.store.db.select().from(h.store.tables.mlRepoGrants);

  describe('create', () => {
    it('a team manager creates a repo and becomes its admin; the location is derived', async () => {
      await createRepo();
      const repo = await asLead().mlRepos.get({ name: 'churn-model' });
      expect(repo.location).toBe('s3://models/ml/churn-model');
      expect(repo.yourAccess).toBe('admin');
      expect(repo.actions['mlRepo.grants.manage']).toBe(true);
      const grants = await asLead().mlRepos.grants.list({ name: 'churn-model' });
      expect(grants).toMatchObject([{ role: 'admin', expired: false, subject: { kind: 'user', userId: lead.userId } }]);
      expect(await auditOf('mlRepo.create')).toHaveLength(1);
      const list = await asLead().mlRepos.list({});
      expect(list.canCreate).toBe(true);
      expect(list.rows).toMatchObject([{ name: 'churn-model', grantCount: 1, yourAccess: 'admin', storage: { name: 'minio', kind: 's3-compatible' } }]);
    });

    it('a member who manages no team cannot create, and sees no create action', async () => {
      const error = await rejection(h.asMember.mlRepos.create({ name: 'nope-repo', storageIntegrationId: storageId }));
      expect(error.code).toBe('FORBIDDEN');
      expect((await h.asMember.mlRepos.list({})).canCreate).toBe(false);
      expect(await h.store.db.select().from(h.store.tables.mlRepos)).toHaveLength(0);
    });

    it('refuses a bad name and a duplicate with field errors', async () => {
      const bad = await rejection(asLead().mlRepos.create({ name: 'Bad_Name', storageIntegrationId: storageId }));
      expect(fieldErrorsOf(bad).name?.length).toBeGreaterThan(0);
      await createRepo();
      const dup = await rejection(createRepo());
      expect(dup.code).toBe('CONFLICT');
      expect(fieldErrorsOf(dup).name).toEqual(['An ML repo with this name already exists']);
    });
  });

  describe('grants and guard rails', () => {
    beforeEach(() => createRepo());

    it('grants a team and a workspace; the production flag and FQN label come with the workspace', async () => {
      await asLead().mlRepos.grants.grant({ name: 'churn-model', subject: { kind: 'team', teamId: viewersTeam }, role: 'viewer' });
      await asLead().mlRepos.grants.grant({ name: 'churn-model', subject: { kind: 'workspace', workspaceId: prodWorkspace }, role: 'editor' });
      const grants = await asLead().mlRepos.grants.list({ name: 'churn-model' });
      expect(grants.find((g) => g.subject.kind === 'workspace')).toMatchObject({ subject: { label: 'gpu-1:serve', production: true, environment: 'prod' }, role: 'editor' });
      expect(grants.find((g) => g.subject.kind === 'team')).toMatchObject({ subject: { label: 'viewers' }, role: 'viewer', grantedBy: 'lead@example.com' });
      const [created] = await auditOf('mlRepo.grant.create');
      expect(created).toMatchObject({ targetType: 'mlRepo', targetLabel: 'churn-model', before: null, after: { subject: 'team viewers', role: 'viewer' } });
    });

    it('a workspace is never admin: a field error on role, nothing written', async () => {
      const error = await rejection(
        asLead().mlRepos.grants.grant({ name: 'churn-model', subject: { kind: 'workspace', workspaceId: devWorkspace }, role: 'admin' }),
      );
      expect(error.code).toBe('BAD_REQUEST');
      expect(fieldErrorsOf(error).role?.[0]).toMatch(/never admin/);
      expect(await grantsOf()).toHaveLength(1);
    });

    it('a second grant for the same subject is a field error on subject', async () => {
      await asLead().mlRepos.grants.grant({ name: 'churn-model', subject: { kind: 'team', teamId: viewersTeam }, role: 'viewer' });
      const error = await rejection(asLead().mlRepos.grants.grant({ name: 'churn-model', subject: { kind: 'team', teamId: viewersTeam }, role: 'editor' }));
      expect(fieldErrorsOf(error).subject?.[0]).toMatch(/already has a grant/);
    });

    it('the last live admin grant can be neither revoked nor downgraded', async () => {
      const [own] = await asLead().mlRepos.grants.list({ name: 'churn-model' });
      const revoke = await rejection(asLead().mlRepos.grants.revoke({ name: 'churn-model', grantId: own!.id }));
      expect(revoke.code).toBe('PRECONDITION_FAILED');
      expect(revoke.message).toMatch(/last admin/);
      const downgrade = await rejection(asLead().mlRepos.grants.changeRole({ name: 'churn-model', grantId: own!.id, role: 'editor' }));
      expect(downgrade.code).toBe('PRECONDITION_FAILED');
      expect(await auditOf('mlRepo.grant.delete')).toHaveLength(0);
      // With a second admin (a team), the first may step down.
      await asLead().mlRepos.grants.grant({ name: 'churn-model', subject: { kind: 'team', teamId: platformTeam }, role: 'admin' });
      await asLead().mlRepos.grants.changeRole({ name: 'churn-model', grantId: own!.id, role: 'editor' });
      const [changed] = await auditOf('mlRepo.grant.update');
      expect(changed).toMatchObject({ before: { role: 'admin' }, after: { role: 'editor' } });
    });

    it('FORBIDDEN for a team manager who is not a repo admin, and for a plain member; no candidates either', async () => {
      const otherLead = await insertUser(h.store, 'member', 'other-lead@example.com');
      await h.store.transaction((tx) => tx.insert(h.store.tables.teamMembers).values({ teamId: viewersTeam, userId: otherLead.userId, role: 'manager' }));
      const input = { name: 'churn-model', subject: { kind: 'user' as const, userId: otherLead.userId }, role: 'admin' as const };
      for (const caller of [callerFor(h.cp, otherLead), h.asMember]) {
        expect((await rejection(caller.mlRepos.grants.grant(input))).code).toBe('FORBIDDEN');
        expect((await rejection(caller.mlRepos.grantCandidates({ name: 'churn-model', kind: 'user' }))).code).toBe('FORBIDDEN');
      }
      expect(await grantsOf()).toHaveLength(1);
    });

    it('an expired grant stays listed as expired and gives no access', async () => {
      await asLead().mlRepos.grants.grant({ name: 'churn-model', subject: { kind: 'user', userId: h.member.userId }, role: 'viewer' });
      expect((await h.asMember.mlRepos.get({ name: 'churn-model' })).yourAccess).toBe('viewer');
      await h.store.transaction((tx) =>
        tx.update(h.store.tables.mlRepoGrants).set({ expiresAt: new Date(Date.now() - 60_000) }).where(eq(h.store.tables.mlRepoGrants.userId, h.member.userId)),
      );
      const listed = (await asLead().mlRepos.grants.list({ name: 'churn-model' })).find((g) => g.subject.kind === 'user' && g.subject.userId === h.member.userId);
      expect(listed?.expired).toBe(true);
      expect((await rejection(h.asMember.mlRepos.get({ name: 'churn-model' }))).code).toBe('FORBIDDEN');
      expect((await h.asMember.mlRepos.list({})).rows).toHaveLength(0);
      expect((await asLead().mlRepos.list({})).rows[0]?.grantCount).toBe(1);
      const who = await asLead().mlRepos.whoCanAccess({ name: 'churn-model' });
      expect(who.find((r) => r.subject.kind === 'user' && r.subject.userId === h.member.userId)).toMatchObject({ access: 'none', note: expect.stringMatching(/expired/) });
    });

    it('refuses an expiry in the past', async () => {
      const error = await rejection(
        asLead().mlRepos.grants.grant({ name: 'churn-model', subject: { kind: 'team', teamId: viewersTeam }, role: 'viewer', expiresAt: new Date(Date.now() - 1000) }),
      );
      expect(fieldErrorsOf(error).expiresAt?.[0]).toMatch(/future/);
    });

    it('revocation is audited with before', async () => {
      const granted = await asLead().mlRepos.grants.grant({ name: 'churn-model', subject: { kind: 'team', teamId: viewersTeam }, role: 'viewer' });
      await asLead().mlRepos.grants.revoke({ name: 'churn-model', grantId: granted.id });
      const [revoked] = await auditOf('mlRepo.grant.delete');
      expect(revoked).toMatchObject({ targetType: 'mlRepo', before: { subject: 'team viewers', role: 'viewer' }, after: null });
      const trail = await asLead().mlRepos.audit({ name: 'churn-model' });
      expect(trail.events.map((e) => e.action)).toEqual(['mlRepo.grant.delete', 'mlRepo.grant.create', 'mlRepo.create']);
    });

    it('grant candidates: users, teams, and workspaces by FQN with the production flag, without those already granted', async () => {
      const users = await asLead().mlRepos.grantCandidates({ name: 'churn-model', kind: 'user', search: 'example' });
      expect(users.map((u) => u.detail)).not.toContain('lead@example.com');
      expect(users.map((u) => u.detail)).toContain('member@example.com');
      const spaces = await asLead().mlRepos.grantCandidates({ name: 'churn-model', kind: 'workspace', search: 'gpu-1:se' });
      expect(spaces).toEqual([expect.objectContaining({ label: 'gpu-1:serve', production: true })]);
    });
  });

  describe('effective access', () => {
    beforeEach(async () => {
      await createRepo();
      await asLead().mlRepos.grants.grant({ name: 'churn-model', subject: { kind: 'team', teamId: viewersTeam }, role: 'viewer' });
      await asLead().mlRepos.grants.grant({ name: 'churn-model', subject: { kind: 'workspace', workspaceId: devWorkspace }, role: 'editor' });
    });

    it('whoCanAccess explains each path', async () => {
      const who = await h.asMember.mlRepos.whoCanAccess({ name: 'churn-model' });
      const byLabel = Object.fromEntries(who.map((r) => [r.subject.kind === 'user' ? r.subject.email : r.subject.fqn, [r.access, r.pathText]]));
      expect(byLabel).toEqual({
        'lead@example.com': ['admin', 'direct'],
        'member@example.com': ['viewer', 'via team viewers'],
        'runner@example.com': ['editor', 'via workspace gpu-1:train'],
        'gpu-1:train': ['editor', 'direct'],
      });
    });

    it('the editor through a workspace may read the repo', async () => {
      expect((await asRunner().mlRepos.get({ name: 'churn-model' })).yourAccess).toBe('editor');
    });

    it('checkAccess answers for a user by email or id and a workspace by FQN', async () => {
      expect(await asLead().mlRepos.checkAccess({ repo: 'churn-model', subject: { kind: 'user', email: 'member@example.com' } })).toMatchObject({
        access: 'viewer',
        path: { via: 'team', teamName: 'viewers' },
      });
      expect(await asLead().mlRepos.checkAccess({ repo: 'churn-model', subject: { kind: 'user', userId: runner.userId } })).toMatchObject({
        access: 'editor',
        path: { via: 'workspace', workspaceFqn: 'gpu-1:train' },
      });
      expect(await asLead().mlRepos.checkAccess({ repo: 'churn-model', subject: { kind: 'workspace', fqn: 'gpu-1:serve' } })).toMatchObject({ access: 'none', path: null });
      expect((await rejection(asLead().mlRepos.checkAccess({ repo: 'churn-model', subject: { kind: 'user', email: 'ghost@example.com' } }))).code).toBe('NOT_FOUND');
    });

    it('accessOf: a member for themselves, admins for anyone, a workspace for who may read it', async () => {
      expect((await h.asMember.mlRepos.accessOf({ subject: { kind: 'user', userId: h.member.userId } })).repos).toMatchObject([
        { repo: { name: 'churn-model' }, access: 'viewer', pathText: 'via team viewers' },
      ]);
      expect((await rejection(h.asMember.mlRepos.accessOf({ subject: { kind: 'user', userId: lead.userId } }))).code).toBe('FORBIDDEN');
      expect((await h.asAdmin.mlRepos.accessOf({ subject: { kind: 'user', userId: runner.userId } })).repos).toMatchObject([{ access: 'editor' }]);
      expect((await asRunner().mlRepos.accessOf({ subject: { kind: 'workspace', workspaceId: devWorkspace } })).repos).toMatchObject([
        { repo: { name: 'churn-model' }, access: 'editor', pathText: 'direct' },
      ]);
      expect((await rejection(h.asMember.mlRepos.accessOf({ subject: { kind: 'workspace', workspaceId: devWorkspace } }))).code).toBe('FORBIDDEN');
    });

    it('a deactivated user has no access, with the reason', async () => {
      await h.store.transaction((tx) => tx.update(h.store.tables.users).set({ active: false }).where(eq(h.store.tables.users.id, h.member.userId)));
      const answer = await asLead().mlRepos.checkAccess({ repo: 'churn-model', subject: { kind: 'user', userId: h.member.userId } });
      expect(answer).toMatchObject({ access: 'none', note: 'The user is deactivated' });
    });
  });

  describe('update and delete', () => {
    beforeEach(() => createRepo());

    it('a repo admin changes the description and deletes the repo after typing its name; both audited', async () => {
      await asLead().mlRepos.update({ name: 'churn-model', description: 'New' });
      const [updated] = await auditOf('mlRepo.update');
      expect(updated).toMatchObject({ before: { description: 'Churn' }, after: { description: 'New' } });
      const wrong = await rejection(asLead().mlRepos.delete({ name: 'churn-model', confirmName: 'churn' }));
      expect(fieldErrorsOf(wrong).confirmName).toBeDefined();
      await asLead().mlRepos.delete({ name: 'churn-model', confirmName: 'churn-model' });
      expect(await h.store.db.select().from(h.store.tables.mlRepos)).toHaveLength(0);
      expect(await auditOf('mlRepo.delete')).toHaveLength(1);
    });

    it('a viewer can neither update nor delete', async () => {
      await asLead().mlRepos.grants.grant({ name: 'churn-model', subject: { kind: 'user', userId: h.member.userId }, role: 'viewer' });
      expect((await rejection(h.asMember.mlRepos.update({ name: 'churn-model', description: 'x' }))).code).toBe('FORBIDDEN');
      expect((await rejection(h.asMember.mlRepos.delete({ name: 'churn-model', confirmName: 'churn-model' }))).code).toBe('FORBIDDEN');
      expect((await h.asMember.mlRepos.get({ name: 'churn-model' })).actions).toMatchObject({ 'mlRepo.grants.manage': false, 'mlRepo.delete': false });
    });
  });
});
