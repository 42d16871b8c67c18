import { TRPCError } from '@trpc/server';
import { count, eq, is, Table } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLOSE_CODES } from '@/lib/agent-protocol';
import type { ControlPlane } from '@/server/control-plane';
import type { DomainEvent, EventBus } from '@/server/events/bus';
import { appRouter } from '@/server/root';
import { hashClusterToken } from '@/server/services/cluster-token';
import type { Db, Store } from '@/server/store';
import { createCallerFactory } from '@/server/trpc';
import { startGateway } from '@/testing/gateway-fixtures';
import { ProtocolClient } from '@/testing/protocol-client';
import { callerFor, contextFor, insertUser, routerHarness, type RouterHarness } from '@/testing/router-harness';

async function seedEnvironments(store: Store) {
  const { environments } = store.tables;
  const rows = await store.transaction((tx) =>
    tx
      .insert(environments)
      .values(['dev', 'prod'].map((name) => ({ name, color: name === 'prod' ? '#ef4444' : '#22c55e', isProduction: name === 'prod' })))
      .returning(),
  );
  const dev = rows.find((env) => env.name === 'dev');
  const prod = rows.find((env) => env.name === 'prod');
  if (!dev || !prod) throw new Error('seed failed');
  return { dev, prod };
}

async function errorOf(promise: Promise<unknown>): Promise<TRPCError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof TRPCError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

/** Field errors as the client receives them (the error formatter's `fieldErrors`). */
function fieldErrorsOf(error: TRPCError): Record<string, string[]> {
  const cause = error.cause as { fieldErrors?: Record<string, string[]>; issues?: { path: PropertyKey[]; message: string }[] } | undefined;
  if (cause?.fieldErrors) return cause.fieldErrors;
  const out: Record<string, string[]> = {};
  for (const issue of cause?.issues ?? []) {
    const key = String(issue.path[0] ?? '');
    (out[key] ??= []).push(issue.message);
  }
  return out;
}

async function rowCounts(store: Store) {
  const { clusters, clusterEnvironments, clusterTokens, auditEvents } = store.tables;
  const n = async (table: PgTable) => (await store.db.select({ n: count() }).from(table))[0]?.n ?? 0;
  return {
    clusters: await n(clusters),
    clusterEnvironments: await n(clusterEnvironments),
    clusterTokens: await n(clusterTokens),
    auditEvents: await n(auditEvents),
  };
}

/** Every cell of every table, to prove a secret is stored nowhere. */
async function everyStoredValue(store: Store): Promise<string> {
  const tables = (Object.values(store.tables) as PgTable[]).filter((table) => is(table, Table));
  const dumps = await Promise.all(tables.map((table) => store.db.select().from(table)));
  return dumps.map((rows) => JSON.stringify(rows)).join('\n');
}

const createCaller = createCallerFactory(appRouter);

