import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '@/testing/wait-for';
import { clusterNodes, clusterReports, clusters, clusterTokens } from '@/db/schema';
import { CLOSE_CODES, type ControlPlaneFrame } from '@/lib/agent-protocol';
import { startGateway, insertCluster, type GatewayHarness } from '@/testing/gateway-fixtures';
import { attemptUpgrade, clusterState, gpuNode, node, ProtocolClient } from '@/testing/protocol-client';

type ErrorFrame = Extract<ControlPlaneFrame, { type: 'error' }>;
const isError = (f: ControlPlaneFrame): f is ErrorFrame => f.type === 'error';

let h: GatewayHarness;
const clients: ProtocolClient[] = [];

async function connect(token: string, options: Parameters<typeof ProtocolClient.connect>[2] = {}): Promise<ProtocolClient> {
  const client = await ProtocolClient.connect(h.baseUrl, token, options);
  clients.push(client);
  return client;
}

function clusterRow(clusterId: number) {
  return h.db.select().from(clusters).where(eq(clusters.id, clusterId)).get();
}

beforeEach(async () => {
  h = await startGateway({ heartbeat: { intervalMs: 100, timeoutMs: 400, sweepMs: 50 } });
});

afterEach(async () => {
  for (const client of clients.splice(0)) client.kill();
  await h.close();
});

describe('when an agent connects with a valid token', () => {
  it('marks the cluster connected and stores its nodes and counts', async () => {
    const { clusterId, token } = insertCluster(h.db, { nodePoolLabel: 'pool.example/key', gpuTypeLabel: 'gpu.example/type' });
    const client = await connect(token);
    const welcome = await client.hello({ agentVersion: '1.2.3', kubernetesVersion: 'v1.31.0' });

    expect(welcome.config).toMatchObject({ nodePoolLabel: 'pool.example/key', gpuTypeLabel: 'gpu.example/type', heartbeatIntervalMs: 100 });
    expect(welcome.clusterName).toBe(clusterRow(clusterId)?.name);

    client.snapshot(
      clusterState({
        nodes: [
          node('cpu-1'),
          node('cpu-2', { ready: false }),
          gpuNode('gpu-1', 'H100', 8),
          gpuNode('gpu-2', 'H100', 8),
          gpuNode('gpu-3', 'L4', 4),
          gpuNode('gpu-4', 'H100', 8, { gpuType: null }),
        ],
        namespaces: ['kube-system', 'default'],
      }),
    );

    const row = await waitFor(() => {
      const r = clusterRow(clusterId);
      return r?.nodeCount === 6 ? r : undefined;
    });
    expect(row).toMatchObject({
      status: 'connected',
      statusReasons: [],
      agentVersion: '1.2.3',
      kubernetesVersion: 'v1.31.0',
      nodeCount: 6,
      readyNodeCount: 5,
      gpuCount: 28,
      gpusByType: { H100: 16, L4: 4, unlabelled: 8 },
      disconnectedAt: null,
    });
    expect(row.connectedAt).toBeInstanceOf(Date);
    expect(row.lastSeenAt).toBeInstanceOf(Date);
    const nodes = h.db.select().from(clusterNodes).where(eq(clusterNodes.clusterId, clusterId)).all();
    expect(nodes.map((n) => n.name).sort()).toEqual(['cpu-1', 'cpu-2', 'gpu-1', 'gpu-2', 'gpu-3', 'gpu-4']);
    expect(nodes.find((n) => n.name === 'gpu-3')).toMatchObject({ nodePool: 'l4-pool', gpuType: 'L4', gpuCount: 4, ready: true });
    const report = h.db.select().from(clusterReports).where(eq(clusterReports.clusterId, clusterId)).get();
    expect(report?.namespaces).toEqual(['default', 'kube-system']);
    expect(h.gateway.isConnected(clusterId)).toBe(true);
  });

  it('applies deltas: added, changed and deleted nodes, namespaces, preflight', async () => {
    const { clusterId, token } = insertCluster(h.db);
    const client = await connect(token);
    await client.hello();
    client.snapshot(clusterState({ nodes: [node('a'), gpuNode('b', 'A100', 8)] }));
    client.delta(
      { kind: 'node.upsert', node: gpuNode('c', 'B200', 8) },
      { kind: 'node.upsert', node: gpuNode('b', 'H200', 8, { ready: false }) },
      { kind: 'node.delete', name: 'a' },
      { kind: 'namespace.upsert', name: 'team-a-dev' },
      { kind: 'preflight', results: [{ id: 'default-storage-class', status: 'fail', detail: 'No default StorageClass' }] },
    );

    const row = await waitFor(() => {
      const r = clusterRow(clusterId);
      return r?.status === 'degraded' && r.nodeCount === 2 ? r : undefined;
    });
    expect(row).toMatchObject({ readyNodeCount: 1, gpuCount: 16, gpusByType: { H200: 8, B200: 8 } });
    expect(row.statusReasons).toEqual(['No default StorageClass']);
    const report = h.db.select().from(clusterReports).where(eq(clusterReports.clusterId, clusterId)).get();
    expect(report?.namespaces).toEqual(['default', 'kube-system', 'team-a-dev']);
  });

  it('keeps the last-known nodes when the agent goes away', async () => {
    const { clusterId, token } = insertCluster(h.db);
    const client = await connect(token);
    await client.hello();
    client.snapshot(clusterState({ nodes: [gpuNode('g', 'H100', 8)] }));
    await waitFor(() => clusterRow(clusterId)?.gpuCount === 8);
    client.close();
    await waitFor(() => clusterRow(clusterId)?.status === 'disconnected');
    expect(clusterRow(clusterId)).toMatchObject({ nodeCount: 1, gpuCount: 8 });
    expect(h.db.select().from(clusterNodes).where(eq(clusterNodes.clusterId, clusterId)).all()).toHaveLength(1);
  });
});

