/**
 * Workspaces reconciled into a cluster, end to end: desired state in the store, the
 * reconciler, the real gateway, the real agent, a fake Kubernetes API server, and back
 * (sync state, drift, quota use) through the agent's reports.
 */
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { V1Namespace, V1ResourceQuota } from '@kubernetes/client-node';
import { startAgent, type AgentHandle } from '@/agent/agent';
import {
  ENVIRONMENT_LABEL,
  FQN_ANNOTATION,
  FQN_LABEL,
  MANAGED_BY_LABEL,
  QUOTA_NAME,
  TOLERATIONS_ANNOTATION,
  type Toleration,
  type WorkspaceQuota,
} from '@/lib/workspaces';
import type { Store } from '@/server/store';
import { FakeKubeApi } from '@/testing/fake-kube-api';
import { insertCluster, restartableStore, startGateway, type GatewayHarness, type RestartableStore } from '@/testing/gateway-fixtures';
import { callerFor, insertUser } from '@/testing/router-harness';
import { waitFor } from '@/testing/wait-for';

let h: GatewayHarness;
let kube: FakeKubeApi;
let agents: AgentHandle[];
let database: RestartableStore | undefined;

const gatewayOptions = { heartbeat: { intervalMs: 200, timeoutMs: 1_000, sweepMs: 100 } };

beforeEach(async () => {
  agents = [];
  database = undefined;
  h = await startGateway(gatewayOptions);
  kube = await new FakeKubeApi().start();
});

afterEach(async () => {
  await Promise.all(agents.map((agent) => agent.stop()));
  await h.close();
  await kube.stop();
  await database?.dispose();
});

function runAgent(token: string): AgentHandle {
  const agent = startAgent({
    controlPlaneUrl: h.baseUrl,
    token,
    kubeconfigPath: kube.kubeconfigFile(),
    registryHosts: [],
    logWrite: () => undefined,
    reconnect: { baseMs: 50, capMs: 300 },
    deltaCoalesceMs: 20,
  });
  agents.push(agent);
  return agent;
}

let envSeq = 0;
async function insertEnvironment(store: Store, name = `dev${++envSeq}`): Promise<{ id: number; name: string }> {
  const { environments } = store.tables;
  const [row] = await store.transaction((tx) => tx.insert(environments).values({ name, color: '#22c55e' }).returning({ id: environments.id, name: environments.name }));
  if (!row) throw new Error('no environment row');
  return row;
}

interface WorkspaceDraft {
  clusterId: number;
  environmentId: number;
  name: string;
  labels?: Record<string, string>;
  tolerations?: Toleration[];
  quota?: WorkspaceQuota | null;
}

/** What the workspace service does: store the desired state first, then announce it. */
async function createWorkspace(draft: WorkspaceDraft): Promise<number> {
  const { workspaces } = h.store.tables;
  const [row] = await h.store.transaction((tx) =>
    tx
      .insert(workspaces)
      .values({ labels: {}, tolerations: [], quota: null, ...draft })
      .returning({ id: workspaces.id }),
  );
  if (!row) throw new Error('no workspace row');
  h.cp.bus.publish({ type: 'workspace.changed', clusterId: draft.clusterId, workspaceIds: [row.id] });
  return row.id;
}

/** What Re-apply does: a new generation of the same desired state, Pending. */
async function reapply(id: number, clusterId: number): Promise<void> {
  const row = await workspace(id);
  const { workspaces } = h.store.tables;
  await h.store.transaction((tx) =>
    tx
      .update(workspaces)
      .set({ desiredGeneration: (row?.desiredGeneration ?? 0) + 1, syncState: 'pending', syncError: null })
      .where(eq(workspaces.id, id)),
  );
  h.cp.bus.publish({ type: 'workspace.changed', clusterId, workspaceIds: [id] });
}

async function workspace(id: number) {
  const { workspaces } = h.store.tables;
  const [row] = await h.store.db.select().from(workspaces).where(eq(workspaces.id, id));
  return row;
}

