import type { IncomingMessage } from 'node:http';
import net from 'node:net';
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AGENT_CONNECT_PATH, CLOSE_CODES, type ControlPlaneFrame } from '@/lib/agent-protocol';
import { isAgentConnectRequest } from './index';
import { insertCluster, startGateway, type GatewayHarness } from '@/testing/gateway-fixtures';
import { attemptUpgrade, clusterState, gpuNode, node, ProtocolClient } from '@/testing/protocol-client';
import { waitFor } from '@/testing/wait-for';

type ErrorFrame = Extract<ControlPlaneFrame, { type: 'error' }>;
const isError = (f: ControlPlaneFrame): f is ErrorFrame => f.type === 'error';

let h: GatewayHarness;
const clients: ProtocolClient[] = [];

async function connect(token: string, options: Parameters<typeof ProtocolClient.connect>[2] = {}): Promise<ProtocolClient> {
  const client = await ProtocolClient.connect(h.baseUrl, token, options);
  clients.push(client);
  return client;
}

async function clusterRow(clusterId: number) {
  const { clusters } = h.store.tables;
  const [row] = await h.store.db.select().from(clusters).where(eq(clusters.id, clusterId));
  return row;
}

async function nodesOf(clusterId: number) {
  const { clusterNodes } = h.store.tables;
  return h.store.db.select().from(clusterNodes).where(eq(clusterNodes.clusterId, clusterId));
}

async function reportOf(clusterId: number) {
  const { clusterReports } = h.store.tables;
  const [row] = await h.store.db.select().from(clusterReports).where(eq(clusterReports.clusterId, clusterId));
  return row;
}