describe('when the token is not good', () => {
  it.each([
    ['missing', {}],
    ['not a bearer token', { authorization: 'Basic Zm9vOmJhcg==' }],
    ['unknown', { authorization: 'Bearer fdct_thisTokenWasNeverMintedAnywhereAtAll1234567' }],
  ])('refuses a %s token with 401 and no upgrade', async (_label, headers) => {
    const result = await attemptUpgrade(h.baseUrl, headers);
    expect(result).toMatchObject({ upgraded: false, status: 401 });
  });

  it('refuses a revoked (rotated) token', async () => {
    const { clusterId, token, tokenId } = insertCluster(h.db);
    expect(await attemptUpgrade(h.baseUrl, { authorization: `Bearer ${token}` })).toEqual({ upgraded: true });
    h.db.update(clusterTokens).set({ revokedAt: new Date() }).where(eq(clusterTokens.id, tokenId)).run();
    expect(await attemptUpgrade(h.baseUrl, { authorization: `Bearer ${token}` })).toMatchObject({ upgraded: false, status: 401 });
    expect(clusterRow(clusterId)?.status).toBe('awaiting_agent');
  });

  it('refuses the token of a detached (deleted) cluster', async () => {
    const { clusterId, token } = insertCluster(h.db);
    h.db.delete(clusters).where(eq(clusters.id, clusterId)).run();
    expect(await attemptUpgrade(h.baseUrl, { authorization: `Bearer ${token}` })).toMatchObject({ upgraded: false, status: 401 });
  });

  it('leaves upgrades on other paths to other listeners', async () => {
    const { token } = insertCluster(h.db);
    let otherUpgrades = 0;
    h.server.on('upgrade', (req, socket) => {
      if (req.url === '/_next/hmr') {
        otherUpgrades++;
        socket.end('HTTP/1.1 418 I\'m a teapot\r\nContent-Length: 0\r\n\r\n');
      }
    });
    const result = await attemptUpgrade(h.baseUrl, { authorization: `Bearer ${token}` }, '/_next/hmr');
    expect(result).toMatchObject({ upgraded: false, status: 418 });
    expect(otherUpgrades).toBe(1);
  });
});

describe('one live session per cluster', () => {
  it('closes the first connection with "replaced" when a second one arrives, and stays connected', async () => {
    const { clusterId, token } = insertCluster(h.db);
    const first = await connect(token);
    await first.hello();
    await waitFor(() => clusterRow(clusterId)?.status === 'connected');
    const second = await connect(token);
    expect((await first.closed).code).toBe(CLOSE_CODES.replaced);
    await second.hello();
    second.snapshot(clusterState({ nodes: [node('n1')] }));
    await waitFor(() => clusterRow(clusterId)?.nodeCount === 1);
    expect(clusterRow(clusterId)?.status).toBe('connected');
    expect(h.gateway.isConnected(clusterId)).toBe(true);
  });

  it('disconnectCluster closes the session with "revoked" within a second and marks it disconnected', async () => {
    const { clusterId, token } = insertCluster(h.db);
    const client = await connect(token);
    await client.hello();
    await waitFor(() => clusterRow(clusterId)?.status === 'connected');
    const started = Date.now();
    // A long, non-ASCII reason must not break the close (frames cap reasons at 123 bytes).
    expect(h.gateway.disconnectCluster(clusterId, `Token rotated by Zoë ${'—'.repeat(80)}`)).toBe(true);
    const closed = await client.closed;
    expect(closed.code).toBe(CLOSE_CODES.revoked);
    expect(closed.reason).toMatch(/^Token rotated by Zoë —/);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(h.gateway.isConnected(clusterId)).toBe(false);
    await waitFor(() => clusterRow(clusterId)?.status === 'disconnected', 1_000);
  });

  it('notices a token revoked behind its back (no disconnectCluster call) and closes with "revoked"', async () => {
    await h.close();
    h = await startGateway({ tokenRecheckMs: 100 });
    const { clusterId, token, tokenId } = insertCluster(h.db);
    const client = await connect(token);
    await client.hello();
    h.db.update(clusterTokens).set({ revokedAt: new Date() }).where(eq(clusterTokens.id, tokenId)).run();
    expect((await client.closed).code).toBe(CLOSE_CODES.revoked);
    await waitFor(() => clusterRow(clusterId)?.status === 'disconnected', 1_000);
  });
});