const namespace = (name: string) => kube.get<V1Namespace>('namespaces', name);
const quota = (name: string) => kube.get<V1ResourceQuota>('resourcequotas', QUOTA_NAME, name);

async function waitForState(id: number, state: string, timeoutMs = 8_000) {
  return waitFor(async () => {
    const row = await workspace(id);
    return row?.syncState === state ? row : undefined;
  }, timeoutMs, `workspace ${id} to be ${state}`);
}

describe('workspaces reconciled through the agent', () => {
  it('creating a workspace creates the namespace with Fleetdeck’s labels, annotations and quota, and reports quota use', async () => {
    const { clusterId, token } = await insertCluster(h.store, { name: 'gpu-west' });
    const env = await insertEnvironment(h.store);
    runAgent(token);
    const tolerations: Toleration[] = [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }];
    const id = await createWorkspace({
      clusterId,
      environmentId: env.id,
      name: 'team-a-dev',
      labels: { team: 'a' },
      tolerations,
      quota: { cpu: '8', memory: '32Gi', gpus: 2 },
    });

    const synced = await waitForState(id, 'synced');
    expect(synced).toMatchObject({ appliedGeneration: 1, desiredGeneration: 1, syncError: null, drift: null });
    expect(synced.syncedAt).toBeInstanceOf(Date);

    const ns = namespace('team-a-dev');
    expect(ns?.metadata?.labels).toMatchObject({
      [MANAGED_BY_LABEL]: 'fleetdeck',
      [ENVIRONMENT_LABEL]: env.name,
      [FQN_LABEL]: 'gpu-west.team-a-dev',
      team: 'a',
    });
    expect(ns?.metadata?.annotations?.[FQN_ANNOTATION]).toBe('gpu-west:team-a-dev');
    expect(JSON.parse(ns?.metadata?.annotations?.[TOLERATIONS_ANNOTATION] ?? 'null')).toEqual(tolerations);
    expect(quota('team-a-dev')?.spec?.hard).toEqual({ cpu: '8', memory: '32Gi', 'requests.nvidia.com/gpu': '2' });

    // The quota controller counts pods: the figures reach the workspace through the agent's report.
    kube.setQuotaUsed('team-a-dev', QUOTA_NAME, { cpu: '3', 'requests.nvidia.com/gpu': '1' });
    const withUse = await waitFor(async () => {
      const row = await workspace(id);
      return row?.quotaUsage?.used.cpu === '3' ? row : undefined;
    }, 5_000, 'quota use stored');
    expect(withUse.quotaUsage).toEqual({
      hard: { cpu: '8', memory: '32Gi', 'requests.nvidia.com/gpu': '2' },
      used: { cpu: '3', memory: '0', 'requests.nvidia.com/gpu': '1' },
    });
    expect(withUse.drift).toBeNull();

    // An edit (quota removed, label changed) is applied as a new generation.
    const { workspaces } = h.store.tables;
    await h.store.transaction((tx) => tx.update(workspaces).set({ quota: null, labels: { team: 'b' }, desiredGeneration: 2, syncState: 'pending' }).where(eq(workspaces.id, id)));
    h.cp.bus.publish({ type: 'workspace.changed', clusterId, workspaceIds: [id] });
    await waitFor(async () => (await workspace(id))?.appliedGeneration === 2, 8_000, 'generation 2 applied');
    expect((await workspace(id))?.syncState).toBe('synced');
    expect(namespace('team-a-dev')?.metadata?.labels?.team).toBe('b');
    expect(quota('team-a-dev')?.spec?.hard ?? {}).toEqual({});
    await waitFor(async () => (await workspace(id))?.quotaUsage === null, 5_000, 'quota use cleared');
  });

  it('a workspace created while the agent is stopped stays Pending and becomes Synced when it reconnects', async () => {
    const { clusterId, token } = await insertCluster(h.store);
    const env = await insertEnvironment(h.store);
    const id = await createWorkspace({ clusterId, environmentId: env.id, name: 'team-b-dev' });
    await h.cp.workspaceSync.sweep();
    await h.cp.workspaceSync.idle();
    expect((await workspace(id))?.syncState).toBe('pending');
    expect(namespace('team-b-dev')).toBeUndefined();

    runAgent(token);
    await waitForState(id, 'synced');
    expect(namespace('team-b-dev')?.metadata?.labels?.[MANAGED_BY_LABEL]).toBe('fleetdeck');
  });

  it('a Pending workspace survives a control-plane restart and is applied when the agent reconnects to the new one', async () => {
    database = await restartableStore();
    await h.close();
    h = await startGateway({ ...gatewayOptions, store: await database.open() });
    const { clusterId, token } = await insertCluster(h.store);
    const env = await insertEnvironment(h.store);
    const agent = runAgent(token);
    await waitFor(() => h.gateway.isConnected(clusterId), 5_000, 'agent connected');
    await agent.stop();
    agents = [];
    const id = await createWorkspace({ clusterId, environmentId: env.id, name: 'team-c-dev', quota: { gpus: 1 } });
    expect((await workspace(id))?.syncState).toBe('pending');

    await h.close();
    h = await startGateway({ ...gatewayOptions, store: await database.open() });
    expect((await workspace(id))?.syncState).toBe('pending');
    expect(namespace('team-c-dev')).toBeUndefined();

    runAgent(token);
    await waitForState(id, 'synced');
    expect(quota('team-c-dev')?.spec?.hard).toEqual({ 'requests.nvidia.com/gpu': '1' });
  });

  it('a namespace deleted or relabelled by hand shows as drift, and Re-apply restores it', async () => {
    const { clusterId, token } = await insertCluster(h.store);
    const dev = await insertEnvironment(h.store);
    runAgent(token);
    const id = await createWorkspace({ clusterId, environmentId: dev.id, name: 'team-d-dev', quota: { cpu: '4' } });
    await waitForState(id, 'synced');

    kube.patch<V1Namespace>('namespaces', 'team-d-dev', { metadata: { labels: { [ENVIRONMENT_LABEL]: 'prod' } } });
    const relabelled = await waitFor(async () => (await workspace(id))?.drift, 5_000, 'drift from a relabel');
    expect(relabelled).toBe(`Label ${ENVIRONMENT_LABEL} is prod, expected ${dev.name}`);

    kube.deleteNamespace('team-d-dev');
    const deleted = await waitFor(async () => {
      const drift = (await workspace(id))?.drift;
      return drift?.startsWith('Namespace deleted') ? drift : undefined;
    }, 5_000, 'drift from a deletion');
    expect(deleted).toBe('Namespace deleted in the cluster');
    expect((await workspace(id))?.syncState).toBe('synced');
    // Live views hear of it.
    expect(h.events).toContainEqual({ type: 'sync.statusChanged', clusterId, resource: 'workspace', resourceId: String(id), status: 'reported' });

    await reapply(id, clusterId);
    await waitForState(id, 'synced');
    await waitFor(async () => (await workspace(id))?.drift === null, 15_000, 'drift cleared').catch(async (error: unknown) => {
      throw new Error(`${String(error)}; drift is "${(await workspace(id))?.drift}"`);
    });
    expect(namespace('team-d-dev')?.metadata?.labels?.[ENVIRONMENT_LABEL]).toBe(dev.name);
    expect(quota('team-d-dev')?.spec?.hard).toEqual({ cpu: '4' });
    // The agent's next report matches: the drift stays cleared.
    await h.gateway.flush();
    expect((await workspace(id))?.drift).toBeNull();
  });

  it('never modifies an unmanaged namespace of the same name: the workspace fails with the reason', async () => {
    const { clusterId, token } = await insertCluster(h.store);
    const env = await insertEnvironment(h.store);
    const theirs = kube.addNamespace('ml-team', { owner: 'platform' });
    runAgent(token);
    const id = await createWorkspace({ clusterId, environmentId: env.id, name: 'ml-team', labels: { team: 'ml' }, quota: { cpu: '2' } });

    const failed = await waitForState(id, 'failed');
    expect(failed.syncError).toMatch(/Namespace "ml-team" already exists in the cluster and is not managed by Fleetdeck/);
    expect(failed.appliedGeneration).toBe(0);
    expect(namespace('ml-team')).toEqual(theirs);
    expect(quota('ml-team')).toBeUndefined();
    // The create the agent tries first is refused by the API server (409 AlreadyExists) and changes nothing;
    // nothing is replaced, patched or deleted in the namespace, and no quota is put in it.
    const writes = kube.requests.filter((r) => r.method !== 'GET' && r.path.includes('ml-team'));
    expect(writes).toEqual([]);

    // Deleting such a workspace removes the row and leaves their namespace alone.
    const { workspaces } = h.store.tables;
    await h.store.transaction((tx) => tx.update(workspaces).set({ syncState: 'deleting' }).where(eq(workspaces.id, id)));
    h.cp.bus.publish({ type: 'workspace.changed', clusterId, workspaceIds: [id] });
    await waitFor(async () => (await workspace(id)) === undefined, 5_000, 'row deleted');
    expect(namespace('ml-team')).toEqual(theirs);
  });

  it('deleting a workspace deletes its namespace, then the row', async () => {
    const { clusterId, token } = await insertCluster(h.store);
    const env = await insertEnvironment(h.store);
    runAgent(token);
    const id = await createWorkspace({ clusterId, environmentId: env.id, name: 'team-e-dev', quota: { cpu: '1' } });
    await waitForState(id, 'synced');
    const { workspaces } = h.store.tables;
    await h.store.transaction((tx) => tx.update(workspaces).set({ syncState: 'deleting' }).where(eq(workspaces.id, id)));
    h.cp.bus.publish({ type: 'workspace.changed', clusterId, workspaceIds: [id] });
    await waitFor(async () => (await workspace(id)) === undefined, 5_000, 'row deleted');
    expect(namespace('team-e-dev')).toBeUndefined();
    expect(quota('team-e-dev')).toBeUndefined();
    expect(h.events).toContainEqual({ type: 'sync.statusChanged', clusterId, resource: 'workspace', resourceId: String(id), status: 'deleted' });
  });

  it('through the workspaces router: create, Re-apply after a hand deletion, delete', async () => {
    const { clusterId, token } = await insertCluster(h.store, { name: 'gpu-north' });
    const env = await insertEnvironment(h.store);
    const { clusterEnvironments } = h.store.tables;
    await h.store.transaction((tx) => tx.insert(clusterEnvironments).values({ clusterId, environmentId: env.id }));
    runAgent(token);
    const admin = callerFor(h.cp, await insertUser(h.store, 'admin'));

    const created = await admin.workspaces.create({ clusterId, name: 'team-f-dev', environmentId: env.id, quota: { gpus: 2 } });
    await waitForState(created.id, 'synced');
    expect(namespace('team-f-dev')?.metadata?.annotations?.[FQN_ANNOTATION]).toBe('gpu-north:team-f-dev');
    expect(quota('team-f-dev')?.spec?.hard).toEqual({ 'requests.nvidia.com/gpu': '2' });

    kube.deleteNamespace('team-f-dev');
    await waitFor(async () => (await workspace(created.id))?.drift === 'Namespace deleted in the cluster', 5_000, 'drift');
    await admin.workspaces.reapply({ id: created.id });
    await waitFor(async () => {
      const row = await workspace(created.id);
      return row?.syncState === 'synced' && row.drift === null && row.appliedGeneration === 2;
    }, 8_000, 're-applied');
    expect(namespace('team-f-dev')).toBeDefined();

    await admin.workspaces.delete({ id: created.id });
    await waitFor(async () => (await workspace(created.id)) === undefined, 5_000, 'row deleted');
    expect(namespace('team-f-dev')).toBeUndefined();
  });
});
