/**
 * The real agent against a fake Kubernetes API server (driven through the real
 * client-node), a minimal control plane speaking the protocol, and a fake Prometheus.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLOSE_CODES, type ClusterState } from '@/lib/agent-protocol';
import { startAgent, type AgentHandle, type AgentOptions } from '@/agent/agent';
import { ControlPlaneGaveUp, FakeControlPlane, type FakeAgentConnection } from '@/testing/fake-control-plane';
import { FakeKubeApi } from '@/testing/fake-kube-api';
import { FakePrometheus } from '@/testing/fake-prometheus';
import { buildGpuNode, buildNode } from '@/testing/kube-objects';
import { waitFor } from '@/testing/wait-for';

const TOKEN = 'fdct_test_4f9c2b7e1d8a6c3b5e0f9a8d7c6b5a4f3e2d1c0b';
const POOL = 'fleetdeck.io/node-pool';
const GPU = 'fleetdeck.io/gpu-type';

let kube: FakeKubeApi;
let controlPlane: FakeControlPlane;
let prometheus: FakePrometheus;
let registry: net.Server;
let agents: AgentHandle[];
let logLines: string[];

function runAgent(overrides: Partial<AgentOptions> = {}): AgentHandle {
  const agent = startAgent({
    controlPlaneUrl: controlPlane.url,
    token: TOKEN,
    kubeconfigPath: kube.kubeconfigFile(),
    registryHosts: [`127.0.0.1:${(registry.address() as AddressInfo).port}`],
    logWrite: (line) => logLines.push(line),
    logLevel: 'debug',
    reconnect: { baseMs: 50, capMs: 500 },
    kube: { refusedRetryMs: 200, backoff: { baseMs: 50, capMs: 500 } },
    deltaCoalesceMs: 20,
    ...overrides,
  });
  agents.push(agent);
  return agent;
}

async function connectedAgent(overrides: Partial<AgentOptions> = {}): Promise<{
  agent: AgentHandle;
  conn: FakeAgentConnection;
  state: ClusterState;
}> {
  const agent = runAgent(overrides);
  const conn = await controlPlane.waitForConnection();
  const state = await controlPlane.waitForSnapshot(conn);
  return { agent, conn, state };
}

const nodeOf = (state: ClusterState | undefined, name: string) => state?.nodes.find((n) => n.name === name);
const check = (state: ClusterState | undefined, id: string) => state?.preflight.find((p) => p.id === id);

beforeEach(async () => {
  agents = [];
  logLines = [];
  kube = await new FakeKubeApi({ kubernetesVersion: 'v1.30.4-eks-a737599' }).start();
  kube.addNode(buildNode({ name: 'cpu-1', nodePool: 'system' }));
  kube.addNode(buildGpuNode({ name: 'gpu-1', nodePool: 'h100', gpuType: 'H100', gpus: 8 }));
  kube.addNode(buildGpuNode({ name: 'gpu-2', nodePool: 'h100', gpuType: 'H100', gpus: 8, ready: false }));
  kube.addNamespace('default');
  kube.addNamespace('kube-system');
  kube.addNamespace('gpu-operator');
  kube.addStorageClass('gp3', { isDefault: true });
  kube.addIngressClass('nginx');
  kube.addCrd('clusterpolicies.nvidia.com');
  kube.addCrd('certificates.cert-manager.io', { 'app.kubernetes.io/managed-by': 'fleetdeck' });
  prometheus = await new FakePrometheus({
    answer: () => ({ data: { resultType: 'vector', result: [{ metric: {}, value: [1700000000, '64'] }] } }),
  }).start();
  controlPlane = await new FakeControlPlane({
    tokens: [TOKEN],
    welcome: { clusterName: 'gpu-west', prometheusUrl: prometheus.url, heartbeatIntervalMs: 1000 },
  }).start();
  registry = net.createServer((socket) => socket.end());
  await new Promise<void>((resolve) => registry.listen(0, '127.0.0.1', () => resolve()));
});

afterEach(async () => {
  await Promise.all(agents.map((a) => a.stop()));
  await controlPlane.stop();
  await kube.stop();
  await prometheus.stop();
  await new Promise<void>((resolve) => registry.close(() => resolve()));
  // Every test also proves the token never reached a log line.
  expect(logLines.length).toBeGreaterThan(0);
  expect(logLines.filter((l) => l.includes(TOKEN))).toEqual([]);
});

describe('agent: hello and snapshot', () => {
  it('says hello with versions, then snapshots nodes, pools, GPU types and counts', async () => {
    const { conn, state } = await connectedAgent();
    expect(conn.token).toBe(TOKEN);
    expect(conn.frames[0]).toMatchObject({ type: 'hello', protocolVersion: 1, kubernetesVersion: 'v1.30.4-eks-a737599' });
    expect(conn.frames[1]?.type).toBe('snapshot');
    expect(state.nodes.map((n) => [n.name, n.nodePool, n.gpuType, n.gpuCount, n.ready])).toEqual([
      ['cpu-1', 'system', null, 0, true],
      ['gpu-1', 'h100', 'H100', 8, true],
      ['gpu-2', 'h100', 'H100', 8, false],
    ]);
    expect(nodeOf(state, 'gpu-1')?.taints).toEqual([{ key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' }]);
    expect(state.namespaces).toEqual(['default', 'gpu-operator', 'kube-system']);
    expect(state.storageClasses).toEqual([{ name: 'gp3', provisioner: 'ebs.csi.aws.com', isDefault: true }]);
    expect(state.ingressClasses).toEqual([{ name: 'nginx', controller: 'k8s.io/ingress-nginx', isDefault: false }]);
    expect(state.components).toEqual([
      { id: 'gpu-operator', managedByFleetdeck: false, evidence: 'CRD clusterpolicies.nvidia.com, namespace gpu-operator' },
      { id: 'cert-manager', managedByFleetdeck: true, evidence: 'CRD certificates.cert-manager.io' },
    ]);
    expect(state.warnings).toEqual([]);
    expect(conn.invalidFrames).toEqual([]);
  });

  it('follows up with preflight results once the probes ran', async () => {
    const { conn } = await connectedAgent();
    await waitFor(() => check(conn.state, 'prometheus')?.status === 'pass', 5000, 'prometheus check');
    await waitFor(() => check(conn.state, 'registry-egress')?.status === 'pass', 5000, 'registry check');
    expect(conn.state?.preflight.map((p) => [p.id, p.status])).toEqual([
      ['kubernetes-version', 'pass'],
      ['node-pool-labels', 'pass'],
      ['gpu-type-labels', 'pass'],
      ['default-storage-class', 'pass'],
      ['ingress-class', 'pass'],
      ['cert-manager', 'pass'],
      ['prometheus', 'pass'],
      ['registry-egress', 'pass'],
    ]);
  });

  it('names unreachable registries and an unready Prometheus', async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', () => resolve()));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const { conn } = await connectedAgent({
      prometheusUrl: 'http://127.0.0.1:1',
      registryHosts: [`127.0.0.1:${(registry.address() as AddressInfo).port}`, `127.0.0.1:${closedPort}`],
    });
    await waitFor(() => check(conn.state, 'registry-egress')?.status === 'fail', 5000, 'registry check');
    expect(check(conn.state, 'registry-egress')?.detail).toBe(`unreachable: 127.0.0.1:${closedPort} (ECONNREFUSED)`);
    expect(check(conn.state, 'prometheus')).toMatchObject({ status: 'fail', detail: expect.stringContaining('127.0.0.1:1') });
  });

  it('uses the label keys the control plane configured', async () => {
    await controlPlane.stop();
    controlPlane = await new FakeControlPlane({
      tokens: [TOKEN],
      welcome: { nodePoolLabel: 'kubernetes.io/hostname', gpuTypeLabel: 'missing/label', prometheusUrl: prometheus.url },
    }).start();
    const { state } = await connectedAgent();
    expect(state.nodes.map((n) => [n.nodePool, n.gpuType])).toEqual([
      ['cpu-1', null],
      ['gpu-1', null],
      ['gpu-2', null],
    ]);
    expect(check(state, 'gpu-type-labels')).toEqual({
      id: 'gpu-type-labels',
      status: 'fail',
      detail: '2 GPU nodes lack missing/label: gpu-1, gpu-2',
    });
  });
});

describe('agent: deltas from watches', () => {
  it('streams an added node, a relabel and a deletion as deltas', async () => {
    const { conn } = await connectedAgent();
    await waitFor(() => kube.openWatchCount('nodes') === 1);
    const deltasBefore = conn.framesOf('delta').length;

    kube.addNode(buildGpuNode({ name: 'gpu-3', nodePool: 'b200', gpuType: 'B200', gpus: 8 }));
    kube.setNodeLabels('gpu-1', { [POOL]: 'h100-reserved' });
    kube.deleteNode('cpu-1');

    await waitFor(() => nodeOf(conn.state, 'gpu-3') && !nodeOf(conn.state, 'cpu-1'), 5000, 'deltas applied');
    await waitFor(() => nodeOf(conn.state, 'gpu-1')?.nodePool === 'h100-reserved', 5000, 'relabel');
    expect(nodeOf(conn.state, 'gpu-3')).toMatchObject({ nodePool: 'b200', gpuType: 'B200', gpuCount: 8, ready: true });
    const changes = conn.framesOf('delta').slice(deltasBefore).flatMap((d) => d.changes);
    expect(changes).toContainEqual({ kind: 'node.delete', name: 'cpu-1' });
    expect(changes.filter((c) => c.kind === 'node.upsert').map((c) => c.node.name).sort()).toEqual(['gpu-1', 'gpu-3']);
    // Coalesced: three events, far fewer frames than one per event would need.
    expect(conn.framesOf('delta').length - deltasBefore).toBeLessThanOrEqual(2);
    expect(conn.invalidFrames).toEqual([]);
  });

  it('recomputes preflight when a GPU node loses its GPU-type label', async () => {
    const { conn } = await connectedAgent();
    await waitFor(() => kube.openWatchCount('nodes') === 1);
    kube.setNodeLabels('gpu-2', { [GPU]: null });
    await waitFor(() => check(conn.state, 'gpu-type-labels')?.status === 'fail', 5000, 'preflight delta');
    expect(check(conn.state, 'gpu-type-labels')?.detail).toBe(`1 GPU node lacks ${GPU}: gpu-2`);
    expect(nodeOf(conn.state, 'gpu-2')?.gpuType).toBeNull();
  });

  it('streams namespaces, classes and components', async () => {
    const { conn } = await connectedAgent();
    await waitFor(() => kube.openWatchCount('customresourcedefinitions') === 1 && kube.openWatchCount('namespaces') === 1);
    kube.addNamespace('team-a-dev');
    kube.deleteNamespace('default');
    kube.addCrd('scaledobjects.keda.sh');
    kube.addStorageClass('lambda-shared', { provisioner: 'nfs.csi.k8s.io' });
    await waitFor(() => conn.state?.components.some((c) => c.id === 'keda'), 5000, 'keda detected');
    await waitFor(() => conn.state?.storageClasses.length === 2, 5000, 'storage class');
    expect(conn.state?.namespaces).toEqual(['gpu-operator', 'kube-system', 'team-a-dev']);
  });

  it('re-establishes dropped watches and relists after 410 Gone', async () => {
    const { conn } = await connectedAgent();
    await waitFor(() => kube.openWatchCount('nodes') === 1);
    const listsBefore = kube.requests.filter((r) => r.path === '/api/v1/nodes' && r.query.watch !== 'true').length;
    kube.compactHistory();
    kube.dropWatches();
    kube.addNode(buildNode({ name: 'cpu-9', nodePool: 'system' }));
    await waitFor(() => nodeOf(conn.state, 'cpu-9'), 5000, 'node seen after relist');
    const listsAfter = kube.requests.filter((r) => r.path === '/api/v1/nodes' && r.query.watch !== 'true').length;
    expect(listsAfter).toBe(listsBefore + 1);
    await waitFor(() => kube.openWatchCount('nodes') === 1);
  });
});

describe('agent: refused optional resources', () => {
  it('reports a 403 on ingressclasses as a warning, keeps running, and recovers when allowed', async () => {
    kube.refuse('ingressclasses', 403);
    kube.refuse('/apis/apiextensions.k8s.io/v1/customresourcedefinitions', 404);
    const { agent, conn, state } = await connectedAgent();
    expect(state.warnings).toEqual(['customresourcedefinitions: not found', 'ingressclasses: forbidden']);
    expect(state.ingressClasses).toEqual([]);
    expect(check(state, 'ingress-class')?.status).toBe('unknown');
    expect(check(state, 'cert-manager')?.status).toBe('unknown');
    expect(state.nodes).toHaveLength(3);

    // Still alive: answers a heartbeat and streams node changes.
    conn.send({ type: 'ping', id: 7 });
    await waitFor(() => conn.framesOf('pong').some((p) => p.id === 7), 2000, 'pong');
    expect(agent.connected).toBe(true);

    kube.allow('ingressclasses');
    await waitFor(() => conn.state?.warnings.length === 1, 5000, 'warning cleared');
    expect(conn.state?.ingressClasses.map((i) => i.name)).toEqual(['nginx']);
    expect(check(conn.state, 'ingress-class')?.status).toBe('pass');
  });

  it('reports a resource that keeps failing as unavailable, then recovers with backoff', async () => {
    kube.refuse('nodes', 500);
    const { conn, state } = await connectedAgent();
    expect(state.warnings).toEqual(['nodes: unavailable']);
    expect(state.nodes).toEqual([]);
    expect(check(state, 'node-pool-labels')?.status).toBe('unknown');
    kube.allow('nodes');
    await waitFor(() => conn.state?.nodes.length === 3, 5000, 'nodes after recovery');
    expect(conn.state?.warnings).toEqual([]);
  });
});

describe('agent: connection lifecycle', () => {
  it('stops with a failure and does not retry when the token is refused with 401', async () => {
    const agent = runAgent({ token: 'fdct_wrong_token_0000000000000000000000000000' });
    const exit = await agent.done;
    expect(exit).toMatchObject({ ok: false, reason: 'token_rejected' });
    expect(controlPlane.refusedUpgrades).toEqual([401]);
    expect(controlPlane.connections).toHaveLength(0);
    expect(logLines.some((l) => l.includes('the control plane rejected the cluster token'))).toBe(true);
    expect(logLines.some((l) => l.includes('fdct_wrong_token'))).toBe(false);
  });

  it('stops with a failure when the session is revoked (4001)', async () => {
    const { agent, conn } = await connectedAgent();
    controlPlane.revokeToken(TOKEN);
    conn.revoke('token rotated');
    expect(await agent.done).toMatchObject({ ok: false, reason: 'token_rejected' });
    expect(controlPlane.connections).toHaveLength(1);
    expect(controlPlane.refusedUpgrades).toEqual([]);
    // The agent released its watches: nothing keeps polling the API server.
    await waitFor(() => kube.openWatchCount() === 0, 2000, 'watches closed');
  });

  it('stops with a failure when the control plane does not support its protocol (4002)', async () => {
    const { agent, conn } = await connectedAgent();
    conn.close(CLOSE_CODES.unsupportedProtocol, 'protocol 1 not supported');
    expect(await agent.done).toMatchObject({ ok: false, reason: 'protocol_unsupported' });
  });

  it('backs off to the cap when another agent took the session (4000), then comes back', async () => {
    const { conn } = await connectedAgent({ reconnect: { baseMs: 50, capMs: 300 } });
    conn.close(CLOSE_CODES.replaced, 'replaced');
    const second = await controlPlane.waitForConnection(2, 3000);
    await controlPlane.waitForSnapshot(second);
    const line = logLines.find((l) => l.includes("another agent took over this cluster's session"));
    expect(JSON.parse(line ?? '{}')).toMatchObject({ closeCode: 4000, reconnectInMs: 300 });
  });

  it('reconnects at once when asked to (4004), without backing off, and sends a fresh snapshot each time', async () => {
    // A backoff this long would show: only an immediate redial makes the deadlines below.
    const { agent, conn } = await connectedAgent({ reconnect: { baseMs: 20_000, capMs: 30_000 } });
    await waitFor(() => kube.openWatchCount('nodes') === 1);
    kube.addNode(buildNode({ name: 'cpu-2', nodePool: 'system' }));
    conn.reconnect('moving the session');
    const second = await controlPlane.waitForConnection(2, 3000);
    expect((await controlPlane.waitForSnapshot(second)).nodes.map((n) => n.name)).toContain('cpu-2');
    second.reconnect();
    const third = await controlPlane.waitForConnection(3, 3000);
    await controlPlane.waitForSnapshot(third);

    expect(conn.closeCode).toBe(CLOSE_CODES.reconnect);
    expect([second, third].map((c) => c.frames.map((f) => f.type).slice(0, 2))).toEqual([
      ['hello', 'snapshot'],
      ['hello', 'snapshot'],
    ]);
    const asked = logLines.filter((l) => l.includes('the control plane asked for a new session'));
    expect(asked.map((l) => JSON.parse(l) as Record<string, unknown>)).toEqual([
      expect.objectContaining({ level: 'info', closeCode: 4004, reconnectInMs: 0 }),
      expect.objectContaining({ level: 'info', closeCode: 4004, reconnectInMs: 0 }),
    ]);
    expect(await Promise.race([agent.done.then(() => 'stopped'), Promise.resolve('running')])).toBe('running');
    expect(agent.connected).toBe(true);
  });

  it('reconnects after a drop and sends a fresh snapshot with what changed meanwhile', async () => {
    const { conn } = await connectedAgent();
    await waitFor(() => kube.openWatchCount('nodes') === 1);
    conn.terminate();
    kube.addNode(buildGpuNode({ name: 'gpu-4', nodePool: 'h100', gpuType: 'H100', gpus: 8 }));
    const second = await controlPlane.waitForConnection(2);
    const state = await controlPlane.waitForSnapshot(second);
    expect(second.frames.map((f) => f.type).slice(0, 2)).toEqual(['hello', 'snapshot']);
    expect(state.nodes.map((n) => n.name)).toEqual(['cpu-1', 'gpu-1', 'gpu-2', 'gpu-4']);
    expect(second.invalidFrames).toEqual([]);
  });

  it('keeps retrying with backoff while the control plane is down', async () => {
    const port = new URL(controlPlane.url).port;
    await controlPlane.stop();
    const agent = runAgent();
    await waitFor(() => logLines.filter((l) => l.includes('disconnected from the control plane')).length >= 3, 5000);
    const delays = logLines
      .filter((l) => l.includes('disconnected from the control plane'))
      .map((l) => (JSON.parse(l) as { reconnectInMs: number }).reconnectInMs);
    expect(delays.every((d) => d >= 0 && d <= 500)).toBe(true);
    expect(agent.connected).toBe(false);
    // Back on the same port: the agent finds it by itself.
    controlPlane = await new FakeControlPlane({ tokens: [TOKEN], welcome: { prometheusUrl: prometheus.url } }).start(
      Number(port),
    );
    const conn = await controlPlane.waitForConnection(1, 5000);
    await controlPlane.waitForSnapshot(conn);
  });

  it('answers pings with pongs carrying the same id', async () => {
    const { conn } = await connectedAgent();
    conn.send({ type: 'ping', id: 41 });
    conn.send({ type: 'ping', id: 42 });
    await waitFor(() => conn.framesOf('pong').length === 2);
    expect(conn.framesOf('pong').map((p) => p.id)).toEqual([41, 42]);
  });

  it('reconnects when the control plane goes silent past three heartbeats', async () => {
    await controlPlane.stop();
    controlPlane = await new FakeControlPlane({
      tokens: [TOKEN],
      welcome: { prometheusUrl: prometheus.url, heartbeatIntervalMs: 100 },
    }).start();
    const { conn } = await connectedAgent();
    await waitFor(() => conn.closed, 3000, 'silent connection dropped');
    await controlPlane.waitForConnection(2, 3000);
  });

  it('answers a malformed frame with an error frame saying what is wrong, and stays connected', async () => {
    const { agent, conn } = await connectedAgent();
    conn.socket.send('{not json');
    conn.send({ type: 'teleport' });
    conn.send({ type: 'request', id: 'r1', method: 'prometheus.query', params: { query: 'up' } });
    await waitFor(() => conn.framesOf('error').length === 3);
    expect(conn.framesOf('error')).toEqual([
      { type: 'error', code: 'bad_frame', message: 'frame is not JSON' },
      { type: 'error', code: 'bad_frame', message: 'unexpected frame: unknown frame type "teleport"' },
      { type: 'error', code: 'bad_frame', message: expect.stringContaining('deadlineMs') },
    ]);
    expect(conn.framesOf('response')).toEqual([]);
    expect(agent.connected).toBe(true);
  });
});

describe('agent: requests from the control plane', () => {
  it('proxies prometheus.query to Prometheus and returns its data', async () => {
    const { conn } = await connectedAgent();
    const response = await conn.request('prometheus.query', { query: 'sum(kube_node_info)', time: 1700000000 });
    expect(response).toEqual({
      type: 'response',
      id: expect.any(String),
      ok: true,
      result: { resultType: 'vector', result: [{ metric: {}, value: [1700000000, '64'] }] },
    });
    expect(prometheus.queries).toEqual([
      { path: '/api/v1/query', params: { query: 'sum(kube_node_info)', time: '1700000000' } },
    ]);
  });

  it('answers an unknown method with unknown_method and bad params with bad_params', async () => {
    const { conn, agent } = await connectedAgent();
    expect(await conn.request('pods.exec', { pod: 'x' })).toMatchObject({
      ok: false,
      error: { code: 'unknown_method', message: 'this agent does not serve method "pods.exec"' },
    });
    expect(await conn.request('prometheus.query', { promql: 'up' })).toMatchObject({
      ok: false,
      error: { code: 'bad_params', message: expect.stringContaining('query') },
    });
    expect(prometheus.queries).toEqual([]);
    expect(agent.connected).toBe(true);
  });

  it('answers deadline_exceeded itself before the control plane stops waiting', async () => {
    const slow = await new FakePrometheus({ delayMs: 5000 }).start();
    try {
      const { conn, agent } = await connectedAgent({ prometheusUrl: slow.url });
      const started = Date.now();
      // Rejects with ControlPlaneGaveUp if the agent's own answer does not come first.
      const response = await conn.request('prometheus.query', { query: 'up' }, 1000);
      const elapsed = Date.now() - started;
      expect(response).toMatchObject({
        ok: false,
        error: { code: 'deadline_exceeded', message: 'prometheus.query did not finish within 750 ms (of the 1000 ms allowed)' },
      });
      expect(elapsed).toBeLessThan(1000);
      expect(agent.connected).toBe(true);
    } finally {
      await slow.stop();
    }
  });

  it('is given up on by the control plane when it does not answer at all', async () => {
    const { conn } = await connectedAgent();
    conn.socket.pause();
    await expect(conn.request('prometheus.query', { query: 'up' }, 200)).rejects.toBeInstanceOf(ControlPlaneGaveUp);
    conn.socket.resume();
  });

  it('creates a workspace namespace with labels, once', async () => {
    const { conn } = await connectedAgent();
    const labels = { 'app.kubernetes.io/managed-by': 'fleetdeck', 'fleetdeck.io/workspace': 'team-a-dev' };
    const first = await conn.request('namespace.ensure', { name: 'team-a-dev', labels });
    const second = await conn.request('namespace.ensure', { name: 'team-a-dev', labels });
    expect([first, second].map((r) => (r.ok ? r.result : r.error))).toEqual([{ created: true }, { created: false }]);
    expect(kube.get('namespaces', 'team-a-dev')?.metadata?.labels).toMatchObject(labels);
    await waitFor(() => conn.state?.namespaces.includes('team-a-dev'), 5000, 'namespace delta');
  });

  it('reports a refused namespace creation as an upstream error with the API server message', async () => {
    const { conn } = await connectedAgent();
    kube.refuse('namespaces', 403);
    const response = await conn.request('namespace.ensure', { name: 'team-b-prod', labels: {} });
    expect(response).toMatchObject({
      ok: false,
      error: { code: 'upstream_error', message: expect.stringContaining('namespaces is forbidden') },
    });
  });
});
