/**
 * Issue 10's access rule, end to end through the router: a member sees only the
 * workspaces they hold a role on and those workspaces' clusters (lists, counts, search,
 * facets, the overview, alerts, live feeds), and everything else is FORBIDDEN, as is
 * every change their workspace role does not allow.
 */
import { TRPCError } from '@trpc/server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { WorkspaceRole } from '@/lib/workspaces';
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

describe('workspace roles decide what a member sees and may do', () => {
  let h: RouterHarness;
  const ids = { dev: 0, prod: 0, devCluster: 0, prodCluster: 0, seen: 0, sibling: 0, hidden: 0 };

  beforeEach(async () => {
    h = await routerHarness();
    const { environments } = h.store.tables;
    const [dev, prod] = await h.store.transaction((tx) =>
      tx
        .insert(environments)
        .values([{ name: 'dev', color: '#22c55e' }, { name: 'prod', color: '#ef4444', isProduction: true }])
        .returning(),
    );
    ids.dev = dev!.id;
    ids.prod = prod!.id;
    ids.devCluster = (await h.asAdmin.clusters.attach({ name: 'dev-cluster', provider: 'aws-eks', region: 'eu-west-1', environmentIds: [ids.dev] })).cluster.id;
    ids.prodCluster = (await h.asAdmin.clusters.attach({ name: 'prod-cluster', provider: 'gcp-gke', region: 'us-east1', environmentIds: [ids.prod] })).cluster.id;
    ids.seen = (await h.asAdmin.workspaces.create({ name: 'team-a', clusterId: ids.devCluster, environmentId: ids.dev })).id;
    ids.sibling = (await h.asAdmin.workspaces.create({ name: 'team-b', clusterId: ids.devCluster, environmentId: ids.dev })).id;
    ids.hidden = (await h.asAdmin.workspaces.create({ name: 'team-a', clusterId: ids.prodCluster, environmentId: ids.prod })).id;
  });
  afterEach(() => h.cp.close());

  const grant = (role: WorkspaceRole, id = ids.seen) => h.asAdmin.workspaces.roles.grant({ id, userId: h.member.userId, role });

  it('a member without any workspace role sees no cluster and no workspace', async () => {
    expect(await h.asMember.clusters.list({})).toMatchObject({ total: 0, rows: [] });
    expect(await h.asMember.workspaces.list({})).toMatchObject({ total: 0, rows: [] });
    expect((await h.asMember.clusters.overview()).totals.clusters).toBe(0);
    expect((await h.asMember.clusters.facets()).total).toBe(0);
  });

  it('a viewer sees that workspace and its cluster, and nothing else: lists, counts, search, facets, overview, environments', async () => {
    await grant('viewer');
    const list = await h.asMember.workspaces.list({});
    expect(list.total).toBe(1);
    expect(list.rows.map((row) => row.fqn)).toEqual(['dev-cluster:team-a']);
    expect(list.rows[0]).toMatchObject({
      myRole: 'viewer',
      can: { 'workspace.update': false, 'workspace.delete': false, 'workspace.reapply': false, 'workspace.roles.manage': false },
    });
    expect((await h.asMember.workspaces.list({ search: 'prod-cluster:team-a' })).total).toBe(0);
    expect((await h.asMember.workspaces.list({ search: 'team-b' })).total).toBe(0);
    expect((await h.asMember.workspaces.list({ environmentIds: [ids.prod] })).total).toBe(0);

    expect((await h.asMember.clusters.list({})).rows.map((row) => row.name)).toEqual(['dev-cluster']);
    expect((await h.asMember.clusters.list({ search: 'prod' })).total).toBe(0);
    expect((await h.asMember.clusters.facets()).total).toBe(1);
    const overview = await h.asMember.clusters.overview();
    expect(overview.totals.clusters).toBe(1);
    expect(overview.byEnvironment.map((env) => [env.name, env.count])).toEqual([['dev', 1], ['prod', 0]]);
    const envs = await h.asMember.environments.list();
    expect(envs.map((env) => [env.name, env.clusterCount, env.workspaceCount])).toEqual([['dev', 1, 1], ['prod', 0, 0]]);

    await expect(h.asMember.workspaces.get({ clusterName: 'dev-cluster', name: 'team-a' })).resolves.toMatchObject({ id: ids.seen });
    const clusterPage = await h.asMember.clusters.get({ name: 'dev-cluster' });
    expect(clusterPage.cluster.name).toBe('dev-cluster');
    expect(clusterPage.workspaces.map((w) => w.name)).toEqual(['team-a']);
    expect((await h.asAdmin.clusters.get({ name: 'dev-cluster' })).workspaces.map((w) => w.name)).toEqual(['team-a', 'team-b']);
    await expect(h.asMember.workspaces.formOptions({ clusterId: ids.devCluster })).resolves.toMatchObject({ cluster: { name: 'dev-cluster' } });
    await expect(h.asMember.workspaces.list({ clusterId: ids.devCluster })).resolves.toMatchObject({ total: 1 });
  });

  it('everything else is FORBIDDEN to a viewer, whether or not it exists, and every change is refused', async () => {
    await grant('viewer');
    const forbidden: [string, () => Promise<unknown>][] = [
      ['the sibling workspace', () => h.asMember.workspaces.get({ clusterName: 'dev-cluster', name: 'team-b' })],
      ['a hidden workspace', () => h.asMember.workspaces.get({ clusterName: 'prod-cluster', name: 'team-a' })],
      ['a workspace that does not exist', () => h.asMember.workspaces.get({ clusterName: 'nope', name: 'nope' })],
      ['a hidden cluster', () => h.asMember.clusters.get({ name: 'prod-cluster' })],
      ['a hidden cluster’s nodes', () => h.asMember.clusters.nodes({ name: 'prod-cluster' })],
      ['a hidden cluster’s connection history', () => h.asMember.clusters.connectionHistory({ name: 'prod-cluster' })],
      ['a hidden cluster’s feed', () => h.asMember.clusters.onChange({ name: 'prod-cluster' })],
      ['a hidden cluster’s workspaces', () => h.asMember.workspaces.list({ clusterId: ids.prodCluster })],
      ['a hidden cluster’s form options', () => h.asMember.workspaces.formOptions({ clusterId: ids.prodCluster })],
      ['create', () => h.asMember.workspaces.create({ name: 'mine', clusterId: ids.devCluster, environmentId: ids.dev })],
      ['update', () => h.asMember.workspaces.update({ id: ids.seen, environmentId: ids.dev, labels: { a: 'b' } })],
      ['delete', () => h.asMember.workspaces.delete({ id: ids.seen })],
      ['re-apply', () => h.asMember.workspaces.reapply({ id: ids.seen })],
      ['list roles', () => h.asMember.workspaces.roles.list({ id: ids.seen })],
      ['grant', () => h.asMember.workspaces.roles.grant({ id: ids.seen, userId: h.member.userId, role: 'admin' })],
      ['revoke', () => h.asMember.workspaces.roles.revoke({ id: ids.seen, userId: h.member.userId })],
      ['update elsewhere', () => h.asMember.workspaces.update({ id: ids.hidden, environmentId: ids.prod })],
      ['delete elsewhere', () => h.asMember.workspaces.delete({ id: ids.hidden, confirmFqn: 'prod-cluster:team-a' })],
      ['cluster settings', () => h.asMember.clusters.updateEnvironments({ name: 'dev-cluster', environmentIds: [ids.dev] })],
    ];
    const { auditEvents, workspaceRoles, workspaces } = h.store.tables;
    const before = JSON.stringify([
      await h.store.db.select().from(workspaces),
      await h.store.db.select().from(workspaceRoles),
      (await h.store.db.select().from(auditEvents)).length,
    ]);
    for (const [what, call] of forbidden) expect([what, await codeOf(call)]).toEqual([what, 'FORBIDDEN']);
    const after = JSON.stringify([
      await h.store.db.select().from(workspaces),
      await h.store.db.select().from(workspaceRoles),
      (await h.store.db.select().from(auditEvents)).length,
    ]);
    expect(after).toEqual(before);
  });

  it('an editor may update and re-apply but not delete or grant; a workspace admin may do both', async () => {
    await grant('editor');
    expect((await h.asMember.workspaces.list({})).rows[0]?.can).toEqual({
      'workspace.update': true,
      'workspace.delete': false,
      'workspace.reapply': true,
      'workspace.roles.manage': false,
    });
    await expect(h.asMember.workspaces.update({ id: ids.seen, environmentId: ids.dev, labels: { team: 'ml' } })).resolves.toMatchObject({ labels: { team: 'ml' } });
    await expect(h.asMember.workspaces.reapply({ id: ids.seen })).resolves.toMatchObject({ syncState: 'pending' });
    expect(await codeOf(() => h.asMember.workspaces.delete({ id: ids.seen }))).toBe('FORBIDDEN');
    expect(await codeOf(() => h.asMember.workspaces.roles.grant({ id: ids.seen, userId: h.admin.userId, role: 'viewer' }))).toBe('FORBIDDEN');
    expect(await codeOf(() => h.asMember.workspaces.roles.candidates({ id: ids.seen }))).toBe('FORBIDDEN');

    await grant('admin');
    // A workspace admin who is not a tenant admin is offered the people without a role on it.
    expect((await h.asMember.workspaces.roles.candidates({ id: ids.seen })).map((u) => u.email)).toEqual(['admin@example.com']);
    await h.asMember.workspaces.roles.grant({ id: ids.seen, userId: h.admin.userId, role: 'viewer' });
    expect(await h.asMember.workspaces.roles.candidates({ id: ids.seen })).toEqual([]);
    expect((await h.asMember.workspaces.roles.list({ id: ids.seen })).map((r) => [r.email, r.role])).toEqual([
      ['admin@example.com', 'viewer'],
      ['member@example.com', 'admin'],
    ]);
    await expect(h.asMember.workspaces.delete({ id: ids.seen })).resolves.toEqual({ removed: 'now' });
    // The role went with the workspace: the member sees nothing again.
    expect((await h.asMember.clusters.list({})).total).toBe(0);
  });

  it('grants and revocations are audited and take effect on the next call', async () => {
    await grant('viewer');
    expect((await h.asMember.workspaces.list({})).total).toBe(1);
    await h.asAdmin.workspaces.roles.revoke({ id: ids.seen, userId: h.member.userId });
    expect((await h.asMember.workspaces.list({})).total).toBe(0);
    const { auditEvents } = h.store.tables;
    const actions = (await h.store.db.select().from(auditEvents)).map((row) => row.action);
    expect(actions.filter((a) => a.startsWith('workspace.') && a.endsWith('Role'))).toEqual(['workspace.grantRole', 'workspace.revokeRole']);
    expect(await codeOf(() => h.asAdmin.workspaces.roles.revoke({ id: ids.seen, userId: h.member.userId }))).toBe('NOT_FOUND');
  });

  it('live feeds carry only the visible workspaces and clusters', async () => {
    await grant('viewer');
    const workspaceFeed = (await h.asMember.workspaces.onChange())[Symbol.asyncIterator]();
    const clusterFeed = (await h.asMember.clusters.onChange())[Symbol.asyncIterator]();
    try {
      await workspaceFeed.next();
      await clusterFeed.next();
      h.cp.bus.publish({ type: 'workspace.changed', clusterId: ids.prodCluster, workspaceIds: [ids.hidden] });
      h.cp.bus.publish({ type: 'sync.statusChanged', clusterId: ids.devCluster, resource: 'workspace', resourceId: String(ids.sibling), status: 'synced' });
      h.cp.bus.publish({ type: 'sync.statusChanged', clusterId: ids.devCluster, resource: 'workspace', resourceId: String(ids.seen), status: 'synced' });
      await expect(workspaceFeed.next()).resolves.toMatchObject({ value: { workspaceIds: [ids.seen] } });
      h.cp.bus.publish({ type: 'cluster.changed', clusterIds: [ids.prodCluster] });
      h.cp.bus.publish({ type: 'cluster.changed', clusterIds: [ids.prodCluster, ids.devCluster] });
      await expect(clusterFeed.next()).resolves.toMatchObject({ value: { clusterIds: [ids.devCluster] } });
    } finally {
      await workspaceFeed.return?.(undefined);
      await clusterFeed.return?.(undefined);
    }
  });

  it('alerts are listed only for the visible clusters', async () => {
    await grant('viewer');
    const { alertRules, alerts } = h.store.tables;
    await h.store.transaction(async (tx) => {
      const [rule] = await tx.insert(alertRules).values({ name: 'down', condition: 'disconnected' }).returning();
      await tx.insert(alerts).values([
        { ruleId: rule!.id, clusterId: ids.devCluster, summary: 'dev down', firedAt: new Date() },
        { ruleId: rule!.id, clusterId: ids.prodCluster, summary: 'prod down', firedAt: new Date() },
      ]);
    });
    const names = (list: { firing: { cluster: { name: string } }[]; resolved: { cluster: { name: string } }[] }) =>
      [...list.firing, ...list.resolved].map((alert) => alert.cluster.name).sort();
    expect(names(await h.asAdmin.alerts.list())).toEqual(['dev-cluster', 'prod-cluster']);
    expect(names(await h.asMember.alerts.list())).toEqual(['dev-cluster']);
  });
});
