/**
 * Cluster settings after attach, end to end: the real agent against a fake Kubernetes
 * API, through the real gateway, into the store. A label-key change must reach the
 * agent without a reinstall or reconnect, and the stored nodes must carry the values of
 * the new keys; an agent that cannot take settings live is asked to reconnect.
 */
import { and, asc, eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startAgent, type AgentHandle } from '@/agent/agent';
import { CLOSE_CODES } from '@/lib/agent-protocol';
import { FakeKubeApi } from '@/testing/fake-kube-api';
import { insertCluster, startGateway, type GatewayHarness } from '@/testing/gateway-fixtures';
import { buildGpuNode, buildNode, DEFAULT_NODE_SINCE, GFD_PRODUCT_LABEL } from '@/testing/kube-objects';
import { clusterState, gpuNode, ProtocolClient } from '@/testing/protocol-client';
import { callerFor, insertUser } from '@/testing/router-harness';
import { waitFor } from '@/testing/wait-for';

const EKS_POOL = 'eks.amazonaws.com/nodegroup';

let h: GatewayHarness;
let kube: FakeKubeApi;
let agents: AgentHandle[];

beforeEach(async () => {
  agents = [];
  h = await startGateway({ heartbeat: { intervalMs: 200, timeoutMs: 1_000, sweepMs: 100 } });
  kube = await new FakeKubeApi({ kubernetesVersion: 'v1.30.4' }).start();
  // Pools and GPU types under both our keys and the ones EKS and GPU feature discovery set.
  kube.addNode(buildNode({ name: 'cpu-1', nodePool: 'system', labels: { [EKS_POOL]: 'ng-system' }, kubeletVersion: 'v1.30.4-eks-1' }));
  kube.addNode(
    buildGpuNode({ name: 'gpu-1', nodePool: 'h100', gpuType: 'H100', gpus: 8, labels: { [EKS_POOL]: 'ng-h100', [GFD_PRODUCT_LABEL]: 'NVIDIA-H100-80GB-HBM3' } }),
  );
});

afterEach(async () => {
  await Promise.all(agents.map((agent) => agent.stop()));
  await h.close();
  await kube.stop();
});

function runAgent(token: string): AgentHandle {
  const agent = startAgent({
    controlPlaneUrl: h.baseUrl,
    token,
    kubeconfigPath: kube.kubeconfigFile(),
    registryHosts: [],
    logWrite: () => undefined,
    reconnect: { baseMs: 50, capMs: 500 },
    deltaCoalesceMs: 20,
  });
  agents.push(agent);
  return agent;
}

function nodeRows(clusterId: number) {
  const { clusterNodes } = h.store.tables;
  return h.store.db
    .select({
      name: clusterNodes.name,
      pool: clusterNodes.nodePool,
      gpuType: clusterNodes.gpuType,
      ready: clusterNodes.ready,
      readySince: clusterNodes.readySince,
      kubeletVersion: clusterNodes.kubeletVersion,
      conditions: clusterNodes.conditions,
    })
    .from(clusterNodes)
    .where(eq(clusterNodes.clusterId, clusterId))
    .orderBy(asc(clusterNodes.name));
}

async function asAdmin() {
  return callerFor(h.cp, await insertUser(h.store, 'admin'));
}

const sessionsOpened = (clusterId: number) =>
  h.events.filter((event) => event.type === 'agent.sessionOpened' && event.clusterId === clusterId).length;

describe('node details reported by the agent', () => {
  it('stores kubelet version, conditions and Ready since, and follows a node turning NotReady', async () => {
    const { clusterId, token } = await insertCluster(h.store);
    runAgent(token);
    const rows = await waitFor(async () => {
      const found = await nodeRows(clusterId);
      return found.length === 2 ? found : undefined;
    }, 10_000, 'two nodes stored');
    expect(rows[0]).toMatchObject({ name: 'cpu-1', kubeletVersion: 'v1.30.4-eks-1', ready: true, readySince: DEFAULT_NODE_SINCE });
    expect(rows[0]?.conditions).toEqual([{ type: 'Ready', status: 'True', since: '2026-01-05T08:00:00Z' }]);

    kube.setNodeReady('gpu-1', false);
    const notReady = await waitFor(async () => {
      const row = (await nodeRows(clusterId)).find((node) => node.name === 'gpu-1');
      return row && !row.ready ? row : undefined;
    }, 10_000, 'gpu-1 NotReady');
    expect(notReady.readySince).toBeNull();
    expect(notReady.conditions.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'KubeletNotReady' });
    // The node arrived in a delta: the cluster's status was derived again, naming it.
    const { clusters } = h.store.tables;
    const attention = await waitFor(async () => {
      const [row] = await h.store.db.select().from(clusters).where(eq(clusters.id, clusterId));
      return row?.status === 'degraded' ? row : undefined;
    }, 10_000, 'cluster Degraded');
    expect(attention.statusReasons).toContain('Node gpu-1 is NotReady');

    const back = new Date('2026-11-23T09:00:00Z');
    kube.setNodeReady('gpu-1', true, back);
    await waitFor(async () => {
      const row = (await nodeRows(clusterId)).find((node) => node.name === 'gpu-1');
      return row?.readySince?.getTime() === back.getTime() ? row : undefined;
    }, 10_000, 'gpu-1 Ready since its new transition time');
  });
});

