import { asc, eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLOSE_CODES } from '@/lib/agent-protocol';
import { createInProcessBus } from '@/server/events/bus';
import { createLogger } from '@/server/logger';
import { insertCluster, startGateway, type GatewayHarness } from '@/testing/gateway-fixtures';
import { ProtocolClient } from '@/testing/protocol-client';
import { waitFor } from '@/testing/wait-for';
import { createAgentGateway } from './index';

let h: GatewayHarness;
const clients: ProtocolClient[] = [];

async function connect(token: string, options: Parameters<typeof ProtocolClient.connect>[2] = {}): Promise<ProtocolClient> {
  const client = await ProtocolClient.connect(h.baseUrl, token, options);
  clients.push(client);
  return client;
}

/** The cluster's connection history, oldest first: kind, reason and agent version. */
async function historyOf(clusterId: number) {
  const { connectionEvents } = h.store.tables;
  return h.store.db
    .select({ kind: connectionEvents.kind, reason: connectionEvents.reason, agentVersion: connectionEvents.agentVersion, at: connectionEvents.at })
    .from(connectionEvents)
    .where(eq(connectionEvents.clusterId, clusterId))
    .orderBy(asc(connectionEvents.at), asc(connectionEvents.id));
}

/** Waits until the cluster's history holds `count` events, flushing the writer as it goes. */
async function historyWith(clusterId: number, count: number) {
  return waitFor(async () => {
    await h.gateway.flush();
    const events = await historyOf(clusterId);
    return events.length >= count ? events.map(({ at: _at, ...event }) => event) : undefined;
  }, 5_000, `${count} connection events`);
}

beforeEach(async () => {
  h = await startGateway({ heartbeat: { intervalMs: 100, timeoutMs: 400, sweepMs: 50 } });
});

afterEach(async () => {
  for (const client of clients.splice(0)) client.kill();
  await h.close();
});

describe('connection history: every connect and disconnect, with why', () => {
  it('records a connect with the agent version, and the agent closing with its code and words', async () => {
    const { clusterId, token } = await insertCluster(h.store);
    const client = await connect(token);
    await client.hello({ agentVersion: '1.2.3' });
    client.close();
    expect(await historyWith(clusterId, 2)).toEqual([
      { kind: 'connected', reason: '', agentVersion: '1.2.3' },
      { kind: 'disconnected', reason: 'Agent closed the connection (1000: bye)', agentVersion: '1.2.3' },
    ]);
  });

  it('records a dropped connection (no close frame) as lost', async () => {
    const { clusterId, token } = await insertCluster(h.store);
    const client = await connect(token);
    await client.hello();
    client.kill();
    expect((await historyWith(clusterId, 2))[1]?.reason).toMatch(/^Connection lost: no close frame \(1006\)/);
  });

  it('records a session replaced by a newer one, between the two connects', async () => {
    const { clusterId, token } = await insertCluster(h.store);
    const first = await connect(token);
    await first.hello({ agentVersion: '1.0.0' });
    await h.gateway.flush();
    const second = await connect(token);
    expect((await first.closed).code).toBe(CLOSE_CODES.replaced);
    await second.hello({ agentVersion: '1.1.0' });
    expect(await historyWith(clusterId, 3)).toEqual([
      { kind: 'connected', reason: '', agentVersion: '1.0.0' },
      { kind: 'disconnected', reason: 'Replaced by a newer session of the agent', agentVersion: '1.0.0' },
      { kind: 'connected', reason: '', agentVersion: '1.1.0' },
    ]);
  });

  it('records a revoked token with the cause the control plane gave', async () => {
    const { clusterId, token } = await insertCluster(h.store);
    const client = await connect(token);
    await client.hello();
    await h.gateway.flush();
    expect(h.gateway.revoke(clusterId, 'cluster token rotated')).toBe(true);
    expect((await client.closed).code).toBe(CLOSE_CODES.revoked);
    expect((await historyWith(clusterId, 2))[1]).toMatchObject({ kind: 'disconnected', reason: 'Token revoked: cluster token rotated' });
  });

  it('records a missed heartbeat, saying how long the agent was silent', async () => {
    const { clusterId, token } = await insertCluster(h.store);
    const client = await connect(token, { answerPings: false });
    await client.hello();
    expect((await client.closed).code).toBe(CLOSE_CODES.heartbeatTimeout);
    expect((await historyWith(clusterId, 2))[1]?.reason).toMatch(/^Heartbeat missed: nothing heard for \d+\.\d s \(timeout 0\.4 s\)$/);
  });

  it('records nothing for an agent that never said hello', async () => {
    const { clusterId, token } = await insertCluster(h.store);
    const client = await connect(token);
    client.close();
    await client.closed;
    await h.gateway.flush();
    expect(await historyOf(clusterId)).toEqual([]);
  });

  it('records the control plane stopping for every live session, written before it closes', async () => {
    const first = await insertCluster(h.store);
    const second = await insertCluster(h.store);
    for (const { token } of [first, second]) await (await connect(token)).hello();
    await h.gateway.close();
    for (const { clusterId } of [first, second]) {
      expect((await historyOf(clusterId)).map(({ kind, reason }) => [kind, reason])).toEqual([
        ['connected', ''],
        ['disconnected', 'Control plane stopping'],
      ]);
    }
  });

  it('at start, records "control plane restarted" for sessions a previous run left open, dated when last heard', async () => {
    const lastHeard = new Date('2026-11-23T14:03:00Z');
    const { clusterId } = await insertCluster(h.store, { connectedAt: new Date('2026-11-23T12:00:00Z'), lastSeenAt: lastHeard, agentVersion: '2.0.0' });
    const bus = createInProcessBus(() => undefined);
    const restarted = await createAgentGateway({ store: h.store, bus, log: createLogger('error') });
    await restarted.close();
    expect(await historyOf(clusterId)).toEqual([
      { kind: 'disconnected', reason: 'Control plane restarted: the session of its previous run ended with it', agentVersion: '2.0.0', at: lastHeard },
    ]);
  });

  it('publishes cluster.changed when only the history grew (a replaced session), so live views refetch it', async () => {
    const { clusterId, token } = await insertCluster(h.store);
    const first = await connect(token);
    await first.hello();
    await h.gateway.flush();
    const changesBefore = h.events.filter((e) => e.type === 'cluster.changed').length;
    await connect(token);
    await first.closed;
    await h.gateway.flush();
    const changes = h.events.filter((e) => e.type === 'cluster.changed').slice(changesBefore);
    expect(changes).toEqual([{ type: 'cluster.changed', clusterIds: [clusterId] }]);
  });
});
