/**
 * Workspace roles given to teams, through the router: a team's role reaches each member
 * (what they may do and which clusters they see) on their next call, and leaves them
 * when they leave the team or the role is revoked. Granting is audited like a user's.
 */
import { TRPCError } from '@trpc/server';
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { routerHarness, type RouterHarness } from '@/testing/router-harness';

async function codeOf(call: () => Promise<unknown>): Promise<string | null> {
  try {
    await call();
    return null;
  } catch (error) {
    if (error instanceof TRPCError) return error.code;
    throw error;
  }
}

describe('workspace roles held by teams', () => {
  let h: RouterHarness;
  const ids = { dev: 0, cluster: 0, workspace: 0, team: 0 };

  beforeEach(async () => {
    h = await routerHarness();
    const [dev] = await h.store.transaction((tx) => tx.insert(h.store.tables.environments).values({ name: 'dev', color: '#22c55e' }).returning());
    ids.dev = dev!.id;
    ids.cluster = (await h.asAdmin.clusters.attach({ name: 'gpu-west', provider: 'aws-eks', region: 'us-west-2', environmentIds: [ids.dev] })).cluster.id;
    ids.workspace = (await h.asAdmin.workspaces.create({ name: 'training', clusterId: ids.cluster, environmentId: ids.dev })).id;
    ids.team = (await h.asAdmin.teams.create({ name: 'ml-research' })).id;
    await h.asAdmin.teams.addMember({ teamId: ids.team, userId: h.member.userId });
  });
  afterEach(() => h.cp.close());

  const update = () => h.asMember.workspaces.update({ id: ids.workspace, environmentId: ids.dev, labels: { team: 'ml' } });

  it('a member of a team that holds editor updates the workspace and sees its cluster; leaving the team takes it away on the next call', async () => {
    expect(await codeOf(update)).toBe('FORBIDDEN');
    await h.asAdmin.workspaces.roles.grantTeam({ id: ids.workspace, teamId: ids.team, role: 'editor' });

    await expect(update()).resolves.toMatchObject({ labels: { team: 'ml' } });
    expect((await h.asMember.clusters.list({})).rows.map((row) => row.name)).toEqual(['gpu-west']);
    expect((await h.asMember.clusters.get({ name: 'gpu-west' })).cluster.name).toBe('gpu-west');
    expect(await codeOf(() => h.asMember.workspaces.delete({ id: ids.workspace }))).toBe('FORBIDDEN');

    await h.asAdmin.teams.removeMember({ teamId: ids.team, userId: h.member.userId });
    expect(await codeOf(update)).toBe('FORBIDDEN');
    expect((await h.asMember.clusters.list({})).total).toBe(0);
    expect(await codeOf(() => h.asMember.clusters.get({ name: 'gpu-west' }))).toBe('FORBIDDEN');
  });

  it('lists team holders with member counts beside users; change and revoke are audited; a revoked role is gone on the next call', async () => {
    await h.asAdmin.workspaces.roles.grantTeam({ id: ids.workspace, teamId: ids.team, role: 'viewer' });
    await h.asAdmin.workspaces.roles.grant({ id: ids.workspace, userId: h.admin.userId, role: 'admin' });
    expect((await h.asAdmin.workspaces.roles.teams({ id: ids.workspace })).map((t) => [t.teamName, t.memberCount, t.role])).toEqual([['ml-research', 1, 'viewer']]);
    expect((await h.asAdmin.workspaces.roles.list({ id: ids.workspace })).map((u) => u.email)).toEqual(['admin@example.com']);
    expect(await h.asAdmin.workspaces.roles.teamCandidates({ id: ids.workspace })).toEqual([]);

    await h.asAdmin.workspaces.roles.grantTeam({ id: ids.workspace, teamId: ids.team, role: 'editor' });
    await expect(update()).resolves.toBeDefined();
    await h.asAdmin.workspaces.roles.revokeTeam({ id: ids.workspace, teamId: ids.team });
    expect(await codeOf(update)).toBe('FORBIDDEN');
    expect((await h.asAdmin.workspaces.roles.teamCandidates({ id: ids.workspace })).map((t) => t.name)).toEqual(['ml-research']);

    const { auditEvents } = h.store.tables;
    const rows = await h.store.db.select().from(auditEvents).where(eq(auditEvents.targetType, 'workspace'));
    const teamRows = rows.filter((row) => row.action.endsWith('Role') && JSON.stringify([row.before, row.after]).includes('"team"'));
    expect(teamRows.map((row) => [row.action, row.before, row.after])).toEqual([
      ['workspace.grantRole', null, { team: 'ml-research', role: 'viewer' }],
      ['workspace.grantRole', { team: 'ml-research', role: 'viewer' }, { team: 'ml-research', role: 'editor' }],
      ['workspace.revokeRole', { team: 'ml-research', role: 'editor' }, null],
    ]);
    expect(await codeOf(() => h.asAdmin.workspaces.roles.revokeTeam({ id: ids.workspace, teamId: ids.team }))).toBe('NOT_FOUND');
  });

  it('the highest of own and team roles applies', async () => {
    await h.asAdmin.workspaces.roles.grant({ id: ids.workspace, userId: h.member.userId, role: 'viewer' });
    expect(await codeOf(update)).toBe('FORBIDDEN');
    await h.asAdmin.workspaces.roles.grantTeam({ id: ids.workspace, teamId: ids.team, role: 'editor' });
    await expect(update()).resolves.toBeDefined();
  });

  it('only workspace admins grant to teams; a missing team is refused on teamId', async () => {
    await h.asAdmin.workspaces.roles.grantTeam({ id: ids.workspace, teamId: ids.team, role: 'editor' });
    expect(await codeOf(() => h.asMember.workspaces.roles.grantTeam({ id: ids.workspace, teamId: ids.team, role: 'admin' }))).toBe('FORBIDDEN');
    expect(await codeOf(() => h.asMember.workspaces.roles.teams({ id: ids.workspace }))).toBe('FORBIDDEN');
    const error = await h.asAdmin.workspaces.roles.grantTeam({ id: ids.workspace, teamId: 9999, role: 'viewer' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TRPCError);
    expect(((error as TRPCError).cause as { fieldErrors?: Record<string, string[]> }).fieldErrors?.teamId?.[0]).toContain('does not exist');
  });
});

describe('a user’s page', () => {
  let h: RouterHarness;
  afterEach(() => h.cp.close());

  it('shows teams and workspace roles (own and via team) to admins and to the user themselves, FORBIDDEN to other members', async () => {
    h = await routerHarness();
    const [dev] = await h.store.transaction((tx) => tx.insert(h.store.tables.environments).values({ name: 'dev', color: '#22c55e' }).returning());
    const cluster = (await h.asAdmin.clusters.attach({ name: 'gpu-west', provider: 'aws-eks', region: 'us-west-2', environmentIds: [dev!.id] })).cluster.id;
    const workspace = (await h.asAdmin.workspaces.create({ name: 'training', clusterId: cluster, environmentId: dev!.id })).id;
    const team = (await h.asAdmin.teams.create({ name: 'ml-research' })).id;
    await h.asAdmin.teams.addMember({ teamId: team, userId: h.member.userId, role: 'manager' });
    await h.asAdmin.workspaces.roles.grant({ id: workspace, userId: h.member.userId, role: 'viewer' });
    await h.asAdmin.workspaces.roles.grantTeam({ id: workspace, teamId: team, role: 'editor' });

    const profile = await h.asMember.users.profile({ id: h.member.userId });
    expect(profile.user).toMatchObject({ email: 'member@example.com', role: 'member', active: true });
    expect(profile.teams).toEqual([{ teamId: team, teamName: 'ml-research', role: 'manager' }]);
    expect(profile.workspaceRoles.map((r) => [r.fqn, r.role, r.viaTeam?.teamName ?? null])).toEqual([
      ['gpu-west:training', 'viewer', null],
      ['gpu-west:training', 'editor', 'ml-research'],
    ]);
    expect((await h.asAdmin.users.profile({ id: h.member.userId })).teams).toHaveLength(1);
    expect(await codeOf(() => h.asMember.users.profile({ id: h.admin.userId }))).toBe('FORBIDDEN');
    expect(await codeOf(() => h.asMember.users.profile({ id: 9999 }))).toBe('FORBIDDEN');
    expect(await codeOf(() => h.asAdmin.users.profile({ id: 9999 }))).toBe('NOT_FOUND');
  });
});