describe('clusters.updateSettings', () => {
  it('pushes new label keys to the connected agent: the stored nodes carry the new keys\' values, with no reconnect', async () => {
    const { clusterId, token } = await insertCluster(h.store, { name: 'settings-live' });
    runAgent(token);
    await waitFor(async () => ((await nodeRows(clusterId)).length === 2 ? true : undefined), 10_000, 'nodes stored');
    expect((await nodeRows(clusterId)).map((n) => [n.pool, n.gpuType])).toEqual([
      ['system', null],
      ['h100', 'H100'],
    ]);

    const admin = await asAdmin();
    const result = await admin.clusters.updateSettings({
      name: 'settings-live',
      nodePoolLabel: EKS_POOL,
      gpuTypeLabel: GFD_PRODUCT_LABEL,
      region: 'us-east-1',
    });
    // The region did not change: only the label keys count, and are audited.
    expect(result).toEqual({ changed: true, changedFields: ['nodePoolLabel', 'gpuTypeLabel'], agent: 'applied' });

    await waitFor(async () => {
      const rows = await nodeRows(clusterId);
      return rows[0]?.pool === 'ng-system' ? rows : undefined;
    }, 10_000, 'nodes under the new keys');
    expect((await nodeRows(clusterId)).map((n) => [n.pool, n.gpuType])).toEqual([
      ['ng-system', null],
      ['ng-h100', 'NVIDIA-H100-80GB-HBM3'],
    ]);
    expect(sessionsOpened(clusterId)).toBe(1);

    const { auditEvents } = h.store.tables;
    const [audit] = await h.store.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, 'cluster.settings.update'), eq(auditEvents.targetId, String(clusterId))));
    expect(audit?.before).toEqual({ nodePoolLabel: 'fleetdeck.io/node-pool', gpuTypeLabel: 'fleetdeck.io/gpu-type' });
    expect(audit?.after).toEqual({ nodePoolLabel: EKS_POOL, gpuTypeLabel: GFD_PRODUCT_LABEL });
  });

  it('asks an agent that does not serve agent.configure to reconnect, and its next welcome carries the new settings', async () => {
    const { clusterId, token } = await insertCluster(h.store, { name: 'settings-old-agent' });
    const olderAgent = await ProtocolClient.connect(h.baseUrl, token, {
      onRequest: async (request) => ({ ok: false, error: { code: 'unknown_method', message: `no ${request.method}` } }),
    });
    await olderAgent.hello();
    olderAgent.snapshot(clusterState({ nodes: [gpuNode('gpu-1', 'H100')] }));
    await waitFor(async () => ((await nodeRows(clusterId)).length === 1 ? true : undefined), 5_000, 'snapshot stored');

    const admin = await asAdmin();
    const result = await admin.clusters.updateSettings({ name: 'settings-old-agent', prometheusUrl: 'http://prometheus.monitoring:9090' });
    expect(result.agent).toBe('reconnecting');
    expect((await olderAgent.closed).code).toBe(CLOSE_CODES.reconnect);

    const again = await ProtocolClient.connect(h.baseUrl, token);
    expect((await again.hello()).config.prometheusUrl).toBe('http://prometheus.monitoring:9090');
    again.close();
  });

  it('stores settings for a cluster without an agent, refuses equal label keys, and changes nothing when nothing differs', async () => {
    await insertCluster(h.store, { name: 'settings-offline', baseDomains: ['apps.example.com'] });
    const admin = await asAdmin();
    expect(await admin.clusters.updateSettings({ name: 'settings-offline', nodePoolLabel: 'example.com/pool' })).toEqual({
      changed: true,
      changedFields: ['nodePoolLabel'],
      agent: 'next-connect',
    });
    expect(await admin.clusters.updateSettings({ name: 'settings-offline', baseDomains: ['*.ml.example.com'], region: 'eu-west-1' })).toEqual({
      changed: true,
      changedFields: ['region', 'baseDomains'],
      agent: 'not-needed',
    });
    expect(await admin.clusters.updateSettings({ name: 'settings-offline', region: 'eu-west-1' })).toMatchObject({ changed: false });
    await expect(admin.clusters.updateSettings({ name: 'settings-offline', gpuTypeLabel: 'example.com/pool' })).rejects.toThrow(
      /must be different keys/,
    );
    const member = callerFor(h.cp, await insertUser(h.store, 'member'));
    await expect(member.clusters.updateSettings({ name: 'settings-offline', region: 'us-west-2' })).rejects.toThrow();
  });
});
