/**
 * The real agent (agent/agent.ts) against a fake Kubernetes API server, driven through
 * the real client-node, talking to the real gateway over a real socket into the store.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startAgent, type AgentHandle } from '@/agent/agent';
import { FakeKubeApi } from '@/testing/fake-kube-api';
import { FakePrometheus } from '@/testing/fake-prometheus';
import { buildGpuNode, buildNode, DEFAULT_GPU_TYPE_LABEL } from '@/testing/kube-objects';
import { waitFor } from '@/testing/wait-for';
import { insertCluster, startGateway, type GatewayHarness } from '@/testing/gateway-fixtures';
import { listenOnLoopback } from '@/testing/loopback';

let h: GatewayHarness;
let kube: FakeKubeApi;
let prometheus: FakePrometheus;
let registry: net.Server;
let agents: AgentHandle[];
let logLines: string[];

beforeEach(async () => {
  agents = [];
  logLines = [];
  h = await startGateway({ heartbeat: { intervalMs: 200, timeoutMs: 1_000, sweepMs: 100 } });
  kube = await new FakeKubeApi({ kubernetesVersion: 'v1.30.4' }).start();
  kube.addNode(buildNode({ name: 'cpu-1', nodePool: 'system' }));
  kube.addNode(buildGpuNode({ name: 'gpu-1', nodePool: 'h100', gpuType: 'H100', gpus: 8 }));
  kube.addNode(buildGpuNode({ name: 'gpu-2', nodePool: 'h100', gpuType: 'H100', gpus: 8, ready: false }));
  kube.addNode(buildGpuNode({ name: 'gpu-3', nodePool: 'l4', gpuType: 'L4', gpus: 4 }));
  kube.addNamespace('default');
  kube.addStorageClass('gp3', { isDefault: true });
  kube.addIngressClass('nginx', { isDefault: true });
  kube.addCrd('certificates.cert-manager.io', { 'app.kubernetes.io/managed-by': 'fleetdeck' });
  prometheus = await new FakePrometheus({
    answer: () => ({ data: { resultType: 'vector', result: [{ metric: {}, value: [1700000000, '20'] }] } }),
  }).start();
  registry = net.createServer((socket) => socket.end());
  await listenOnLoopback(registry);
});

afterEach(async () => {
  await Promise.all(agents.map((agent) => agent.stop()));
  await h.close();
  await kube.stop();
  await prometheus.stop();
  await new Promise<void>((resolve) => registry.close(() => resolve()));
});

function runAgent(token: string): AgentHandle {
  const agent = startAgent({
    controlPlaneUrl: h.baseUrl,
    token,
    kubeconfigPath: kube.kubeconfigFile(),
    registryHosts: [`127.0.0.1:${(registry.address() as AddressInfo).port}`],
    logWrite: (line) => logLines.push(line),
    reconnect: { baseMs: 50, capMs: 500 },
    deltaCoalesceMs: 20,
  });
  agents.push(agent);
  return agent;
}

async function clusterRow(id: number) {
  const { clusters } = h.store.tables;
  const [row] = await h.store.db.select().from(clusters).where(eq(clusters.id, id));
  return row;
}

function nodeRows(id: number) {
  const { clusterNodes } = h.store.tables;
  return h.store.db
    .select({ name: clusterNodes.name, pool: clusterNodes.nodePool, gpuType: clusterNodes.gpuType, gpus: clusterNodes.gpuCount, ready: clusterNodes.ready })
    .from(clusterNodes)
    .where(eq(clusterNodes.clusterId, id))
    .orderBy(clusterNodes.name);
}

describe('real agent → gateway → database', () => {
  it('turns the cluster Connected (Degraded by its NotReady node) with its nodes, pools and GPU types, follows changes, and Disconnected when the agent stops', async () => {
    const { clusterId, token } = await insertCluster(h.store, { provider: 'aws-eks', prometheusUrl: prometheus.url });
    const agent = runAgent(token);

    const connected = await waitFor(async () => {
      const row = await clusterRow(clusterId);
      return row?.connectedAt && !row.disconnectedAt && row.nodeCount === 4 ? row : undefined;
    }, 10_000, 'cluster Connected with 4 nodes');
    expect(connected).toMatchObject({
      status: 'degraded',
      statusReasons: ['Node gpu-2 is NotReady'],
      kubernetesVersion: 'v1.30.4',
      readyNodeCount: 3,
      gpuCount: 20,
      gpusByType: { H100: 16, L4: 4 },
    });
    expect(await nodeRows(clusterId)).toEqual([
      { name: 'cpu-1', pool: 'system', gpuType: null, gpus: 0, ready: true },
      { name: 'gpu-1', pool: 'h100', gpuType: 'H100', gpus: 8, ready: true },
      { name: 'gpu-2', pool: 'h100', gpuType: 'H100', gpus: 8, ready: false },
      { name: 'gpu-3', pool: 'l4', gpuType: 'L4', gpus: 4, ready: true },
    ]);

    // A node joins and another is relabelled: both show within seconds.
    kube.addNode(buildGpuNode({ name: 'gpu-4', nodePool: 'b200', gpuType: 'B200', gpus: 8 }));
    kube.setNodeLabels('gpu-3', { [DEFAULT_GPU_TYPE_LABEL]: 'L40S' });
    await waitFor(async () => {
      const row = await clusterRow(clusterId);
      return row?.nodeCount === 5 && row.gpusByType?.L40S === 4 ? row : undefined;
    }, 5_000, 'new node and relabel stored');
    expect((await clusterRow(clusterId))?.gpusByType).toEqual({ H100: 16, L40S: 4, B200: 8 });

    // Server code can call through the agent into the cluster's Prometheus.
    await expect(h.gateway.agentClient(clusterId).call('prometheus.query', { query: 'sum(up)' }, { deadlineMs: 3_000 })).resolves.toEqual({
      resultType: 'vector',
      result: [{ metric: {}, value: [1700000000, '20'] }],
    });

    await agent.stop();
    await waitFor(async () => (await clusterRow(clusterId))?.status === 'disconnected', 2_000, 'Disconnected after the agent stopped');
    expect((await clusterRow(clusterId))?.nodeCount).toBe(5);
    expect(logLines.filter((line) => line.includes(token))).toEqual([]);
  });

  it('marks a CoreWeave cluster with the GPU Operator turned on Degraded, with the reason', async () => {
    kube.addNamespace('gpu-operator');
    kube.addCrd('clusterpolicies.nvidia.com');
    const { clusterId, token } = await insertCluster(h.store, { provider: 'coreweave-cks', addons: { 'gpu-operator': true } });
    runAgent(token);
    const row = await waitFor(async () => {
      const r = await clusterRow(clusterId);
      return r?.status === 'degraded' && r.statusReasons.some((reason) => reason.startsWith('NVIDIA GPU Operator')) ? r : undefined;
    }, 10_000, 'Degraded by the GPU Operator conflict');
    expect(row.statusReasons.join('\n')).toMatch(/already running outside Fleetdeck/);
  });

  it('cuts the agent off on rotation, and the agent stops instead of retrying', async () => {
    const { clusterId, token } = await insertCluster(h.store);
    const agent = runAgent(token);
    await waitFor(() => h.gateway.isConnected(clusterId), 10_000, 'connected');
    h.gateway.revoke(clusterId, 'Token rotated');
    await expect(agent.done).resolves.toMatchObject({ ok: false, reason: 'token_rejected' });
    await waitFor(async () => (await clusterRow(clusterId))?.status === 'disconnected', 1_000, 'Disconnected at once');
  });

  it('asks the agent to reconnect, and it comes back with a fresh session and snapshot', async () => {
    const { clusterId, token } = await insertCluster(h.store);
    const agent = runAgent(token);
    await waitFor(() => h.events.some((e) => e.type === 'agent.sessionReady' && e.clusterId === clusterId), 10_000, 'first session ready');
    h.events.length = 0;
    expect(h.gateway.reconnect(clusterId, 'Settings changed')).toBe(true);
    await waitFor(() => h.events.some((e) => e.type === 'agent.sessionReady' && e.clusterId === clusterId), 10_000, 'second session ready');
    expect(h.events.filter((e) => e.type !== 'cluster.changed').map((e) => e.type)).toEqual([
      'agent.sessionClosed',
      'agent.sessionOpened',
      'agent.sessionReady',
    ]);
    expect(h.gateway.isConnected(clusterId)).toBe(true);
    let stopped = false;
    void agent.done.then(() => (stopped = true));
    await Promise.resolve();
    expect(stopped).toBe(false);
  });

  it('refuses a wrong token and the agent exits rather than hammering', async () => {
    await insertCluster(h.store);
    const agent = runAgent('fdct_wrongwrongwrongwrongwrongwrongwrongwrong123');
    await expect(agent.done).resolves.toMatchObject({ ok: false, reason: 'token_rejected' });
  });
});