describe('clusters router', () => {
  let h: RouterHarness;
  let envs: Awaited<ReturnType<typeof seedEnvironments>>;
  /** Agent sessions cut through the gateway, and events published, since the test began. */
  let cuts: { clusterId: number; reason: string }[];
  let events: DomainEvent[];
  let asAdmin: RouterHarness['asAdmin'];

  beforeEach(async () => {
    h = await routerHarness();
    envs = await seedEnvironments(h.store);
    cuts = [];
    events = [];
    h.cp.bus.subscribe('cluster.changed', (event) => void events.push(event));
    const gateway = h.cp.gateway;
    const observed: ControlPlane = {
      ...h.cp,
      gateway: Object.assign(Object.create(gateway) as typeof gateway, {
        revoke: (clusterId: number, reason: string) => {
          cuts.push({ clusterId, reason });
          return gateway.revoke(clusterId, reason);
        },
      }),
    };
    asAdmin = callerFor(observed, h.admin);
  });
  afterEach(() => h.cp.close());

  const tables = () => h.store.tables;
  const write = <T,>(work: (tx: Db) => Promise<T>) => h.store.transaction(work);
  const onlyCluster = async () => {
    const rows = await h.store.db.select().from(tables().clusters);
    expect(rows).toHaveLength(1);
    return rows[0]!;
  };
  const auditRows = () => h.store.db.select().from(tables().auditEvents).orderBy(tables().auditEvents.id);

  const attach = (overrides: Record<string, unknown> = {}) =>
    asAdmin.clusters.attach({
      name: 'gpu-west',
      provider: 'coreweave-cks',
      region: 'US-EAST-04',
      environmentIds: [envs.dev.id],
      ...overrides,
    });

  /** A caller whose request reached us on `origin`, on a control plane with `config` changes. */
  const adminVia = (origin: string | null, config: Partial<ControlPlane['config']> = {}) => {
    const cp: ControlPlane = { ...h.cp, config: { ...h.cp.config, ...config } };
    const context = contextFor(cp, h.admin);
    return createCaller({ ...context, request: { ...context.request, origin } });
  };

  describe('attach', () => {
    it('when valid, then creates an Awaiting agent cluster with provider-default addons and returns the token once', async () => {
      const result = await attach();
      expect(result.cluster).toMatchObject({ name: 'gpu-west', status: 'awaiting_agent' });
      expect(result.token).toMatch(/^fdct_[A-Za-z0-9_-]{43}$/);
      expect(result.token.startsWith(result.tokenPrefix)).toBe(true);

      const stored = await onlyCluster();
      expect(stored).toMatchObject({ status: 'awaiting_agent', prometheusUrl: 'http://prometheus-operated.prometheus.svc.cluster.local:9090' });
      expect(stored.addons['gpu-operator']).toBe(false);
      expect(stored.addons).not.toHaveProperty('karpenter');

      const [token] = await h.store.db.select().from(tables().clusterTokens);
      expect(token?.tokenHash).toBe(hashClusterToken(result.token));
      expect(events).toEqual([{ type: 'cluster.changed', clusterIds: [stored.id] }]);
    });

    it('returns install commands that never carry the token (the Secret reads it from stdin); helm names the served chart, cluster, URL, tenant and Secret', async () => {
      const { install, token } = await attach();
      const byId = Object.fromEntries(install.commands.map((c) => [c.id, c.command]));
      expect(Object.keys(byId)).toEqual(['secret', 'helm', 'manifest', 'local']);
      for (const command of Object.values(byId)) expect(command).not.toContain(token);
      expect(JSON.stringify(install)).not.toContain(token);
      expect(byId.secret).toContain(`${install.secretName} --from-file=token=/dev/stdin`);
      expect(byId.helm).toContain('helm upgrade --install');
      for (const fact of ['--repo http://fleetdeck.test/charts', 'clusterName=gpu-west', 'tenantName=default', install.secretName]) {
        expect(byId.helm).toContain(fact);
      }
      expect(byId.local).toContain('npm run agent -- --control-plane-url http://fleetdeck.test');
      // fleetdeck.test looks public; localhost (below) does not.
      expect(install.reachabilityWarning).toBeNull();
    });

    it('takes the agent URL and tenant from the configuration when set, and this host on the configured port without a request origin', async () => {
      const configured = await adminVia('http://fleetdeck.test', { publicUrl: 'https://fleet.example.com', tenant: 'acme' }).clusters.attach({
        name: 'configured',
        provider: 'generic',
        region: 'lab-1',
        environmentIds: [envs.dev.id],
      });
      expect(configured.install).toMatchObject({ controlPlaneUrl: 'https://fleet.example.com', tenant: 'acme' });
      expect(configured.install.commands.find((c) => c.id === 'helm')?.command).toContain('tenantName=acme');

      const local = await adminVia(null, { port: 4321 }).clusters.attach({ name: 'no-origin', provider: 'generic', region: 'lab-1', environmentIds: [envs.dev.id] });
      expect(local.install.controlPlaneUrl).toBe('http://localhost:4321');
      expect(local.install.reachabilityWarning).toContain('FLEETDECK_PUBLIC_URL');
    });

    it.each(['http://bad host', 'http://fleetdeck.test/some/path', 'ftp://fleetdeck.test', 'http://user:pw@fleetdeck.test'])(
      'when the request origin is %j, then BAD_REQUEST before anything is written',
      async (origin) => {
        const before = await rowCounts(h.store);
        const error = await errorOf(adminVia(origin).clusters.attach({ name: 'gpu-west', provider: 'generic', region: 'lab-1', environmentIds: [envs.dev.id] }));
        expect(error.code).toBe('BAD_REQUEST');
        expect(error.message).toMatch(/FLEETDECK_PUBLIC_URL/);
        expect(await rowCounts(h.store)).toEqual(before);
        expect(events).toEqual([]);
      },
    );

    it.each([
      ['ab', 'at least 3'],
      ['Gpu-west', 'start with a lower-case letter'],
      ['gpu_west', 'lower-case letters, digits'],
      ['a'.repeat(36), 'at most 35'],
    ])('when the name is %j, then a field error on name and nothing is written', async (name, message) => {
      const before = await rowCounts(h.store);
      const error = await errorOf(attach({ name }));
      expect(error.code).toBe('BAD_REQUEST');
      expect(fieldErrorsOf(error).name?.[0]).toContain(message);
      expect(await rowCounts(h.store)).toEqual(before);
    });

    it('when the name is taken, then CONFLICT with a field error on name and nothing more is written', async () => {
      await attach();
      const before = await rowCounts(h.store);
      const error = await errorOf(attach({ region: 'US-WEST-01' }));
      expect(error.code).toBe('CONFLICT');
      expect(fieldErrorsOf(error)).toEqual({ name: ['Cluster "gpu-west" already exists'] });
      expect(await rowCounts(h.store)).toEqual(before);
      expect(events).toHaveLength(1);
    });

    it('when two attaches of one name race, then one cluster and one CONFLICT on name', async () => {
      const results = await Promise.allSettled([attach(), attach({ region: 'US-WEST-01' })]);
      const fulfilled = results.filter((result) => result.status === 'fulfilled');
      const rejected = results.flatMap((result) => (result.status === 'rejected' ? [result.reason as unknown] : []));
      expect(fulfilled).toHaveLength(1);
      expect(rejected).toHaveLength(1);
      const error = rejected[0];
      expect(error).toBeInstanceOf(TRPCError);
      expect((error as TRPCError).code).toBe('CONFLICT');
      expect(fieldErrorsOf(error as TRPCError)).toEqual({ name: ['Cluster "gpu-west" already exists'] });
      expect(await rowCounts(h.store)).toEqual({ clusters: 1, clusterEnvironments: 1, clusterTokens: 1, auditEvents: 1 });
    });

    it('when no environment is chosen, then a field error and nothing is written', async () => {
      const error = await errorOf(attach({ environmentIds: [] }));
      expect(fieldErrorsOf(error).environmentIds).toEqual(['Choose at least one environment']);
      expect(await rowCounts(h.store)).toEqual({ clusters: 0, clusterEnvironments: 0, clusterTokens: 0, auditEvents: 0 });
    });

    it('when an environment no longer exists, then a field error and nothing is written (the transaction rolls back)', async () => {
      const error = await errorOf(attach({ environmentIds: [envs.dev.id, 9999] }));
      expect(error.code).toBe('BAD_REQUEST');
      expect(fieldErrorsOf(error).environmentIds?.[0]).toMatch(/no longer exists/);
      expect(await rowCounts(h.store)).toEqual({ clusters: 0, clusterEnvironments: 0, clusterTokens: 0, auditEvents: 0 });
      expect(events).toEqual([]);
    });

    it('when an EKS-only addon is turned on elsewhere, then a field error on addons', async () => {
      const error = await errorOf(attach({ addons: { karpenter: true } }));
      expect(fieldErrorsOf(error).addons?.[0]).toMatch(/karpenter/);
    });

    it('writes exactly one audit row with the settings and no secret', async () => {
      const { token } = await attach();
      const rows = await auditRows();
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ action: 'cluster.attach', targetType: 'cluster', targetLabel: 'gpu-west', actorLabel: 'admin@example.com', before: null });
      expect(rows[0]?.after).toMatchObject({ name: 'gpu-west', provider: 'coreweave-cks', environments: ['dev'] });
      expect(JSON.stringify(rows)).not.toContain(token);
      expect(JSON.stringify(rows)).not.toContain(hashClusterToken(token));
    });
  });

  describe('secrets', () => {
    it('never stores a token in plain text, and get/attachStatus/list/overview/audit never return the token or its hash', async () => {
      const first = await attach();
      const second = await asAdmin.clusters.rotateToken({ name: 'gpu-west' });
      const stored = await everyStoredValue(h.store);
      expect(stored).toContain(hashClusterToken(second.token));
      for (const token of [first.token, second.token]) {
        expect(stored).not.toContain(token);
        const hash = hashClusterToken(token);
        const responses = JSON.stringify([
          await asAdmin.clusters.get({ name: 'gpu-west' }),
          await asAdmin.clusters.attachStatus({ name: 'gpu-west' }),
          await asAdmin.clusters.list({}),
          await asAdmin.clusters.overview(),
          await asAdmin.audit.list({ targetType: 'cluster', targetId: String(first.cluster.id) }),
        ]);
        expect(responses).not.toContain(token);
        expect(responses).not.toContain(hash);
      }
      const detail = await asAdmin.clusters.get({ name: 'gpu-west' });
      expect(detail.token?.prefix).toBe(second.tokenPrefix);
    });
  });

  describe('permissions', () => {
    it('a member reads a cluster only through a workspace role in it, and may not attach, rotate, detach or change settings', async () => {
      const { cluster } = await attach();
      expect((await errorOf(h.asMember.clusters.attach({ name: 'other', provider: 'generic', region: 'x', environmentIds: [envs.dev.id] }))).code).toBe('FORBIDDEN');
      expect((await errorOf(h.asMember.clusters.rotateToken({ name: 'gpu-west' }))).code).toBe('FORBIDDEN');
      expect((await errorOf(h.asMember.clusters.detach({ name: 'gpu-west', confirmName: 'gpu-west' }))).code).toBe('FORBIDDEN');
      expect((await errorOf(h.asMember.clusters.updateAddons({ name: 'gpu-west', addons: { keda: true } }))).code).toBe('FORBIDDEN');
      expect((await errorOf(h.asMember.clusters.updateEnvironments({ name: 'gpu-west', environmentIds: [envs.prod.id] }))).code).toBe('FORBIDDEN');
      // Without a workspace role the cluster is not there for them: empty lists, FORBIDDEN for its
      // page, the same answer as for a cluster that does not exist.
      await expect(h.asMember.clusters.list({})).resolves.toMatchObject({ total: 0, rows: [] });
      expect((await errorOf(h.asMember.clusters.get({ name: 'gpu-west' }))).code).toBe('FORBIDDEN');
      expect((await errorOf(h.asMember.clusters.get({ name: 'no-such-cluster' }))).code).toBe('FORBIDDEN');
      const workspace = await asAdmin.workspaces.create({ name: 'team-a', clusterId: cluster.id, environmentId: envs.dev.id });
      await asAdmin.workspaces.roles.grant({ id: workspace.id, userId: h.member.userId, role: 'viewer' });
      await expect(h.asMember.clusters.list({})).resolves.toMatchObject({ total: 1 });
      await expect(h.asMember.clusters.get({ name: 'gpu-west' })).resolves.toMatchObject({ cluster: { name: 'gpu-west' } });
      await expect(h.asMember.clusters.attachStatus({ name: 'gpu-west' })).resolves.toMatchObject({ name: 'gpu-west' });
      expect((await errorOf(h.anonymous.clusters.list({}))).code).toBe('UNAUTHORIZED');
      expect((await errorOf(h.anonymous.clusters.attachStatus({ name: 'gpu-west' }))).code).toBe('UNAUTHORIZED');
      expect(await h.store.db.select().from(tables().clusterTokens)).toHaveLength(1);
      expect(cuts).toEqual([]);
    });
  });

  describe('rotateToken', () => {
    it('revokes the old token at once, stores the new hash, cuts the agent session and audits prefixes only', async () => {
      const first = await attach();
      const rotated = await asAdmin.clusters.rotateToken({ name: 'gpu-west' });
      expect(rotated.token).not.toBe(first.token);
      for (const step of rotated.install.commands) expect(step.command).not.toContain(rotated.token);

      const tokens = await h.store.db.select().from(tables().clusterTokens);
      expect(tokens.find((t) => t.tokenHash === hashClusterToken(first.token))?.revokedAt).toBeInstanceOf(Date);
      expect(tokens.find((t) => t.tokenHash === hashClusterToken(rotated.token))?.revokedAt).toBeNull();

      const clusterId = (await onlyCluster()).id;
      expect(cuts).toEqual([{ clusterId, reason: 'cluster token rotated' }]);
      expect(events).toEqual([
        { type: 'cluster.changed', clusterIds: [clusterId] },
        { type: 'cluster.changed', clusterIds: [clusterId] },
      ]);

      const audit = (await auditRows()).filter((e) => e.action === 'cluster.token.rotate');
      expect(audit).toHaveLength(1);
      expect(audit[0]?.before).toEqual({ tokenPrefixes: [first.tokenPrefix] });
      expect(audit[0]?.after).toEqual({ tokenPrefix: rotated.tokenPrefix });
    });

    it('when the request origin is unusable, then BAD_REQUEST and the working token is not revoked', async () => {
      const first = await attach();
      const error = await errorOf(adminVia('http://bad host').clusters.rotateToken({ name: 'gpu-west' }));
      expect(error.code).toBe('BAD_REQUEST');
      const tokens = await h.store.db.select().from(tables().clusterTokens);
      expect(tokens).toEqual([expect.objectContaining({ tokenHash: hashClusterToken(first.token), revokedAt: null })]);
      expect(cuts).toEqual([]);
    });

    it('when the cluster is in production, then its name must be typed: refused without it, nothing revoked or cut', async () => {
      const first = await attach({ environmentIds: [envs.prod.id] });
      for (const confirmName of [undefined, 'gpu-wes']) {
        const error = await errorOf(asAdmin.clusters.rotateToken({ name: 'gpu-west', confirmName }));
        expect(error.code).toBe('BAD_REQUEST');
        expect(fieldErrorsOf(error).confirmName?.[0]).toMatch(/production cluster: type its name/);
      }
      const tokens = await h.store.db.select().from(tables().clusterTokens);
      expect(tokens).toEqual([expect.objectContaining({ tokenHash: hashClusterToken(first.token), revokedAt: null })]);
      expect(cuts).toEqual([]);

      const rotated = await asAdmin.clusters.rotateToken({ name: 'gpu-west', confirmName: 'gpu-west' });
      expect(rotated.token).not.toBe(first.token);
    });

    it('when the cluster does not exist, then NOT_FOUND and nothing is cut', async () => {
      expect((await errorOf(asAdmin.clusters.rotateToken({ name: 'nope' }))).code).toBe('NOT_FOUND');
      expect(cuts).toEqual([]);
      expect(events).toEqual([]);
    });
  });

  describe('detach', () => {
    it('when the typed name does not match, then a field error on confirmName and nothing changes', async () => {
      await attach();
      const error = await errorOf(asAdmin.clusters.detach({ name: 'gpu-west', confirmName: 'gpu-wes' }));
      expect(fieldErrorsOf(error).confirmName?.[0]).toMatch(/Type the cluster name/);
      await onlyCluster();
    });

    it('when workspaces remain, then refused naming them', async () => {
      await attach();
      const clusterId = (await onlyCluster()).id;
      await write((tx) =>
        tx.insert(tables().workspaces).values([
          { clusterId, name: 'team-a-dev', environmentId: envs.dev.id },
          { clusterId, name: 'team-b-dev', environmentId: envs.dev.id },
        ]),
      );
      const error = await errorOf(asAdmin.clusters.detach({ name: 'gpu-west', confirmName: 'gpu-west' }));
      expect(error.code).toBe('PRECONDITION_FAILED');
      expect(error.message).toContain('team-a-dev, team-b-dev');
      expect(fieldErrorsOf(error).workspaces).toEqual(['team-a-dev', 'team-b-dev']);
      expect(cuts).toEqual([]);
      await onlyCluster();
    });

    it('removes the cluster and what belongs to it, keeps the audit trail, and cuts the agent session', async () => {
      await attach();
      const clusterId = (await onlyCluster()).id;
      await write(async (tx) => {
        await tx.insert(tables().clusterNodes).values({ clusterId, name: 'n1', ready: true });
        await tx.insert(tables().clusterReports).values({ clusterId });
      });
      await expect(asAdmin.clusters.detach({ name: 'gpu-west', confirmName: 'gpu-west' })).resolves.toEqual({ detached: 'gpu-west' });
      expect(await h.store.db.select().from(tables().clusters)).toHaveLength(0);
      expect(await h.store.db.select().from(tables().clusterTokens)).toHaveLength(0);
      expect(await h.store.db.select().from(tables().clusterNodes)).toHaveLength(0);
      expect(cuts).toEqual([{ clusterId, reason: 'cluster detached' }]);
      expect(events.at(-1)).toEqual({ type: 'cluster.changed', clusterIds: [clusterId] });
      const rows = await auditRows();
      expect(rows.map((e) => e.action)).toEqual(['cluster.attach', 'cluster.detach']);
      expect(rows[1]?.before).toMatchObject({ name: 'gpu-west', environments: ['dev'] });
      expect(rows[1]?.after).toBeNull();
      // The name is free again.
      await expect(attach()).resolves.toMatchObject({ cluster: { name: 'gpu-west' } });
    });
  });

  describe('updateEnvironments', () => {
    it('adds and removes environments with one audit row', async () => {
      await attach();
      await expect(asAdmin.clusters.updateEnvironments({ name: 'gpu-west', environmentIds: [envs.prod.id] })).resolves.toEqual({ changed: true });
      const detail = await asAdmin.clusters.get({ name: 'gpu-west' });
      expect(detail.environments.map((e) => e.name)).toEqual(['prod']);
      const audit = (await auditRows()).filter((e) => e.action === 'cluster.environments.update');
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({ before: { environments: ['dev'] }, after: { environments: ['prod'] } });
      expect(events).toEqual([
        { type: 'cluster.changed', clusterIds: [detail.cluster.id] },
        { type: 'cluster.changed', clusterIds: [detail.cluster.id] },
      ]);
    });

    it('refuses removing an environment a workspace of this cluster uses, naming the workspace', async () => {
      await attach({ environmentIds: [envs.dev.id, envs.prod.id] });
      const clusterId = (await onlyCluster()).id;
      await write((tx) => tx.insert(tables().workspaces).values({ clusterId, name: 'team-a-dev', environmentId: envs.dev.id }));
      const error = await errorOf(asAdmin.clusters.updateEnvironments({ name: 'gpu-west', environmentIds: [envs.prod.id] }));
      expect(error.code).toBe('PRECONDITION_FAILED');
      expect(fieldErrorsOf(error).environmentIds?.[0]).toContain('"dev" is used by workspace team-a-dev');
      const detail = await asAdmin.clusters.get({ name: 'gpu-west' });
      expect(detail.environments.map((e) => e.name)).toEqual(['dev', 'prod']);
      expect(events).toHaveLength(1);
    });

    it('names at most five blocking workspaces and says how many more', async () => {
      await attach({ environmentIds: [envs.dev.id, envs.prod.id] });
      const clusterId = (await onlyCluster()).id;
      const names = Array.from({ length: 8 }, (_, i) => `team-${i}`);
      await write((tx) => tx.insert(tables().workspaces).values(names.map((name) => ({ clusterId, name, environmentId: envs.dev.id }))));
      const error = await errorOf(asAdmin.clusters.updateEnvironments({ name: 'gpu-west', environmentIds: [envs.prod.id] }));
      expect(fieldErrorsOf(error).environmentIds?.[0]).toContain('"dev" is used by workspaces team-0, team-1, team-2, team-3, team-4 and 3 more.');
    });

    it('writes nothing and publishes nothing when nothing changes', async () => {
      await attach();
      await expect(asAdmin.clusters.updateEnvironments({ name: 'gpu-west', environmentIds: [envs.dev.id] })).resolves.toEqual({ changed: false });
      expect(await auditRows()).toHaveLength(1);
      expect(events).toHaveLength(1);
    });
  });

  describe('updateAddons, get and attachStatus', () => {
    /** What the gateway would have written after a snapshot. */
    async function reportSnapshot(clusterId: number) {
      await write(async (tx) => {
        await tx
          .update(tables().clusters)
          .set({ status: 'connected', connectedAt: new Date(), lastSeenAt: new Date(), agentVersion: '0.3.0', kubernetesVersion: 'v1.30.2', nodeCount: 4, readyNodeCount: 3, gpuCount: 16 })
          .where(eq(tables().clusters.id, clusterId));
        await tx.insert(tables().clusterReports).values({
          clusterId,
          snapshotAt: new Date(),
          components: [{ id: 'gpu-operator', managedByFleetdeck: false, evidence: 'namespace gpu-operator' }],
          preflight: [{ id: 'kubernetes-version', status: 'pass', detail: 'v1.30.2' }],
        });
      });
    }

    it('shows desired against reported: a provider-run GPU Operator turned on is a conflict and degrades the cluster', async () => {
      await attach();
      const cluster = await onlyCluster();
      await reportSnapshot(cluster.id);

      let detail = await asAdmin.clusters.get({ name: 'gpu-west' });
      expect(detail.addons.find((a) => a.addonId === 'gpu-operator')).toMatchObject({ state: 'provider-managed', enabled: false, defaultEnabled: false });
      expect(detail.prerequisites.find((p) => p.id === 'kubernetes-version')?.status).toBe('pass');

      await asAdmin.clusters.updateAddons({ name: 'gpu-west', addons: { 'gpu-operator': true } });
      detail = await asAdmin.clusters.get({ name: 'gpu-west' });
      expect(detail.addons.find((a) => a.addonId === 'gpu-operator')?.state).toBe('conflict');
      expect(detail.cluster.status).toBe('degraded');
      expect(events.at(-1)).toEqual({ type: 'cluster.changed', clusterIds: [cluster.id] });

      const audit = (await auditRows()).filter((e) => e.action === 'cluster.addons.update');
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({ before: { addons: { 'gpu-operator': false } }, after: { addons: { 'gpu-operator': true } } });
    });

    it('attachStatus has the live panel’s facts only: pending checks before the snapshot, ticked after it', async () => {
      await attach();
      const waiting = await asAdmin.clusters.attachStatus({ name: 'gpu-west' });
      expect(waiting).toMatchObject({ name: 'gpu-west', status: 'awaiting_agent', connectedAt: null, snapshotAt: null, nodeCount: null });
      expect(waiting.prerequisites.filter((p) => p.status !== 'manual').every((p) => p.status === 'pending')).toBe(true);

      await reportSnapshot((await onlyCluster()).id);
      const reported = await asAdmin.clusters.attachStatus({ name: 'gpu-west' });
      expect(reported).toMatchObject({ status: 'connected', agentVersion: '0.3.0', kubernetesVersion: 'v1.30.2', nodeCount: 4, readyNodeCount: 3, gpuCount: 16 });
      expect(reported.connectedAt).toBeInstanceOf(Date);
      expect(reported.snapshotAt).toBeInstanceOf(Date);
      expect(reported.prerequisites.find((p) => p.id === 'kubernetes-version')).toMatchObject({ status: 'pass', findings: ['v1.30.2'] });
      expect(reported).not.toHaveProperty('addons');
      expect(reported).not.toHaveProperty('nodePools');
      expect(reported).not.toHaveProperty('token');
    });

    it('groups reported nodes by pool and GPU type', async () => {
      await attach();
      const clusterId = (await onlyCluster()).id;
      await write((tx) =>
        tx.insert(tables().clusterNodes).values([
          { clusterId, name: 'g1', nodePool: 'h100', gpuType: 'H100', gpuCount: 8, ready: true },
          { clusterId, name: 'g2', nodePool: 'h100', gpuType: 'H100', gpuCount: 8, ready: false },
          { clusterId, name: 'c1', nodePool: 'cpu', gpuType: null, gpuCount: 0, ready: true },
          { clusterId, name: 'x1', nodePool: null, gpuType: null, gpuCount: 0, ready: true },
        ]),
      );
      const { nodePools } = await asAdmin.clusters.get({ name: 'gpu-west' });
      expect(nodePools.map(({ lastSeenAt: _l, ...pool }) => pool)).toEqual([
        { nodePool: 'cpu', gpuType: null, nodeCount: 1, readyCount: 1, gpuCount: 0 },
        { nodePool: 'h100', gpuType: 'H100', nodeCount: 2, readyCount: 1, gpuCount: 16 },
        { nodePool: null, gpuType: null, nodeCount: 1, readyCount: 1, gpuCount: 0 },
      ]);
      expect(nodePools[0]?.lastSeenAt).toBeInstanceOf(Date);
    });

    it('when the cluster does not exist, then NOT_FOUND with a message', async () => {
      // Thunks: a second call made up front would reject unobserved while the first is awaited.
      for (const call of [() => asAdmin.clusters.get({ name: 'nope' }), () => asAdmin.clusters.attachStatus({ name: 'nope' })]) {
        const error = await errorOf(call());
        expect(error.code).toBe('NOT_FOUND');
        expect(error.message).toContain('"nope"');
      }
    });
  });

  describe('list, facets and overview', () => {
    async function seedFleet() {
      const specs = [
        { name: 'eks-prod-1', provider: 'aws-eks', region: 'us-east-1', env: envs.prod.id },
        { name: 'gke-dev-1', provider: 'gcp-gke', region: 'us-central1', env: envs.dev.id },
        { name: 'cw-prod-1', provider: 'coreweave-cks', region: 'US-EAST-04', env: envs.prod.id },
        { name: 'lambda-dev-1', provider: 'lambda-mk8s', region: 'us-east-1', env: envs.dev.id },
      ] as const;
      for (const spec of specs) {
        await asAdmin.clusters.attach({ name: spec.name, provider: spec.provider, region: spec.region, environmentIds: [spec.env] });
      }
      const { clusters } = tables();
      await write(async (tx) => {
        await tx.update(clusters).set({ status: 'connected', nodeCount: 10, gpuCount: 16, kubernetesVersion: 'v1.9.0' }).where(eq(clusters.name, 'eks-prod-1'));
        await tx
          .update(clusters)
          .set({ status: 'disconnected', nodeCount: 3, gpuCount: 0, kubernetesVersion: 'v1.30.1', lastSeenAt: new Date(1_000_000) })
          .where(eq(clusters.name, 'cw-prod-1'));
        await tx
          .update(clusters)
          .set({ status: 'degraded', nodeCount: 5, gpuCount: 8, kubernetesVersion: 'v1.28.3', statusReasons: ['2 GPU nodes lack labels'] })
          .where(eq(clusters.name, 'gke-dev-1'));
      });
    }

    it('filters by environment, provider, status and region, and searches by name', async () => {
      await seedFleet();
      const names = async (input: Parameters<RouterHarness['asAdmin']['clusters']['list']>[0]) =>
        (await h.asAdmin.clusters.list(input)).rows.map((r) => r.name);
      expect(await names({ environments: ['prod'] })).toEqual(['cw-prod-1', 'eks-prod-1']);
      expect(await names({ providers: ['aws-eks', 'lambda-mk8s'] })).toEqual(['eks-prod-1', 'lambda-dev-1']);
      expect(await names({ statuses: ['awaiting_agent'] })).toEqual(['lambda-dev-1']);
      expect(await names({ regions: ['us-east-1'] })).toEqual(['eks-prod-1', 'lambda-dev-1']);
      expect(await names({ search: 'PROD' })).toEqual(['cw-prod-1', 'eks-prod-1']);
      expect(await names({ search: '-dev-' })).toEqual(['gke-dev-1', 'lambda-dev-1']);
      // LIKE's wildcards are taken literally.
      expect(await names({ search: '%' })).toEqual([]);
      expect(await names({ search: 'e_s' })).toEqual([]);
      expect(await names({ search: '\\' })).toEqual([]);
      expect(await names({ environments: ['dev'], search: 'gke' })).toEqual(['gke-dev-1']);
    });

    it('sorts by any column, with not-yet-reported values last', async () => {
      await seedFleet();
      const sorted = async (sort: 'nodeCount' | 'kubernetesVersion' | 'status' | 'environments' | 'lastSeenAt', direction: 'asc' | 'desc') =>
        (await asAdmin.clusters.list({ sort, direction })).rows.map((r) => r.name);
      expect(await sorted('nodeCount', 'desc')).toEqual(['eks-prod-1', 'gke-dev-1', 'cw-prod-1', 'lambda-dev-1']);
      expect(await sorted('nodeCount', 'asc')).toEqual(['cw-prod-1', 'gke-dev-1', 'eks-prod-1', 'lambda-dev-1']);
      expect(await sorted('kubernetesVersion', 'asc')).toEqual(['eks-prod-1', 'gke-dev-1', 'cw-prod-1', 'lambda-dev-1']);
      expect(await sorted('kubernetesVersion', 'desc')).toEqual(['cw-prod-1', 'gke-dev-1', 'eks-prod-1', 'lambda-dev-1']);
      expect(await sorted('status', 'asc')).toEqual(['cw-prod-1', 'gke-dev-1', 'lambda-dev-1', 'eks-prod-1']);
      expect(await sorted('environments', 'asc')).toEqual(['gke-dev-1', 'lambda-dev-1', 'cw-prod-1', 'eks-prod-1']);
      expect((await sorted('lastSeenAt', 'desc'))[0]).toBe('cw-prod-1');
    });

    it('pages on the server and returns environment chips and "not reported" as null', async () => {
      await seedFleet();
      const page2 = await asAdmin.clusters.list({ pageSize: 3, page: 2 });
      expect(page2).toMatchObject({ total: 4, page: 2, pageCount: 2 });
      expect(page2.rows).toHaveLength(1);
      const lambda = page2.rows[0]!;
      expect(lambda).toMatchObject({ name: 'lambda-dev-1', nodeCount: null, kubernetesVersion: null, status: 'awaiting_agent' });
      expect(lambda.environments).toEqual([{ id: envs.dev.id, name: 'dev', color: '#22c55e', isProduction: false }]);
      // A page past the end clamps to the last one rather than showing an empty table.
      expect((await asAdmin.clusters.list({ pageSize: 3, page: 9 })).page).toBe(2);
    });

    it('counts facets and puts clusters needing attention first on the overview', async () => {
      await seedFleet();
      const facets = await h.asAdmin.clusters.facets();
      expect(facets.total).toBe(4);
      expect(facets.environments.map((e) => [e.name, e.count])).toEqual([['dev', 2], ['prod', 2]]);
      expect(facets.regions).toEqual([{ value: 'US-EAST-04', count: 1 }, { value: 'us-central1', count: 1 }, { value: 'us-east-1', count: 2 }]);
      expect(facets.statuses.map((s) => s.value)).toEqual(['disconnected', 'degraded', 'awaiting_agent', 'connected']);

      const overview = await h.asAdmin.clusters.overview();
      expect(overview.totals).toEqual({ clusters: 4, nodes: 18, readyNodes: 0, gpus: 24 });
      expect(overview.byStatus).toEqual([
        { status: 'awaiting_agent', count: 1 },
        { status: 'connected', count: 1 },
        { status: 'degraded', count: 1 },
        { status: 'disconnected', count: 1 },
      ]);
      expect(overview.byProvider.find((p) => p.provider === 'aws-eks')?.count).toBe(1);
      expect(overview.byEnvironment.map((e) => [e.name, e.count])).toEqual([['dev', 2], ['prod', 2]]);
      expect(overview.needingAttention.map((c) => c.name)).toEqual(['cw-prod-1', 'gke-dev-1', 'lambda-dev-1']);
      expect(overview.needingAttention[0]?.environments.map((e) => e.name)).toEqual(['prod']);
      expect(overview.needingAttentionTotal).toBe(3);
    });
  });

  describe('onChange', () => {
    it('yields at once, then the changed cluster for cluster and agent session events, ignoring other clusters when one is named', async () => {
      const { cluster } = await attach();
      const { cluster: other } = await attach({ name: 'other-cluster' });
      const feed = (await h.asAdmin.clusters.onChange({ name: 'gpu-west' }))[Symbol.asyncIterator]();
      try {
        await expect(feed.next()).resolves.toMatchObject({ done: false, value: { clusterIds: [cluster.id] } });
        h.cp.bus.publish({ type: 'cluster.changed', clusterIds: [other.id] });
        h.cp.bus.publish({ type: 'agent.sessionOpened', clusterId: other.id });
        h.cp.bus.publish({ type: 'agent.sessionReady', clusterId: cluster.id });
        const next = await feed.next();
        expect(next).toEqual({ done: false, value: { clusterIds: [cluster.id], at: expect.any(Number) } });
        h.cp.bus.publish({ type: 'cluster.changed', clusterIds: [other.id, cluster.id] });
        await expect(feed.next()).resolves.toMatchObject({ value: { clusterIds: [cluster.id] } });
      } finally {
        await feed.return?.(undefined);
      }
    });

    it('without a name, yields every cluster changed, including by a mutation', async () => {
      const feed = (await h.asAdmin.clusters.onChange())[Symbol.asyncIterator]();
      try {
        await expect(feed.next()).resolves.toMatchObject({ value: { clusterIds: [] } });
        h.cp.bus.publish({ type: 'agent.sessionClosed', clusterId: 41, reason: 'gone' });
        await expect(feed.next()).resolves.toMatchObject({ value: { clusterIds: [41] } });
        const { cluster } = await attach();
        await expect(feed.next()).resolves.toMatchObject({ value: { clusterIds: [cluster.id] } });
      } finally {
        await feed.return?.(undefined);
      }
    });

    it('stops listening when the consumer stops', async () => {
      let listening = 0;
      const bus: EventBus = {
        publish: (event) => h.cp.bus.publish(event),
        subscribe(type, handler) {
          listening++;
          const unsubscribe = h.cp.bus.subscribe(type, handler);
          return () => {
            listening--;
            unsubscribe();
          };
        },
      };
      const feed = (await callerFor({ ...h.cp, bus }, h.member).clusters.onChange())[Symbol.asyncIterator]();
      await feed.next();
      expect(listening).toBeGreaterThan(0);
      await feed.return!(undefined);
      expect(listening).toBe(0);
      await expect(feed.next()).resolves.toEqual({ done: true, value: undefined });
    });

    it('refuses a cluster that does not exist, and a caller who is not signed in', async () => {
      const unknown = (await h.asAdmin.clusters.onChange({ name: 'nope' }))[Symbol.asyncIterator]();
      await expect(unknown.next()).rejects.toMatchObject({ code: 'NOT_FOUND' });
      expect((await errorOf(h.anonymous.clusters.onChange())).code).toBe('UNAUTHORIZED');
    });
  });

  describe('audit trail of one cluster', () => {
    it('lists this cluster’s events newest first, for admins only', async () => {
      const { cluster } = await attach();
      await attach({ name: 'other-cluster' });
      await asAdmin.clusters.rotateToken({ name: 'gpu-west' });
      const trail = await asAdmin.audit.list({ targetType: 'cluster', targetId: String(cluster.id) });
      expect(trail.events.map((e) => e.action)).toEqual(['cluster.token.rotate', 'cluster.attach']);
      expect((await errorOf(h.asMember.audit.list({ targetType: 'cluster', targetId: String(cluster.id) }))).code).toBe('FORBIDDEN');
    });
  });
});

describe('clusters router on a live gateway', () => {
  it('rotating the token closes the agent’s session with the "revoked" close code', async () => {
    const g = await startGateway();
    try {
      const admin = callerFor(g.cp, await insertUser(g.store, 'admin'));
      const { environments } = g.store.tables;
      const [env] = await g.store.transaction((tx) => tx.insert(environments).values({ name: 'dev', color: '#22c55e' }).returning());
      const { token, cluster } = await admin.clusters.attach({ name: 'gpu-west', provider: 'generic', region: 'lab-1', environmentIds: [env!.id] });
      const agent = await ProtocolClient.connect(g.baseUrl, token);
      await agent.hello();
      expect(g.gateway.isConnected(cluster.id)).toBe(true);

      await admin.clusters.rotateToken({ name: 'gpu-west' });
      await expect(agent.closed).resolves.toEqual({ code: CLOSE_CODES.revoked, reason: 'cluster token rotated' });
    } finally {
      await g.close();
    }
  });
});
