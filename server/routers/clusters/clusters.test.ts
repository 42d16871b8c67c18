import { TRPCError } from '@trpc/server';
import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '@/db/client';
import { auditEvents, clusterNodes, clusterReports, clusters, clusterTokens, environments, workspaces } from '@/db/schema';
import { CLOSE_CODES } from '@/lib/agent-protocol';
import { gatewayState } from '@/server/agent-gateway/client';
import type { AgentSessionHandle } from '@/server/agent-gateway/registry';
import { hashClusterToken } from '@/server/services/cluster-token';
import { setAgentSessionCutter } from '@/server/services/clusters/agent-sessions';
import { routerHarness } from '@/testing/router-harness';

type Harness = ReturnType<typeof routerHarness>;

function seedEnvironments(db: Db) {
  const [dev, prod] = ['dev', 'prod'].map((name) =>
    db.insert(environments).values({ name, color: name === 'prod' ? '#ef4444' : '#22c55e', isProduction: name === 'prod' }).returning().get(),
  );
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

function rowCounts(db: Db) {
  const n = (table: string) => db.get<{ n: number }>(sql.raw(`select count(*) as n from ${table}`))?.n ?? 0;
  return {
    clusters: n('clusters'),
    clusterEnvironments: n('cluster_environments'),
    clusterTokens: n('cluster_tokens'),
    auditEvents: n('audit_events'),
  };
}

/** Every text cell of every table, to prove a secret is stored nowhere. */
function everyStoredValue(db: Db): string {
  const tables = db.all<{ name: string }>(sql`select name from sqlite_master where type = 'table'`);
  return tables.map((table) => JSON.stringify(db.all(sql.raw(`select * from "${table.name}"`)))).join('\n');
}

describe('clusters router', () => {
  let h: Harness;
  let envs: ReturnType<typeof seedEnvironments>;
  let cuts: { clusterId: number; reason: string }[];

  beforeEach(() => {
    h = routerHarness();
    envs = seedEnvironments(h.db);
    cuts = [];
    setAgentSessionCutter((clusterId, reason) => cuts.push({ clusterId, reason }));
  });
  afterEach(() => setAgentSessionCutter(undefined));

  const attach = (overrides: Record<string, unknown> = {}) =>
    h.asAdmin.clusters.attach({
      name: 'gpu-west',
      provider: 'coreweave-cks',
      region: 'US-EAST-04',
      environmentIds: [envs.dev.id],
      ...overrides,
    });

  describe('attach', () => {
    it('when valid, then creates an Awaiting agent cluster with provider-default addons and returns the token once', async () => {
      const result = await attach();
      expect(result.cluster).toMatchObject({ name: 'gpu-west', status: 'awaiting_agent' });
      expect(result.token).toMatch(/^fdct_[A-Za-z0-9_-]{43}$/);
      expect(result.token.startsWith(result.tokenPrefix)).toBe(true);

      const stored = h.db.select().from(clusters).get();
      expect(stored).toMatchObject({ status: 'awaiting_agent', prometheusUrl: 'http://prometheus-operated.prometheus.svc.cluster.local:9090' });
      expect(stored?.addons['gpu-operator']).toBe(false);
      expect(stored?.addons).not.toHaveProperty('karpenter');

      const token = h.db.select().from(clusterTokens).get();
      expect(token?.tokenHash).toBe(hashClusterToken(result.token));
    });

    it('returns install commands: only the Secret command carries the token; helm names the cluster, URL, tenant and Secret', async () => {
      const previous = process.env.FLEETDECK_PUBLIC_URL;
      delete process.env.FLEETDECK_PUBLIC_URL;
      try {
        const { install, token } = await attach();
        const byId = Object.fromEntries(install.commands.map((c) => [c.id, c.command]));
        expect(Object.keys(byId)).toEqual(['secret', 'helm', 'manifest', 'local']);
        expect(byId.secret).toContain(token);
        expect(byId.secret).toContain(install.secretName);
        expect(byId.helm).toContain('helm upgrade --install');
        for (const fact of ['http://fleetdeck.test', 'clusterName=gpu-west', 'tenantName=default', install.secretName]) {
          expect(byId.helm).toContain(fact);
        }
        expect(byId.local).toContain(`FLEETDECK_CLUSTER_TOKEN=${token} npm run agent -- --control-plane-url http://fleetdeck.test`);
        for (const id of ['helm', 'manifest']) expect(byId[id]).not.toContain(token);
      } finally {
        if (previous !== undefined) process.env.FLEETDECK_PUBLIC_URL = previous;
      }
    });

    it.each([
      ['ab', 'at least 3'],
      ['Gpu-west', 'start with a lower-case letter'],
      ['gpu_west', 'lower-case letters, digits'],
      ['a'.repeat(36), 'at most 35'],
    ])('when the name is %j, then a field error on name and nothing is written', async (name, message) => {
      const before = rowCounts(h.db);
      const error = await errorOf(attach({ name }));
      expect(error.code).toBe('BAD_REQUEST');
      expect(fieldErrorsOf(error).name?.[0]).toContain(message);
      expect(rowCounts(h.db)).toEqual(before);
    });

    it('when the name is taken, then CONFLICT with a field error on name and nothing more is written', async () => {
      await attach();
      const before = rowCounts(h.db);
      const error = await errorOf(attach({ region: 'US-WEST-01' }));
      expect(error.code).toBe('CONFLICT');
      expect(fieldErrorsOf(error)).toEqual({ name: ['Cluster "gpu-west" already exists'] });
      expect(rowCounts(h.db)).toEqual(before);
    });

    it('when no environment is chosen, then a field error and nothing is written', async () => {
      const error = await errorOf(attach({ environmentIds: [] }));
      expect(fieldErrorsOf(error).environmentIds).toEqual(['Choose at least one environment']);
      expect(rowCounts(h.db)).toEqual({ clusters: 0, clusterEnvironments: 0, clusterTokens: 0, auditEvents: 0 });
    });

    it('when an environment no longer exists, then a field error and nothing is written (the transaction rolls back)', async () => {
      const error = await errorOf(attach({ environmentIds: [envs.dev.id, 9999] }));
      expect(error.code).toBe('BAD_REQUEST');
      expect(fieldErrorsOf(error).environmentIds?.[0]).toMatch(/no longer exists/);
      expect(rowCounts(h.db)).toEqual({ clusters: 0, clusterEnvironments: 0, clusterTokens: 0, auditEvents: 0 });
    });

    it('when an EKS-only addon is turned on elsewhere, then a field error on addons', async () => {
      const error = await errorOf(attach({ addons: { karpenter: true } }));
      expect(fieldErrorsOf(error).addons?.[0]).toMatch(/karpenter/);
    });

    it('writes exactly one audit row with the settings and no secret', async () => {
      const { token } = await attach();
      const rows = h.db.select().from(auditEvents).all();
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ action: 'cluster.attach', targetType: 'cluster', targetLabel: 'gpu-west', actorLabel: 'admin@example.com', before: null });
      expect(rows[0]?.after).toMatchObject({ name: 'gpu-west', provider: 'coreweave-cks', environments: ['dev'] });
      expect(JSON.stringify(rows)).not.toContain(token);
      expect(JSON.stringify(rows)).not.toContain(hashClusterToken(token));
    });
  });

  describe('secrets', () => {
    it('never stores a token in plain text, and get/list/overview/audit never return the token or its hash', async () => {
      const first = await attach();
      const second = await h.asAdmin.clusters.rotateToken({ name: 'gpu-west' });
      const stored = everyStoredValue(h.db);
      for (const token of [first.token, second.token]) {
        expect(stored).not.toContain(token);
        const hash = hashClusterToken(token);
        const responses = JSON.stringify([
          await h.asAdmin.clusters.get({ name: 'gpu-west' }),
          await h.asAdmin.clusters.list({}),
          await h.asAdmin.clusters.overview(),
          await h.asAdmin.audit.list({ targetType: 'cluster', targetId: String(first.cluster.id) }),
        ]);
        expect(responses).not.toContain(token);
        expect(responses).not.toContain(hash);
      }
      const detail = await h.asAdmin.clusters.get({ name: 'gpu-west' });
      expect(detail.token?.prefix).toBe(second.tokenPrefix);
    });
  });

  describe('permissions', () => {
    it('a member may read but not attach, rotate, detach or change settings', async () => {
      await attach();
      expect((await errorOf(h.asMember.clusters.attach({ name: 'other', provider: 'generic', region: 'x', environmentIds: [envs.dev.id] }))).code).toBe('FORBIDDEN');
      expect((await errorOf(h.asMember.clusters.rotateToken({ name: 'gpu-west' }))).code).toBe('FORBIDDEN');
      expect((await errorOf(h.asMember.clusters.detach({ name: 'gpu-west', confirmName: 'gpu-west' }))).code).toBe('FORBIDDEN');
      expect((await errorOf(h.asMember.clusters.updateAddons({ name: 'gpu-west', addons: { keda: true } }))).code).toBe('FORBIDDEN');
      expect((await errorOf(h.asMember.clusters.updateEnvironments({ name: 'gpu-west', environmentIds: [envs.prod.id] }))).code).toBe('FORBIDDEN');
      await expect(h.asMember.clusters.list({})).resolves.toMatchObject({ total: 1 });
      await expect(h.asMember.clusters.get({ name: 'gpu-west' })).resolves.toMatchObject({ cluster: { name: 'gpu-west' } });
      expect((await errorOf(h.anonymous.clusters.list({}))).code).toBe('UNAUTHORIZED');
      expect(h.db.select().from(clusterTokens).all()).toHaveLength(1);
    });
  });

  describe('rotateToken', () => {
    it('revokes the old token at once, stores the new hash, cuts the agent session and audits prefixes only', async () => {
      const first = await attach();
      const rotated = await h.asAdmin.clusters.rotateToken({ name: 'gpu-west' });
      expect(rotated.token).not.toBe(first.token);
      expect(rotated.install.commands.find((c) => c.id === 'secret')?.command).toContain(rotated.token);

      const tokens = h.db.select().from(clusterTokens).all();
      expect(tokens.find((t) => t.tokenHash === hashClusterToken(first.token))?.revokedAt).toBeInstanceOf(Date);
      expect(tokens.find((t) => t.tokenHash === hashClusterToken(rotated.token))?.revokedAt).toBeNull();

      const clusterId = h.db.select().from(clusters).get()?.id;
      expect(cuts).toEqual([{ clusterId, reason: 'cluster token rotated' }]);

      const audit = h.db.select().from(auditEvents).all().filter((e) => e.action === 'cluster.token.rotate');
      expect(audit).toHaveLength(1);
      expect(audit[0]?.before).toEqual({ tokenPrefixes: [first.tokenPrefix] });
      expect(audit[0]?.after).toEqual({ tokenPrefix: rotated.tokenPrefix });
    });

    it('when the cluster does not exist, then NOT_FOUND', async () => {
      expect((await errorOf(h.asAdmin.clusters.rotateToken({ name: 'nope' }))).code).toBe('NOT_FOUND');
    });

    it('closes the live session through the real gateway with the "revoked" close code', async () => {
      setAgentSessionCutter(undefined);
      await attach();
      const clusterId = h.db.select().from(clusters).get()!.id;
      const closed: { code: number; reason: string }[] = [];
      const session: AgentSessionHandle = {
        clusterId,
        clusterName: 'gpu-west',
        ready: true,
        request: () => Promise.resolve(null),
        close: (code, reason) => void closed.push({ code, reason }),
      };
      gatewayState().registry.claim(session);
      try {
        await h.asAdmin.clusters.rotateToken({ name: 'gpu-west' });
        expect(closed).toEqual([{ code: CLOSE_CODES.revoked, reason: 'cluster token rotated' }]);
      } finally {
        gatewayState().registry.release(session);
      }
    });
  });

  describe('detach', () => {
    it('when the typed name does not match, then a field error on confirmName and nothing changes', async () => {
      await attach();
      const error = await errorOf(h.asAdmin.clusters.detach({ name: 'gpu-west', confirmName: 'gpu-wes' }));
      expect(fieldErrorsOf(error).confirmName?.[0]).toMatch(/Type the cluster name/);
      expect(h.db.select().from(clusters).all()).toHaveLength(1);
    });

    it('when workspaces remain, then refused naming them', async () => {
      await attach();
      const clusterId = h.db.select().from(clusters).get()!.id;
      h.db.insert(workspaces).values([
        { clusterId, name: 'team-a-dev', environmentId: envs.dev.id },
        { clusterId, name: 'team-b-dev', environmentId: envs.dev.id },
      ]).run();
      const error = await errorOf(h.asAdmin.clusters.detach({ name: 'gpu-west', confirmName: 'gpu-west' }));
      expect(error.code).toBe('PRECONDITION_FAILED');
      expect(error.message).toContain('team-a-dev, team-b-dev');
      expect(fieldErrorsOf(error).workspaces).toEqual(['team-a-dev', 'team-b-dev']);
      expect(cuts).toEqual([]);
      expect(h.db.select().from(clusters).all()).toHaveLength(1);
    });

    it('removes the cluster and what belongs to it, keeps the audit trail, and cuts the agent session', async () => {
      await attach();
      const clusterId = h.db.select().from(clusters).get()!.id;
      h.db.insert(clusterNodes).values({ clusterId, name: 'n1', ready: true }).run();
      h.db.insert(clusterReports).values({ clusterId }).run();
      await expect(h.asAdmin.clusters.detach({ name: 'gpu-west', confirmName: 'gpu-west' })).resolves.toEqual({ detached: 'gpu-west' });
      expect(h.db.select().from(clusters).all()).toHaveLength(0);
      expect(h.db.select().from(clusterTokens).all()).toHaveLength(0);
      expect(h.db.select().from(clusterNodes).all()).toHaveLength(0);
      expect(cuts).toEqual([{ clusterId, reason: 'cluster detached' }]);
      const actions = h.db.select().from(auditEvents).all().map((e) => e.action);
      expect(actions).toEqual(['cluster.attach', 'cluster.detach']);
      const detachRow = h.db.select().from(auditEvents).all()[1];
      expect(detachRow?.before).toMatchObject({ name: 'gpu-west', environments: ['dev'] });
      expect(detachRow?.after).toBeNull();
      // The name is free again.
      await expect(attach()).resolves.toMatchObject({ cluster: { name: 'gpu-west' } });
    });
  });

  describe('updateEnvironments', () => {
    it('adds and removes environments with one audit row', async () => {
      await attach();
      await expect(h.asAdmin.clusters.updateEnvironments({ name: 'gpu-west', environmentIds: [envs.prod.id] })).resolves.toEqual({ changed: true });
      const detail = await h.asAdmin.clusters.get({ name: 'gpu-west' });
      expect(detail.environments.map((e) => e.name)).toEqual(['prod']);
      const audit = h.db.select().from(auditEvents).all().filter((e) => e.action === 'cluster.environments.update');
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({ before: { environments: ['dev'] }, after: { environments: ['prod'] } });
    });

    it('refuses removing an environment a workspace of this cluster uses, naming the workspace', async () => {
      await attach({ environmentIds: [envs.dev.id, envs.prod.id] });
      const clusterId = h.db.select().from(clusters).get()!.id;
      h.db.insert(workspaces).values({ clusterId, name: 'team-a-dev', environmentId: envs.dev.id }).run();
      const error = await errorOf(h.asAdmin.clusters.updateEnvironments({ name: 'gpu-west', environmentIds: [envs.prod.id] }));
      expect(error.code).toBe('PRECONDITION_FAILED');
      expect(fieldErrorsOf(error).environmentIds?.[0]).toContain('"dev" is used by workspace team-a-dev');
      const detail = await h.asAdmin.clusters.get({ name: 'gpu-west' });
      expect(detail.environments.map((e) => e.name)).toEqual(['dev', 'prod']);
    });

    it('writes nothing when nothing changes', async () => {
      await attach();
      await expect(h.asAdmin.clusters.updateEnvironments({ name: 'gpu-west', environmentIds: [envs.dev.id] })).resolves.toEqual({ changed: false });
      expect(h.db.select().from(auditEvents).all()).toHaveLength(1);
    });
  });

  describe('updateAddons and get', () => {
    it('shows desired against reported: a provider-run GPU Operator turned on is a conflict and degrades the cluster', async () => {
      await attach();
      const cluster = h.db.select().from(clusters).get()!;
      // What the gateway would have written after a snapshot.
      h.db.update(clusters).set({ status: 'connected', connectedAt: new Date(), lastSeenAt: new Date() }).where(sql`id = ${cluster.id}`).run();
      h.db.insert(clusterReports).values({
        clusterId: cluster.id,
        snapshotAt: new Date(),
        components: [{ id: 'gpu-operator', managedByFleetdeck: false, evidence: 'namespace gpu-operator' }],
        preflight: [{ id: 'kubernetes-version', status: 'pass', detail: 'v1.30.2' }],
      }).run();

      let detail = await h.asAdmin.clusters.get({ name: 'gpu-west' });
      expect(detail.addons.find((a) => a.addonId === 'gpu-operator')).toMatchObject({ state: 'provider-managed', enabled: false, defaultEnabled: false });
      expect(detail.prerequisites.find((p) => p.id === 'kubernetes-version')?.status).toBe('pass');

      await h.asAdmin.clusters.updateAddons({ name: 'gpu-west', addons: { 'gpu-operator': true } });
      detail = await h.asAdmin.clusters.get({ name: 'gpu-west' });
      expect(detail.addons.find((a) => a.addonId === 'gpu-operator')?.state).toBe('conflict');
      expect(detail.cluster.status).toBe('degraded');

      const audit = h.db.select().from(auditEvents).all().filter((e) => e.action === 'cluster.addons.update');
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({ before: { addons: { 'gpu-operator': false } }, after: { addons: { 'gpu-operator': true } } });
    });

    it('groups reported nodes by pool and GPU type', async () => {
      await attach();
      const clusterId = h.db.select().from(clusters).get()!.id;
      h.db.insert(clusterNodes).values([
        { clusterId, name: 'g1', nodePool: 'h100', gpuType: 'H100', gpuCount: 8, ready: true },
        { clusterId, name: 'g2', nodePool: 'h100', gpuType: 'H100', gpuCount: 8, ready: false },
        { clusterId, name: 'c1', nodePool: 'cpu', gpuType: null, gpuCount: 0, ready: true },
        { clusterId, name: 'x1', nodePool: null, gpuType: null, gpuCount: 0, ready: true },
      ]).run();
      const { nodePools } = await h.asAdmin.clusters.get({ name: 'gpu-west' });
      expect(nodePools.map(({ lastSeenAt: _l, ...pool }) => pool)).toEqual([
        { nodePool: 'cpu', gpuType: null, nodeCount: 1, readyCount: 1, gpuCount: 0 },
        { nodePool: 'h100', gpuType: 'H100', nodeCount: 2, readyCount: 1, gpuCount: 16 },
        { nodePool: null, gpuType: null, nodeCount: 1, readyCount: 1, gpuCount: 0 },
      ]);
      expect(nodePools[0]?.lastSeenAt).toBeInstanceOf(Date);
    });

    it('when the cluster does not exist, then NOT_FOUND with a message', async () => {
      const error = await errorOf(h.asAdmin.clusters.get({ name: 'nope' }));
      expect(error.code).toBe('NOT_FOUND');
      expect(error.message).toContain('"nope"');
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
        await h.asAdmin.clusters.attach({ name: spec.name, provider: spec.provider, region: spec.region, environmentIds: [spec.env] });
      }
      h.db.update(clusters).set({ status: 'connected', nodeCount: 10, gpuCount: 16, kubernetesVersion: 'v1.9.0' }).where(sql`name = 'eks-prod-1'`).run();
      h.db.update(clusters).set({ status: 'disconnected', nodeCount: 3, gpuCount: 0, kubernetesVersion: 'v1.30.1', lastSeenAt: new Date(1_000_000) }).where(sql`name = 'cw-prod-1'`).run();
      h.db.update(clusters).set({ status: 'degraded', nodeCount: 5, gpuCount: 8, kubernetesVersion: 'v1.28.3', statusReasons: ['2 GPU nodes lack labels'] }).where(sql`name = 'gke-dev-1'`).run();
    }

    it('filters by environment, provider, status and region, and searches by name', async () => {
      await seedFleet();
      const names = async (input: Parameters<Harness['asAdmin']['clusters']['list']>[0]) =>
        (await h.asMember.clusters.list(input)).rows.map((r) => r.name);
      expect(await names({ environments: ['prod'] })).toEqual(['cw-prod-1', 'eks-prod-1']);
      expect(await names({ providers: ['aws-eks', 'lambda-mk8s'] })).toEqual(['eks-prod-1', 'lambda-dev-1']);
      expect(await names({ statuses: ['awaiting_agent'] })).toEqual(['lambda-dev-1']);
      expect(await names({ regions: ['us-east-1'] })).toEqual(['eks-prod-1', 'lambda-dev-1']);
      expect(await names({ search: 'PROD' })).toEqual(['cw-prod-1', 'eks-prod-1']);
      expect(await names({ search: '%' })).toEqual([]);
      expect(await names({ environments: ['dev'], search: 'gke' })).toEqual(['gke-dev-1']);
    });

    it('sorts by any column, with not-yet-reported values last', async () => {
      await seedFleet();
      const sorted = async (sort: 'nodeCount' | 'kubernetesVersion' | 'status' | 'environments', direction: 'asc' | 'desc') =>
        (await h.asAdmin.clusters.list({ sort, direction })).rows.map((r) => r.name);
      expect(await sorted('nodeCount', 'desc')).toEqual(['eks-prod-1', 'gke-dev-1', 'cw-prod-1', 'lambda-dev-1']);
      expect(await sorted('nodeCount', 'asc')).toEqual(['cw-prod-1', 'gke-dev-1', 'eks-prod-1', 'lambda-dev-1']);
      expect(await sorted('kubernetesVersion', 'asc')).toEqual(['eks-prod-1', 'gke-dev-1', 'cw-prod-1', 'lambda-dev-1']);
      expect(await sorted('status', 'asc')).toEqual(['cw-prod-1', 'gke-dev-1', 'lambda-dev-1', 'eks-prod-1']);
      expect(await sorted('environments', 'asc')).toEqual(['gke-dev-1', 'lambda-dev-1', 'cw-prod-1', 'eks-prod-1']);
    });

    it('pages on the server and returns environment chips and "not reported" as null', async () => {
      await seedFleet();
      const page2 = await h.asAdmin.clusters.list({ pageSize: 3, page: 2 });
      expect(page2).toMatchObject({ total: 4, page: 2, pageCount: 2 });
      expect(page2.rows).toHaveLength(1);
      const lambda = page2.rows[0]!;
      expect(lambda).toMatchObject({ name: 'lambda-dev-1', nodeCount: null, kubernetesVersion: null, status: 'awaiting_agent' });
      expect(lambda.environments).toEqual([{ id: envs.dev.id, name: 'dev', color: '#22c55e', isProduction: false }]);
      // A page past the end clamps to the last one rather than showing an empty table.
      expect((await h.asAdmin.clusters.list({ pageSize: 3, page: 9 })).page).toBe(2);
    });

    it('counts facets and puts clusters needing attention first on the overview', async () => {
      await seedFleet();
      const facets = await h.asMember.clusters.facets();
      expect(facets.total).toBe(4);
      expect(facets.environments.map((e) => [e.name, e.count])).toEqual([['dev', 2], ['prod', 2]]);
      expect(facets.regions).toEqual([{ value: 'US-EAST-04', count: 1 }, { value: 'us-central1', count: 1 }, { value: 'us-east-1', count: 2 }]);

      const overview = await h.asMember.clusters.overview();
      expect(overview.totals).toMatchObject({ clusters: 4, nodes: 18, gpus: 24 });
      expect(overview.byStatus).toEqual([
        { status: 'awaiting_agent', count: 1 },
        { status: 'connected', count: 1 },
        { status: 'degraded', count: 1 },
        { status: 'disconnected', count: 1 },
      ]);
      expect(overview.byProvider.find((p) => p.provider === 'aws-eks')?.count).toBe(1);
      expect(overview.needingAttention.map((c) => c.name)).toEqual(['cw-prod-1', 'gke-dev-1', 'lambda-dev-1']);
      expect(overview.needingAttentionTotal).toBe(3);
    });
  });

  describe('audit trail of one cluster', () => {
    it('lists this cluster’s events newest first, for admins only', async () => {
      const { cluster } = await attach();
      await attach({ name: 'other-cluster' });
      await h.asAdmin.clusters.rotateToken({ name: 'gpu-west' });
      const trail = await h.asAdmin.audit.list({ targetType: 'cluster', targetId: String(cluster.id) });
      expect(trail.events.map((e) => e.action)).toEqual(['cluster.token.rotate', 'cluster.attach']);
      expect((await errorOf(h.asMember.audit.list({ targetType: 'cluster', targetId: String(cluster.id) }))).code).toBe('FORBIDDEN');
    });
  });
});