describe('frames', () => {
  it('answers a malformed frame with an error frame and keeps serving', async () => {
    const { clusterId, token } = insertCluster(h.db);
    const client = await connect(token);
    await client.hello();
    client.sendRaw('{not json');
    expect((await client.nextFrame(isError)).message).toMatch(/not valid JSON/);
    client.sendRaw(JSON.stringify({ type: 'snapshot', state: { nodes: 'many' } }));
    expect((await client.nextFrame(isError)).message).toMatch(/state\.nodes/);
    client.sendRaw(JSON.stringify({ type: 'launch-missiles' }));
    expect((await client.nextFrame(isError)).message).toMatch(/unknown frame type/);
    client.snapshot(clusterState({ nodes: [node('still-here')] }));
    await waitFor(() => clusterRow(clusterId)?.nodeCount === 1);
    expect(h.gateway.isConnected(clusterId)).toBe(true);
  });

  it('asks for hello before state', async () => {
    const { clusterId, token } = insertCluster(h.db);
    const client = await connect(token);
    client.snapshot(clusterState({ nodes: [node('early')] }));
    expect((await client.nextFrame(isError)).code).toBe('hello_required');
    h.gateway.flush();
    expect(clusterRow(clusterId)?.nodeCount).toBeNull();
  });

  it('closes an agent speaking an unsupported protocol version', async () => {
    const { token } = insertCluster(h.db);
    const client = await connect(token);
    client.send({ type: 'hello', protocolVersion: 99, agentVersion: 'x', kubernetesVersion: 'v1.30.0' });
    expect((await client.closed).code).toBe(CLOSE_CODES.unsupportedProtocol);
  });

  it('enforces the frame size cap by closing with 1009', async () => {
    const { token } = insertCluster(h.db);
    const client = await connect(token);
    await client.hello();
    client.sendRaw('x'.repeat(16 * 1024 * 1024 + 1));
    expect((await client.closed).code).toBe(1009);
  });
});

describe('heartbeat', () => {
  it('pings, and a connected agent that answers stays connected', async () => {
    const { clusterId, token } = insertCluster(h.db);
    const client = await connect(token);
    await client.hello();
    await client.nextFrame((f): f is Extract<ControlPlaneFrame, { type: 'ping' }> => f.type === 'ping');
    // Several timeouts' worth of time: the answered pings must keep it alive.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(h.gateway.isConnected(clusterId)).toBe(true);
    expect(clusterRow(clusterId)?.status).toBe('connected');
  });

  it('marks a silent agent disconnected after the timeout', async () => {
    const { clusterId, token } = insertCluster(h.db);
    const client = await connect(token);
    await client.hello();
    await waitFor(() => clusterRow(clusterId)?.status === 'connected');
    const connectedAt = clusterRow(clusterId)?.connectedAt?.getTime() ?? 0;
    // Answer pings into the next second (timestamps are stored in seconds), then fall silent.
    await waitFor(() => Date.now() >= connectedAt + 1_500, 3_000);
    client.answerPings = false;
    const silentSince = Date.now();
    const closed = await client.closed;
    expect(closed.code).toBe(CLOSE_CODES.heartbeatTimeout);
    await waitFor(() => clusterRow(clusterId)?.status === 'disconnected', 2_000);
    // timeout 400 ms + sweep 50 ms + flush 50 ms, with slack for a loaded machine.
    expect(Date.now() - silentSince).toBeLessThan(1_500);
    expect(Date.now() - silentSince).toBeGreaterThanOrEqual(300);
    // lastSeenAt is written coarsely while connected, but exactly (to the second) at the end.
    expect(clusterRow(clusterId)?.lastSeenAt?.getTime()).toBeGreaterThan(connectedAt);
  });

  it('marks a cleanly closed agent disconnected at once', async () => {
    const { clusterId, token } = insertCluster(h.db);
    const client = await connect(token);
    await client.hello();
    await waitFor(() => clusterRow(clusterId)?.status === 'connected');
    const closedAt = Date.now();
    client.close();
    await waitFor(() => clusterRow(clusterId)?.status === 'disconnected', 1_000);
    // Well under the heartbeat timeout: it was the close, not the silence.
    expect(Date.now() - closedAt).toBeLessThan(300);
    expect(clusterRow(clusterId)?.disconnectedAt).toBeInstanceOf(Date);
  });
});
