/**
 * Pushed metric summaries end to end: the real agent polls a fake Prometheus with the
 * summary set the gateway sent in `welcome`, and the gateway interprets and stores what
 * it pushes; hostile summary frames are refused without storing anything; a detached
 * cluster's summaries go with it.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startAgent, type AgentHandle } from '@/agent/agent';
import { FRAME_LIMITS, type ControlPlaneFrame, type PrometheusVector } from '@/lib/agent-protocol';
import type { MetricSummary } from '@/lib/metrics';
import type { SummaryCatalog } from '@/server/metrics/types';
import { SYSTEM_ACTOR } from '@/server/services/audit';
import { detachCluster } from '@/server/services/clusters/lifecycle';
import { history, latestSummaries } from '@/server/services/metrics/summaries';
import { FakeKubeApi } from '@/testing/fake-kube-api';
import { FakePrometheus } from '@/testing/fake-prometheus';
import { insertCluster, startGateway, type GatewayHarness } from '@/testing/gateway-fixtures';
import { ProtocolClient } from '@/testing/protocol-client';
import { buildNode } from '@/testing/kube-objects';
import { waitFor } from '@/testing/wait-for';

/** A small summary set of the test's own: nodes Ready per pool, and H100s in total. */
const catalog: SummaryCatalog = {
  queries: (context) => [
    { id: 'nodes_ready', promql: `sum by (${context.nodePoolLabel}) (kube_node_status_condition{condition="Ready",status="true"})` },
    { id: 'gpu_total', promql: `sum by (${context.gpuTypeLabel}) (kube_node_status_allocatable{resource="nvidia_com_gpu"})` },
  ],
  interpret(results) {
    const sum = (vector: PrometheusVector | undefined) => (vector ? vector.result.reduce((total, s) => total + Number(s.value[1]), 0) : null);
    const gpus = sum(results.gpu_total);
    return {
      gpus: gpus === null ? [] : [{ model: 'H100', nodePool: 'gpu', total: gpus, allocated: 0, idleAllocated: 0, meanUtilization: null }],
      nodesReady: sum(results.nodes_ready),
      nodesTotal: null,
      cpuUtilization: null,
      memoryUtilization: null,
      xidErrors: null,
      hotGpus: null,
    };
  },
};

const EMPTY: MetricSummary = { gpus: [], nodesReady: null, nodesTotal: null, cpuUtilization: null, memoryUtilization: null, xidErrors: null, hotGpus: null };

let h: GatewayHarness;
let kube: FakeKubeApi;
let prometheus: FakePrometheus;
let agents: AgentHandle[];
let clients: ProtocolClient[];
let summaryEvents: number[][];

beforeEach(async () => {
  agents = [];
  clients = [];
  summaryEvents = [];
  h = await startGateway({ summaryCatalog: catalog });
  h.cp.bus.subscribe('metrics.summaryChanged', (event) => void summaryEvents.push([...event.clusterIds]));
  kube = await new FakeKubeApi({ kubernetesVersion: 'v1.30.4' }).start();
  kube.addNode(buildNode({ name: 'cpu-1', nodePool: 'system' }));
  prometheus = await new FakePrometheus({
    answer: (_path, params) => {
      const query = params.get('query') ?? '';
      const value = query.includes('nvidia_com_gpu') ? '16' : '3';
      return { data: { resultType: 'vector', result: [{ metric: {}, value: [1_800_000_000, value] }] } };
    },
  }).start();
});

afterEach(async () => {
  for (const client of clients) client.kill();
  await Promise.all(agents.map((agent) => agent.stop()));
  await h.close();
  await kube.stop();
  await prometheus.stop();
});

function runAgent(token: string): AgentHandle {
  const agent = startAgent({
    controlPlaneUrl: h.baseUrl,
    token,
    kubeconfigPath: kube.kubeconfigFile(),
    registryHosts: [],
    logWrite: () => undefined,
    reconnect: { baseMs: 50, capMs: 500 },
  });
  agents.push(agent);
  return agent;
}

async function latest(clusterId: number) {
  return (await latestSummaries(h.store.db, [clusterId])).get(clusterId);
}

async function helloed(): Promise<{ clusterId: number; client: ProtocolClient }> {
  const { clusterId, token } = await insertCluster(h.store);
  const client = await ProtocolClient.connect(h.baseUrl, token);
  clients.push(client);
  await client.hello();
  return { clusterId, client };
}

