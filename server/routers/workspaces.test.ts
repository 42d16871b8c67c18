import { TRPCError } from '@trpc/server';
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DomainEvent } from '@/server/events/bus';
import { routerHarness, type RouterHarness } from '@/testing/router-harness';

async function rejection(promise: Promise<unknown>): Promise<TRPCError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TRPCError);
  return error as TRPCError;
}

/** The field errors the client receives, as the error formatter shapes them. */
function fieldErrorsOf(error: TRPCError): Record<string, string[]> {
  const cause = error.cause as { fieldErrors?: Record<string, string[]>; issues?: { path: PropertyKey[]; message: string }[] } | undefined;
  if (cause?.fieldErrors) return cause.fieldErrors;
  const out: Record<string, string[]> = {};
  for (const issue of cause?.issues ?? []) (out[String(issue.path[0])] ??= []).push(issue.message);
  return out;
}

describe('workspaces router', () => {
  let h: RouterHarness;
  const env = new Map<string, number>();
  const cluster = new Map<string, number>();
  const published: DomainEvent[] = [];

  beforeEach(async () => {
    h = await routerHarness();
    const { environments } = h.store.tables;
    const rows = await h.store.transaction((tx) =>
      tx
        .insert(environments)
        .values([
          { name: 'dev', color: '#22c55e' },
          { name: 'staging', color: '#f59e0b' },
          { name: 'prod', color: '#ef4444', isProduction: true, optimizeFor: 'availability' },
        ])
        .returning(),
    );
    for (const row of rows) env.set(row.name, row.id);
    for (const [name, envs] of [
      ['dev-cluster', ['dev', 'staging']],
      ['prod-cluster', ['prod']],
    ] as const) {
      const { cluster: c } = await h.asAdmin.clusters.attach({
        name,
        provider: 'aws-eks',
        region: 'us-east-1',
        environmentIds: envs.map((e) => env.get(e)!),
      });
      cluster.set(name, c.id);
    }
    published.length = 0;
    h.cp.bus.subscribe('workspace.changed', (event) => void published.push(event));
  });
  afterEach(() => h.cp.close());

  const tables = () => h.store.tables;
  const workspaceRows = () => h.store.db.select().from(tables().workspaces);
  const auditOf = (action: string) => h.store.db.select().from(tables().auditEvents).where(eq(tables().auditEvents.action, action));
  async function writesSnapshot() {
    return {
      workspaces: JSON.stringify(await workspaceRows()),
      audit: (await h.store.db.select().from(tables().auditEvents)).length,
      roles: (await h.store.db.select().from(tables().workspaceRoles)).length,
    };
  }

  const create = (over: Record<string, unknown> = {}) =>
    h.asAdmin.workspaces.create({ name: 'team-a', clusterId: cluster.get('dev-cluster')!, environmentId: env.get('dev')!, ...over } as never);

  describe('create', () => {
    it('stores the desired state as pending, audits it, and publishes workspace.changed after the commit', async () => {
      const created = await create({
        labels: { team: 'ml' },
        tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
        quota: { cpu: '16', memory: '64Gi', gpus: 4 },
      });
      expect(created).toMatchObject({ syncState: 'pending', desiredGeneration: 1, appliedGeneration: 0 });
      expect(created.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
      expect(published).toEqual([{ type: 'workspace.changed', clusterId: cluster.get('dev-cluster'), workspaceIds: [created.id] }]);
      const [audit] = await auditOf('workspace.create');
      expect(audit).toMatchObject({ targetLabel: 'dev-cluster:team-a', actorUserId: h.admin.userId });
      expect(audit?.after).toMatchObject({ environment: 'dev', labels: { team: 'ml' }, quota: { cpu: '16', memory: '64Gi', gpus: 4 } });

      const page = await h.asAdmin.workspaces.get({ clusterName: 'dev-cluster', name: 'team-a' });
      expect(page).toMatchObject({
        fqn: 'dev-cluster:team-a',
        cluster: { name: 'dev-cluster' },
        environment: { name: 'dev', color: '#22c55e', isProduction: false, optimizeFor: 'cost' },
        can: { 'workspace.update': true, 'workspace.delete': true, 'workspace.reapply': true, 'workspace.roles.manage': true },
      });
    });

    it('takes an empty quota as no quota', async () => {
      expect((await create({ quota: { cpu: '', memory: '' } })).quota).toBeNull();
    });

    it.each([
      ['a name with capitals', { name: 'Team-A' }, 'name', 'lower-case'],
      ['a name ending in "-"', { name: 'team-' }, 'name', 'end with a letter or digit'],
      ['a two-letter name', { name: 'ab' }, 'name', 'at least 3'],
      ['a name starting with a digit', { name: '1team' }, 'name', 'start with a lower-case letter'],
      ['an Equal toleration with an empty key', { tolerations: [{ operator: 'Equal', value: 'x' }] }, 'tolerations', 'Toleration 1: An empty key'],
      ['an Exists toleration with a value', { tolerations: [{ key: 'a', operator: 'Exists' }, { key: 'gpu', operator: 'Exists', value: 'x' }] }, 'tolerations', 'Toleration 2: With operator Exists'],
      ['a toleration key that is no qualified name', { tolerations: [{ key: 'bad key!', operator: 'Exists' }] }, 'tolerations', 'Toleration 1:'],
      ['an unknown taint effect', { tolerations: [{ key: 'a', operator: 'Exists', effect: 'Sometimes' }] }, 'tolerations', 'Choose NoSchedule'],
      ['a label under fleetdeck.io/', { labels: { 'fleetdeck.io/environment': 'prod' } }, 'labels', 'set by Fleetdeck'],
      ['the managed-by label', { labels: { 'app.kubernetes.io/managed-by': 'me' } }, 'labels', 'set by Fleetdeck'],
      ['a bad label value', { labels: { team: 'has space' } }, 'labels', 'label value'],
      ['a CPU that is no quantity', { quota: { cpu: 'lots' } }, 'quota', 'Kubernetes quantity'],
      ['a fractional GPU count', { quota: { gpus: 1.5 } }, 'quota', 'whole number'],
    ])('refuses %s on its field and writes nothing', async (_case, over, field, message) => {
      const before = await writesSnapshot();
      const error = await rejection(create(over));
      expect(error.code).toBe('BAD_REQUEST');
      expect(fieldErrorsOf(error)[field]?.join(' ')).toContain(message);
      expect(await writesSnapshot()).toEqual(before);
      expect(published).toEqual([]);
    });

    it('refuses an environment that is not one of the cluster’s, on environmentId, and writes nothing', async () => {
      const before = await writesSnapshot();
      const error = await rejection(create({ environmentId: env.get('prod')! }));
      expect(error.code).toBe('BAD_REQUEST');
      expect(error.message).toContain('Choose one of the environments of cluster "dev-cluster"');
      expect(fieldErrorsOf(error).environmentId).toBeDefined();
      expect(await writesSnapshot()).toEqual(before);
    });

    it('refuses a duplicate name in the same cluster on name, and allows it in another cluster', async () => {
      await create();
      const before = await writesSnapshot();
      const error = await rejection(create({ environmentId: env.get('staging')! }));
      expect(error.code).toBe('CONFLICT');
      expect(fieldErrorsOf(error).name?.[0]).toContain('already has a workspace named "team-a"');
      expect(await writesSnapshot()).toEqual(before);
      const elsewhere = await create({ clusterId: cluster.get('prod-cluster')!, environmentId: env.get('prod')! });
      expect(elsewhere.name).toBe('team-a');
    });
  });

  describe('update, re-apply, delete', () => {
    it('an update bumps the desired generation, sets pending and audits only what changed', async () => {
      const created = await create({ labels: { team: 'ml' } });
      await h.store.transaction((tx) => tx.update(tables().workspaces).set({ syncState: 'synced', appliedGeneration: 1 }).where(eq(tables().workspaces.id, created.id)));
      published.length = 0;
      const updated = await h.asAdmin.workspaces.update({ id: created.id, environmentId: env.get('staging')!, labels: { team: 'ml' }, tolerations: [], quota: { gpus: 2 } });
      expect(updated).toMatchObject({ syncState: 'pending', desiredGeneration: 2, environmentId: env.get('staging'), quota: { gpus: 2 } });
      const [audit] = await auditOf('workspace.update');
      expect(audit?.before).toEqual({ environment: 'dev', quota: null });
      expect(audit?.after).toEqual({ environment: 'staging', quota: { gpus: 2 } });
      expect(published).toHaveLength(1);
    });

    it('an update to an environment of another cluster is refused on environmentId and writes nothing', async () => {
      const created = await create();
      const before = await writesSnapshot();
      const error = await rejection(h.asAdmin.workspaces.update({ id: created.id, environmentId: env.get('prod')! }));
      expect(fieldErrorsOf(error).environmentId).toBeDefined();
      expect(await writesSnapshot()).toEqual(before);
    });

    it('re-apply bumps the generation to pending and keeps the drift for the reconciler to clear', async () => {
      const created = await create();
      await h.store.transaction((tx) =>
        tx
          .update(tables().workspaces)
          .set({ syncState: 'synced', appliedGeneration: 1, drift: 'namespace deleted' })
          .where(eq(tables().workspaces.id, created.id)),
      );
      const after = await h.asAdmin.workspaces.reapply({ id: created.id });
      expect(after).toMatchObject({ syncState: 'pending', desiredGeneration: 2, drift: 'namespace deleted' });
      expect(await auditOf('workspace.reapply')).toHaveLength(1);
    });

    it('delete of a never-applied workspace removes the row at once, unless a connected agent may be applying it', async () => {
      const created = await create();
      expect(await h.asAdmin.workspaces.delete({ id: created.id })).toEqual({ removed: 'now' });
      expect(await workspaceRows()).toEqual([]);
      expect(await auditOf('workspace.delete')).toHaveLength(1);

      const clusterId = cluster.get('dev-cluster')!;
      const setStatus = (status: 'connected' | 'disconnected') =>
        h.store.transaction((tx) => tx.update(tables().clusters).set({ status }).where(eq(tables().clusters.id, clusterId)));
      await setStatus('disconnected');
      expect(await h.asAdmin.workspaces.delete({ id: (await create()).id })).toEqual({ removed: 'now' });
      await setStatus('connected');
      const inFlight = await create();
      expect(await h.asAdmin.workspaces.delete({ id: inFlight.id })).toEqual({ removed: 'afterSync' });
      expect(await workspaceRows()).toMatchObject([{ id: inFlight.id, syncState: 'deleting', desiredGeneration: 2 }]);
    });

    it('delete of an applied production workspace needs its FQN, then waits as deleting for the agent', async () => {
      const created = await create({ clusterId: cluster.get('prod-cluster')!, environmentId: env.get('prod')! });
      await h.store.transaction((tx) => tx.update(tables().workspaces).set({ syncState: 'synced', appliedGeneration: 1 }).where(eq(tables().workspaces.id, created.id)));
      await h.store.transaction((tx) => tx.update(tables().clusters).set({ status: 'connected' }).where(eq(tables().clusters.id, created.clusterId)));
      const before = await writesSnapshot();
      for (const confirmFqn of [undefined, 'team-a', 'dev-cluster:team-a']) {
        const error = await rejection(h.asAdmin.workspaces.delete({ id: created.id, confirmFqn }));
        expect(fieldErrorsOf(error).confirmFqn?.[0]).toContain('type its FQN');
      }
      expect(await writesSnapshot()).toEqual(before);
      expect(await h.asAdmin.workspaces.delete({ id: created.id, confirmFqn: 'prod-cluster:team-a' })).toEqual({ removed: 'afterSync' });
      const [row] = await workspaceRows();
      expect(row).toMatchObject({ syncState: 'deleting', desiredGeneration: 2 });
      const error = await rejection(h.asAdmin.workspaces.update({ id: created.id, environmentId: env.get('prod')! }));
      expect(error.code).toBe('PRECONDITION_FAILED');
    });
  });

  describe('list and form options', () => {
    it('filters by cluster, environment and sync state, and finds by name or FQN', async () => {
      await create();
      await create({ name: 'team-b', environmentId: env.get('staging')! });
      await create({ clusterId: cluster.get('prod-cluster')!, environmentId: env.get('prod')! });
      const names = async (input: Parameters<typeof h.asAdmin.workspaces.list>[0]) =>
        (await h.asAdmin.workspaces.list(input)).rows.map((row) => row.fqn);
      expect(await names({})).toEqual(['dev-cluster:team-a', 'dev-cluster:team-b', 'prod-cluster:team-a']);
      expect(await names({ clusterId: cluster.get('prod-cluster')! })).toEqual(['prod-cluster:team-a']);
      expect(await names({ environmentIds: [env.get('staging')!] })).toEqual(['dev-cluster:team-b']);
      expect(await names({ search: 'prod-cluster:team' })).toEqual(['prod-cluster:team-a']);
      expect(await names({ search: 'TEAM-B' })).toEqual(['dev-cluster:team-b']);
      expect(await names({ search: '%' })).toEqual([]);
      expect(await names({ syncStates: ['synced'] })).toEqual([]);
      const page = await h.asAdmin.workspaces.list({ pageSize: 2, page: 2 });
      expect(page).toMatchObject({ total: 3, page: 2, pageCount: 2 });
    });

    it('offers the cluster’s environments and the distinct taints of its GPU nodes', async () => {
      const clusterId = cluster.get('dev-cluster')!;
      const gpuTaint = { key: 'nvidia.com/gpu', value: 'true', effect: 'NoSchedule' };
      await h.store.transaction((tx) => tx.insert(tables().clusterNodes).values([
        { clusterId, name: 'gpu-1', ready: true, gpuCount: 8, taints: [gpuTaint] },
        { clusterId, name: 'gpu-2', ready: true, gpuCount: 8, taints: [gpuTaint, { key: 'lambda.ai/reserved', effect: 'NoExecute' }] },
        { clusterId, name: 'cpu-1', ready: true, gpuCount: 0, taints: [{ key: 'cpu-only', effect: 'NoSchedule' }] },
      ]));
      const options = await h.asAdmin.workspaces.formOptions({ clusterId });
      expect(options.environments.map((e) => e.name)).toEqual(['dev', 'staging']);
      expect(options.gpuTaints).toEqual([
        { ...gpuTaint, nodeCount: 2 },
        { key: 'lambda.ai/reserved', effect: 'NoExecute', nodeCount: 1 },
      ]);
    });
  });
});
