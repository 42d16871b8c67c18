import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '@/testing/wait-for';
import type { ControlPlaneFrame } from '@/lib/agent-protocol';
import { DomainError } from '@/server/errors';
import { insertCluster, startGateway, type GatewayHarness } from '@/testing/gateway-fixtures';
import { ProtocolClient } from '@/testing/protocol-client';
import { AgentCallError } from './index';

type RequestFrame = Extract<ControlPlaneFrame, { type: 'request' }>;
const isRequest = (f: ControlPlaneFrame): f is RequestFrame => f.type === 'request';

let h: GatewayHarness;
const clients: ProtocolClient[] = [];

beforeEach(async () => {
  h = await startGateway({ maxInFlightPerCluster: 3 });
});

afterEach(async () => {
  for (const client of clients.splice(0)) client.kill();
  await h.close();
});

async function connectedAgent(options: Parameters<typeof ProtocolClient.connect>[2] = {}) {
  const cluster = await insertCluster(h.store, { name: `gpu-west-${clients.length + 1}` });
  const client = await ProtocolClient.connect(h.baseUrl, cluster.token, options);
  clients.push(client);
  await client.hello();
  return { ...cluster, client };
}

const agentClient = (clusterId: number) => h.gateway.agentClient(clusterId);

async function rejection(promise: Promise<unknown>): Promise<AgentCallError> {
  const error = await promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AgentCallError);
  return error as AgentCallError;
}

describe('agentClient(cluster).call', () => {
  it('round-trips a request and returns the typed result', async () => {
    const { clusterId } = await connectedAgent({
      onRequest: async (request) => {
        if (request.method !== 'prometheus.query') return { ok: false, error: { code: 'unknown_method', message: 'no' } };
        const { query } = request.params as { query: string };
        return { ok: true, result: { resultType: 'vector', result: [{ metric: { query }, value: [1, '1'] }] } };
      },
    });
    const result = await agentClient(clusterId).call('prometheus.query', { query: 'up' }, { deadlineMs: 2_000 });
    expect(result).toEqual({ resultType: 'vector', result: [{ metric: { query: 'up' }, value: [1, '1'] }] });
  });

  it('tells the agent the method, params and deadline, and matches answers by id even out of order', async () => {
    const { clusterId, client } = await connectedAgent({ recordFrames: true });
    const client1 = agentClient(clusterId);
    const first = client1.call('namespace.ensure', { name: 'team-a', labels: {} }, { deadlineMs: 3_000 });
    const second = client1.call('namespace.ensure', { name: 'team-b', labels: {} }, { deadlineMs: 3_000 });
    const r1 = await client.nextFrame(isRequest);
    const r2 = await client.nextFrame(isRequest);
    expect(r1).toMatchObject({ method: 'namespace.ensure', params: { name: 'team-a', labels: {} }, deadlineMs: 3_000 });
    expect(r1.id).not.toBe(r2.id);
    client.send({ type: 'response', id: r2.id, ok: true, result: { created: false } });
    client.send({ type: 'response', id: r1.id, ok: true, result: { created: true } });
    expect(await first).toEqual({ created: true });
    expect(await second).toEqual({ created: false });
  });

  it('rejects with a clear error when the deadline passes', async () => {
    const { clusterId } = await connectedAgent();
    const started = Date.now();
    const error = await rejection(agentClient(clusterId).call('prometheus.query', { query: 'up' }, { deadlineMs: 150 }));
    expect(error.failure).toBe('deadline_exceeded');
    expect(error.message).toMatch(/gpu-west-1 did not answer prometheus\.query within 150 ms/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('passes on the agent\'s own error', async () => {
    const { clusterId } = await connectedAgent({
      onRequest: async () => ({ ok: false, error: { code: 'upstream_error', message: 'Prometheus answered 503' } }),
    });
    const error = await rejection(agentClient(clusterId).call('prometheus.query', { query: 'up' }));
    expect(error).toMatchObject({ failure: 'agent_error', agentCode: 'upstream_error' });
    expect(error.message).toMatch(/Prometheus answered 503/);
  });

  it('refuses a result that does not match the protocol', async () => {
    const { clusterId } = await connectedAgent({ onRequest: async () => ({ ok: true, result: { nope: 1 } }) });
    expect((await rejection(agentClient(clusterId).call('namespace.ensure', { name: 'x', labels: {} }))).failure).toBe('bad_result');
  });

  it('caps the requests in flight per cluster and fails fast past it', async () => {
    const { clusterId, client } = await connectedAgent();
    const calls = [1, 2, 3].map((i) => agentClient(clusterId).call('prometheus.query', { query: `q${i}` }, { deadlineMs: 5_000 }));
    const started = Date.now();
    const error = await rejection(agentClient(clusterId).call('prometheus.query', { query: 'q4' }));
    expect(error.failure).toBe('busy');
    expect(error.code).toBe('TOO_MANY_REQUESTS');
    expect(Date.now() - started).toBeLessThan(100);
    // Answering one frees a slot.
    const request = await client.nextFrame(isRequest);
    client.send({ type: 'response', id: request.id, ok: true, result: { resultType: 'vector', result: [] } });
    await Promise.race(calls);
    const fourth = agentClient(clusterId).call('prometheus.query', { query: 'q5' }, { deadlineMs: 5_000 });
    const fifthRequest = await waitFor(async () => {
      const frame = await client.nextFrame(isRequest);
      return (frame.params as { query: string }).query === 'q5' ? frame : undefined;
    });
    client.send({ type: 'response', id: fifthRequest.id, ok: true, result: { resultType: 'vector', result: [] } });
    await expect(fourth).resolves.toEqual({ resultType: 'vector', result: [] });
  });

  it('fails pending calls at once when the agent disconnects', async () => {
    const { clusterId, client } = await connectedAgent();
    const pending = agentClient(clusterId).call('prometheus.query', { query: 'up' }, { deadlineMs: 10_000 });
    await client.nextFrame(isRequest);
    const started = Date.now();
    client.kill();
    const error = await rejection(pending);
    expect(error.failure).toBe('disconnected');
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('fails fast, naming the cluster, when it is not connected', async () => {
    const { clusterId } = await insertCluster(h.store, { name: 'gpu-east' });
    const started = Date.now();
    const error = await rejection(agentClient(clusterId).call('prometheus.query', { query: 'up' }));
    expect(error.failure).toBe('not_connected');
    expect(error.message).toBe('Cluster gpu-east is not connected');
    expect(Date.now() - started).toBeLessThan(50);
  });

  it('refuses invalid params before anything is sent', async () => {
    const { clusterId, client } = await connectedAgent({ recordFrames: true });
    await expect(agentClient(clusterId).call('prometheus.query', { query: '' })).rejects.toThrow(/Invalid parameters for prometheus\.query/);
    await expect(client.nextFrame(isRequest, 200)).rejects.toThrow(/no matching frame/);
  });
});

describe('call failures', () => {
  it('are domain errors, so tRPC shows their message instead of a generic 500', async () => {
    const { clusterId } = await connectedAgent();
    const error = await rejection(agentClient(clusterId).call('prometheus.query', { query: 'up' }, { deadlineMs: 50 }));
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ failure: 'deadline_exceeded', code: 'PRECONDITION_FAILED' });
  });
});