async function revokeToken(tokenId: number): Promise<void> {
  const { clusterTokens } = h.store.tables;
  await h.store.transaction((tx) => tx.update(clusterTokens).set({ revokedAt: new Date() }).where(eq(clusterTokens.id, tokenId)));
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
    const { clusterId, token } = await insertCluster(h.store, { nodePoolLabel: 'pool.example/key', gpuTypeLabel: 'gpu.example/type' });
    const client = await connect(token);
    const welcome = await client.hello({ agentVersion: '1.2.3', kubernetesVersion: 'v1.31.0' });

    expect(welcome.config).toMatchObject({ nodePoolLabel: 'pool.example/key', gpuTypeLabel: 'gpu.example/type', heartbeatIntervalMs: 100 });
    expect(welcome.clusterName).toBe((await clusterRow(clusterId))?.name);

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

    const row = await waitFor(async () => {
      const r = await clusterRow(clusterId);
      return r?.nodeCount === 6 ? r : undefined;
    });
    expect(row).toMatchObject({
      // Connected, and one node NotReady: the cluster needs attention, with the node named.
      status: 'degraded',
      statusReasons: ['Node cpu-2 is NotReady'],
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
    const nodes = await nodesOf(clusterId);
    expect(nodes.map((n) => n.name).sort()).toEqual(['cpu-1', 'cpu-2', 'gpu-1', 'gpu-2', 'gpu-3', 'gpu-4']);
    expect(nodes.find((n) => n.name === 'gpu-3')).toMatchObject({ nodePool: 'l4-pool', gpuType: 'L4', gpuCount: 4, ready: true });
    expect((await reportOf(clusterId))?.namespaces).toEqual(['default', 'kube-system']);
    expect(h.gateway.isConnected(clusterId)).toBe(true);
  });

  it('applies deltas: added, changed and deleted nodes, namespaces, preflight', async () => {
    const { clusterId, token } = await insertCluster(h.store);
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

    const row = await waitFor(async () => {
      const r = await clusterRow(clusterId);
      return r?.status === 'degraded' && r.nodeCount === 2 ? r : undefined;
    });
    expect(row).toMatchObject({ readyNodeCount: 1, gpuCount: 16, gpusByType: { H200: 8, B200: 8 } });
    expect(row.statusReasons).toEqual(['Node b is NotReady', 'No default StorageClass']);
    expect((await reportOf(clusterId))?.namespaces).toEqual(['default', 'kube-system', 'team-a-dev']);
  });

  it('keeps the last-known nodes when the agent goes away', async () => {
    const { clusterId, token } = await insertCluster(h.store);
    const client = await connect(token);
    await client.hello();
    client.snapshot(clusterState({ nodes: [gpuNode('g', 'H100', 8)] }));
    await waitFor(async () => (await clusterRow(clusterId))?.gpuCount === 8);
    client.close();
    await waitFor(async () => (await clusterRow(clusterId))?.status === 'disconnected');
    expect(await clusterRow(clusterId)).toMatchObject({ nodeCount: 1, gpuCount: 8 });
    expect(await nodesOf(clusterId)).toHaveLength(1);
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
    const { clusterId, token, tokenId } = await insertCluster(h.store);
    expect(await attemptUpgrade(h.baseUrl, { authorization: `Bearer ${token}` })).toEqual({ upgraded: true });
    await revokeToken(tokenId);
    expect(await attemptUpgrade(h.baseUrl, { authorization: `Bearer ${token}` })).toMatchObject({ upgraded: false, status: 401 });
    expect((await clusterRow(clusterId))?.status).toBe('awaiting_agent');
  });

  it('refuses the token of a detached (deleted) cluster', async () => {
    const { clusterId, token } = await insertCluster(h.store);
    const { clusters } = h.store.tables;
    await h.store.transaction((tx) => tx.delete(clusters).where(eq(clusters.id, clusterId)));
    expect(await attemptUpgrade(h.baseUrl, { authorization: `Bearer ${token}` })).toMatchObject({ upgraded: false, status: 401 });
  });

  it('claims only its own path, so the HTTP server hands every other upgrade (Next\'s HMR) elsewhere', () => {
    const request = (url: string) => ({ url }) as IncomingMessage;
    expect(isAgentConnectRequest(request(AGENT_CONNECT_PATH))).toBe(true);
    expect(isAgentConnectRequest(request(`${AGENT_CONNECT_PATH}?v=1`))).toBe(true);
    expect(isAgentConnectRequest(request('/_next/webpack-hmr'))).toBe(false);
    expect(isAgentConnectRequest(request(`${AGENT_CONNECT_PATH}/more`))).toBe(false);
  });

  it('drops an upgrade whose agent hung up while its token was being checked', async () => {
    const { clusterId, token } = await insertCluster(h.store);
    const socket = net.connect(Number(new URL(h.baseUrl).port), '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.end(
      `GET ${AGENT_CONNECT_PATH} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
        `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nAuthorization: Bearer ${token}\r\n\r\n`,
    );
    socket.destroy();
    // A real agent still gets in afterwards, and nothing of the dropped one lingers.
    const client = await connect(token);
    await client.hello();
    expect(h.gateway.isConnected(clusterId)).toBe(true);
    expect(h.gateway.connectedClusterCount()).toBe(1);
  });
});

describe('one live session per cluster', () => {
  it('closes the first connection with "replaced" when a second one arrives, and stays connected', async () => {
    const { clusterId, token } = await insertCluster(h.store);
    const first = await connect(token);
    await first.hello();
    await waitFor(async () => (await clusterRow(clusterId))?.status === 'connected');
    const second = await connect(token);
    expect((await first.closed).code).toBe(CLOSE_CODES.replaced);
    await second.hello();
    second.snapshot(clusterState({ nodes: [node('n1')] }));
    await waitFor(async () => (await clusterRow(clusterId))?.nodeCount === 1);
    expect((await clusterRow(clusterId))?.status).toBe('connected');
    expect(h.gateway.isConnected(clusterId)).toBe(true);
  });

  it('revoke closes the session with "revoked" (4001) within a second and marks it disconnected', async () => {
    const { clusterId, token } = await insertCluster(h.store);
    const client = await connect(token);
    await client.hello();
    await waitFor(async () => (await clusterRow(clusterId))?.status === 'connected');
    const started = Date.now();
    // A long, non-ASCII reason must not break the close (frames cap reasons at 123 bytes).
    expect(h.gateway.revoke(clusterId, `Token rotated by Zoë ${'—'.repeat(80)}`)).toBe(true);
    const closed = await client.closed;
    expect(closed.code).toBe(CLOSE_CODES.revoked);
    expect(closed.reason).toMatch(/^Token rotated by Zoë —/);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(h.gateway.isConnected(clusterId)).toBe(false);
    await waitFor(async () => (await clusterRow(clusterId))?.status === 'disconnected', 1_000);
  });

  it('reconnect closes the session with "reconnect" (4004), and the same token gets in again', async () => {
    const { clusterId, token } = await insertCluster(h.store);
    const client = await connect(token);
    await client.hello();
    expect(h.gateway.reconnect(clusterId, 'Settings changed')).toBe(true);
    expect(await client.closed).toEqual({ code: CLOSE_CODES.reconnect, reason: 'Settings changed' });
    expect(h.gateway.isConnected(clusterId)).toBe(false);
    const again = await connect(token);
    await again.hello();
    expect(h.gateway.isConnected(clusterId)).toBe(true);
    await waitFor(async () => (await clusterRow(clusterId))?.status === 'connected', 1_000);
  });

  it('revoke and reconnect say so when the cluster has no session', async () => {
    const { clusterId } = await insertCluster(h.store);
    expect(h.gateway.revoke(clusterId, 'x')).toBe(false);
    expect(h.gateway.reconnect(clusterId, 'x')).toBe(false);
  });

  it('notices a token revoked behind its back (no revoke call) and closes with "revoked"', async () => {
    await h.close();
    h = await startGateway({ tokenRecheckMs: 100 });
    const { clusterId, token, tokenId } = await insertCluster(h.store);
    const client = await connect(token);
    await client.hello();
    await revokeToken(tokenId);
    expect((await client.closed).code).toBe(CLOSE_CODES.revoked);
    await waitFor(async () => (await clusterRow(clusterId))?.status === 'disconnected', 1_000);
  });
});

describe('events', () => {
  const ofCluster = (clusterId: number) =>
    h.events.filter((e) => ('clusterId' in e && e.clusterId === clusterId) || ('clusterIds' in e && e.clusterIds.includes(clusterId)));
  const typesOf = (clusterId: number) => ofCluster(clusterId).map((e) => e.type);

  beforeEach(async () => {
    // Writes happen when the test flushes, so every event's moment is known.
    await h.close();
    h = await startGateway({ flushIntervalMs: 600_000 });
  });

  it('publishes opened on hello, changed after each write, ready once the first snapshot is stored, closed at the end', async () => {
    const { clusterId, token } = await insertCluster(h.store);
    const client = await connect(token);
    await client.hello();
    expect(typesOf(clusterId)).toEqual(['agent.sessionOpened']);

    await h.gateway.flush();
    // The connect is stored: changed, but not ready (no state yet).
    expect(typesOf(clusterId)).toEqual(['agent.sessionOpened', 'cluster.changed']);

    client.snapshot(clusterState({ nodes: [node('n1')] }));
    await waitFor(async () => {
      await h.gateway.flush();
      return typesOf(clusterId).includes('agent.sessionReady');
    });
    expect(ofCluster(clusterId).slice(2)).toEqual([
      { type: 'cluster.changed', clusterIds: [clusterId] },
      { type: 'agent.sessionReady', clusterId },
    ]);
    // Published after the commit: the snapshot's rows are readable by then.
    expect((await clusterRow(clusterId))?.nodeCount).toBe(1);

    // A second snapshot is state, not a new session: changed again, ready only once.
    client.snapshot(clusterState({ nodes: [node('n1'), node('n2')] }));
    await waitFor(async () => {
      await h.gateway.flush();
      return (await clusterRow(clusterId))?.nodeCount === 2;
    });
    expect(typesOf(clusterId).slice(4)).toEqual(['cluster.changed']);

    client.close();
    await waitFor(() => typesOf(clusterId).includes('agent.sessionClosed'));
    expect(ofCluster(clusterId).at(-1)).toMatchObject({ type: 'agent.sessionClosed', reason: expect.stringMatching(/^Agent closed the connection/) });
    await h.gateway.flush();
    expect(typesOf(clusterId).at(-1)).toBe('cluster.changed');
    expect((await clusterRow(clusterId))?.status).toBe('disconnected');
  });

  it('publishes nothing for an agent that never says hello', async () => {
    const { clusterId, token } = await insertCluster(h.store);
    const client = await connect(token);
    client.close();
    await client.closed;
    await h.gateway.flush();
    expect(ofCluster(clusterId)).toEqual([]);
  });

  it('does not take a replaced session\'s snapshot for the new session\'s readiness', async () => {
    const { clusterId, token } = await insertCluster(h.store);
    const first = await connect(token);
    await first.hello();
    first.snapshot(clusterState({ nodes: [node('old')] }));
    const second = await connect(token);
    await first.closed;
    await second.hello();
    await h.gateway.flush();
    expect(typesOf(clusterId)).not.toContain('agent.sessionReady');
    second.snapshot(clusterState({ nodes: [node('new')] }));
    await waitFor(async () => {
      await h.gateway.flush();
      return typesOf(clusterId).includes('agent.sessionReady');
    });
    expect((await nodesOf(clusterId)).map((n) => n.name)).toEqual(['new']);
  });
});

describe('frames', () => {
  it('answers a malformed frame with an error frame and keeps serving', async () => {
    const { clusterId, token } = await insertCluster(h.store);
    const client = await connect(token);
    await client.hello();
    client.sendRaw('{not json');
    expect((await client.nextFrame(isError)).message).toMatch(/not valid JSON/);
    client.sendRaw(JSON.stringify({ type: 'snapshot', state: { nodes: 'many' } }));
    expect((await client.nextFrame(isError)).message).toMatch(/state\.nodes/);
    client.sendRaw(JSON.stringify({ type: 'launch-missiles' }));
    expect((await client.nextFrame(isError)).message).toMatch(/unknown frame type/);
    client.snapshot(clusterState({ nodes: [node('still-here')] }));
    await waitFor(async () => (await clusterRow(clusterId))?.nodeCount === 1);
    expect(h.gateway.isConnected(clusterId)).toBe(true);
  });

  it('asks for hello before state', async () => {
    const { clusterId, token } = await insertCluster(h.store);
    const client = await connect(token);
    client.snapshot(clusterState({ nodes: [node('early')] }));
    expect((await client.nextFrame(isError)).code).toBe('hello_required');
    await h.gateway.flush();
    expect((await clusterRow(clusterId))?.nodeCount).toBeNull();
  });

  it('closes an agent speaking an unsupported protocol version', async () => {
    const { token } = await insertCluster(h.store);
    const client = await connect(token);
    client.send({ type: 'hello', protocolVersion: 99, agentVersion: 'x', kubernetesVersion: 'v1.30.0' });
    expect((await client.closed).code).toBe(CLOSE_CODES.unsupportedProtocol);
  });
});

describe('heartbeat', () => {
  it('pings, and a connected agent that answers stays connected', async () => {
    const { clusterId, token } = await insertCluster(h.store);
    const client = await connect(token);
    await client.hello();
    await client.nextFrame((f): f is Extract<ControlPlaneFrame, { type: 'ping' }> => f.type === 'ping');
    // Several timeouts' worth of time: the answered pings must keep it alive.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(h.gateway.isConnected(clusterId)).toBe(true);
    expect((await clusterRow(clusterId))?.status).toBe('connected');
  });

  it('marks a silent agent disconnected after the timeout', async () => {
    const { clusterId, token } = await insertCluster(h.store);
    const client = await connect(token);
    await client.hello();
    await waitFor(async () => (await clusterRow(clusterId))?.status === 'connected');
    const connectedAt = (await clusterRow(clusterId))?.connectedAt?.getTime() ?? 0;
    // Answer pings into the next second (timestamps are stored in seconds), then fall silent.
    await waitFor(() => Date.now() >= connectedAt + 1_500, 3_000);
    client.answerPings = false;
    const silentSince = Date.now();
    const closed = await client.closed;
    expect(closed.code).toBe(CLOSE_CODES.heartbeatTimeout);
    await waitFor(async () => (await clusterRow(clusterId))?.status === 'disconnected', 2_000);
    // timeout 400 ms + sweep 50 ms + flush 50 ms, with slack for a loaded machine.
    expect(Date.now() - silentSince).toBeLessThan(1_500);
    expect(Date.now() - silentSince).toBeGreaterThanOrEqual(300);
    // lastSeenAt is written coarsely while connected, but exactly (to the second) at the end.
    expect((await clusterRow(clusterId))?.lastSeenAt?.getTime()).toBeGreaterThan(connectedAt);
  });

  it('marks a cleanly closed agent disconnected at once', async () => {
    const { clusterId, token } = await insertCluster(h.store);
    const client = await connect(token);
    await client.hello();
    await waitFor(async () => (await clusterRow(clusterId))?.status === 'connected');
    const closedAt = Date.now();
    client.close();
    await waitFor(async () => (await clusterRow(clusterId))?.status === 'disconnected', 1_000);
    // Well under the heartbeat timeout: it was the close, not the silence.
    expect(Date.now() - closedAt).toBeLessThan(300);
    expect((await clusterRow(clusterId))?.disconnectedAt).toBeInstanceOf(Date);
  });
});