/** A loopback port nothing listens on (one that was just free). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const isError = (frame: ControlPlaneFrame): frame is Extract<ControlPlaneFrame, { type: 'error' }> => frame.type === 'error';
const vector = (value: string): PrometheusVector => ({ resultType: 'vector', result: [{ metric: {}, value: [1_800_000_000, value] }] });

describe('pushed metric summaries', () => {
  it('the agent polls the set from welcome (built for the cluster\'s label keys); the latest is stored, history appended, an event published', async () => {
    const { clusterId, token } = await insertCluster(h.store, { prometheusUrl: prometheus.url, nodePoolLabel: 'cloud.example/pool', gpuTypeLabel: 'cloud.example/gpu' });
    runAgent(token);
    const stored = await waitFor(() => latest(clusterId), 10_000, 'a stored summary');
    expect(stored).toMatchObject({ stale: false, error: null, summary: { nodesReady: 3, gpus: [{ total: 16 }] } });
    expect(prometheus.queries.map((q) => q.params.query)).toEqual(
      expect.arrayContaining([
        'sum by (cloud.example/pool) (kube_node_status_condition{condition="Ready",status="true"})',
        'sum by (cloud.example/gpu) (kube_node_status_allocatable{resource="nvidia_com_gpu"})',
      ]),
    );
    expect(await history(h.store.db, clusterId)).toHaveLength(1);
    expect(summaryEvents).toContainEqual([clusterId]);
  });

  it('stores why when Prometheus is unreachable: every figure unknown, the reason in plain words, no history', async () => {
    const port = await closedPort();
    const { clusterId, token } = await insertCluster(h.store, { prometheusUrl: `http://127.0.0.1:${port}` });
    runAgent(token);
    const stored = await waitFor(() => latest(clusterId), 10_000, 'a stored summary');
    expect(stored.summary).toEqual(EMPTY);
    expect(stored.error).toBe(`Prometheus unreachable: connect ECONNREFUSED 127.0.0.1:${port}`);
    expect(await history(h.store.db, clusterId)).toEqual([]);
  });

  it('adds history at most once per interval, and never dates a summary after its arrival', async () => {
    const { clusterId, client } = await helloed();
    const now = Date.now() / 1000;
    for (const [ago, value] of [[100, '1'], [90, '2'], [60, '3']] as const) {
      client.send({ type: 'summary', collectedAt: now - ago, results: { nodes_ready: vector(value) } });
      await waitFor(async () => (await latest(clusterId))?.summary.nodesReady === Number(value), 5_000, `summary ${value}`);
    }
    expect((await history(h.store.db, clusterId)).map((p) => p.summary.nodesReady)).toEqual([1, 3]);
    client.send({ type: 'summary', collectedAt: now + 3_600, results: { nodes_ready: vector('4') } });
    const future = await waitFor(async () => {
      const s = await latest(clusterId);
      return s?.summary.nodesReady === 4 && s;
    }, 5_000, 'the summary from the future');
    expect(future.collectedAt.getTime()).toBeLessThanOrEqual(Date.now());
  });

  it('refuses a malformed or oversized summary without storing it; the session stays up', async () => {
    const { clusterId, client } = await helloed();
    client.sendRaw(JSON.stringify({ type: 'summary', collectedAt: 1, results: { nodes_ready: { resultType: 'matrix', result: [] } } }));
    expect(await client.nextFrame(isError)).toMatchObject({ code: 'bad_frame', message: expect.stringContaining('results.nodes_ready') });
    const huge = { resultType: 'vector', result: Array.from({ length: 20_000 }, (_, i) => ({ metric: { gpu: `gpu-${i}`, node: `node-${i}` }, value: [1, '1'] })) };
    const text = JSON.stringify({ type: 'summary', collectedAt: 1, results: { nodes_ready: huge } });
    expect(text.length).toBeGreaterThan(FRAME_LIMITS.summary);
    client.sendRaw(text);
    expect(await client.nextFrame(isError)).toMatchObject({ code: 'frame_too_large', message: expect.stringContaining('summary') });
    await h.gateway.flush();
    expect(await latest(clusterId)).toBeUndefined();
    client.send({ type: 'summary', collectedAt: Date.now() / 1000, results: { nodes_ready: vector('5') } });
    await waitFor(async () => (await latest(clusterId))?.summary.nodesReady === 5, 5_000, 'a good summary after the bad ones');
  });

  it('a summary before hello is refused', async () => {
    const { clusterId, token } = await insertCluster(h.store);
    const client = await ProtocolClient.connect(h.baseUrl, token);
    clients.push(client);
    client.send({ type: 'summary', collectedAt: Date.now() / 1000, results: { nodes_ready: vector('5') } });
    expect(await client.nextFrame(isError)).toMatchObject({ code: 'hello_required' });
    await h.gateway.flush();
    expect(await latest(clusterId)).toBeUndefined();
  });

  it('a detached cluster\'s summaries and history go with it', async () => {
    const { clusterId, client } = await helloed();
    client.send({ type: 'summary', collectedAt: Date.now() / 1000, results: { nodes_ready: vector('2') } });
    await waitFor(() => latest(clusterId), 5_000, 'a stored summary');
    const { clusters } = h.store.tables;
    const [row] = await h.store.db.select({ name: clusters.name }).from(clusters).where(eq(clusters.id, clusterId));
    await detachCluster(h.cp, SYSTEM_ACTOR, { name: row?.name ?? '', confirmName: row?.name ?? '' });
    const { clusterMetricSummaries, clusterMetricHistory } = h.store.tables;
    expect(await h.store.db.select().from(clusterMetricSummaries).where(eq(clusterMetricSummaries.clusterId, clusterId))).toEqual([]);
    expect(await h.store.db.select().from(clusterMetricHistory).where(eq(clusterMetricHistory.clusterId, clusterId))).toEqual([]);
  });

  it('agent.configure carries the set built for the new label keys', () => {
    const config = h.gateway.agentConfig({ nodePoolLabel: 'a/pool', gpuTypeLabel: 'a/gpu', prometheusUrl: 'http://p:9090' });
    expect(config).toEqual({
      nodePoolLabel: 'a/pool',
      gpuTypeLabel: 'a/gpu',
      prometheusUrl: 'http://p:9090',
      summary: { intervalSeconds: 30, queries: catalog.queries({ nodePoolLabel: 'a/pool', gpuTypeLabel: 'a/gpu' }) },
    });
  });
});
