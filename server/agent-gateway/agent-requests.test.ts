/**
 * Requests through the gateway into an agent, as server code makes them: typed
 * Prometheus results, the agent's own deadline answer arriving before the gateway's
 * timeout, and the agent's error codes as AgentCallError failures a caller can branch on.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startAgent, type AgentHandle } from '@/agent/agent';
import type { PrometheusData, RequestErrorCode } from '@/lib/agent-protocol';
import { FakeKubeApi } from '@/testing/fake-kube-api';
import { FakePrometheus } from '@/testing/fake-prometheus';
import { insertCluster, startGateway, type GatewayHarness } from '@/testing/gateway-fixtures';
import { listenOnLoopback } from '@/testing/loopback';
import { ProtocolClient } from '@/testing/protocol-client';
import { waitFor } from '@/testing/wait-for';
import { AgentCallError } from './errors';

const SCALAR: PrometheusData = { resultType: 'scalar', result: [1700000000, '3'] };
const MATRIX: PrometheusData = {
  resultType: 'matrix',
  result: [{ metric: { job: 'node' }, values: [[1700000000, '1'], [1700000015, '0']] }],
};

let h: GatewayHarness;
let kube: FakeKubeApi;
let registry: net.Server;
const stops: Array<() => Promise<void> | void> = [];

beforeEach(async () => {
  h = await startGateway();
  kube = await new FakeKubeApi().start();
  registry = net.createServer((socket) => socket.end());
  await listenOnLoopback(registry);
});

afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
  await h.close();
  await kube.stop();
  await new Promise<void>((resolve) => registry.close(() => resolve()));
});

async function agentWith(prometheus: FakePrometheus): Promise<number> {
  await prometheus.start();
  stops.push(() => prometheus.stop());
  const { clusterId, token } = await insertCluster(h.store, { prometheusUrl: prometheus.url });
  const agent: AgentHandle = startAgent({
    controlPlaneUrl: h.baseUrl,
    token,
    kubeconfigPath: kube.kubeconfigFile(),
    registryHosts: [`127.0.0.1:${(registry.address() as AddressInfo).port}`],
    logWrite: () => undefined,
  });
  stops.push(() => agent.stop());
  await waitFor(() => h.gateway.isConnected(clusterId), 10_000, 'agent connected');
  return clusterId;
}

async function failureOf(call: Promise<unknown>): Promise<AgentCallError> {
  const error: unknown = await call.then(
    () => new Error('expected the call to fail'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AgentCallError);
  return error as AgentCallError;
}

describe('calls into a real agent', () => {
  it('return Prometheus results typed by resultType', async () => {
    const clusterId = await agentWith(
      new FakePrometheus({ answer: (path) => ({ data: path.endsWith('range') ? MATRIX : SCALAR }) }),
    );
    const client = h.gateway.agentClient(clusterId);
    const instant = await client.call('prometheus.query', { query: 'count(up)' }, { deadlineMs: 3_000 });
    expect(instant).toEqual(SCALAR);
    const range = await client.call('prometheus.queryRange', { query: 'up', start: 1, end: 61, step: 15 }, { deadlineMs: 3_000 });
    // Typed as a matrix: `values` needs no narrowing.
    expect(range.result[0]?.values).toHaveLength(2);
  });

  it("fail with the agent's own deadline answer, before the gateway's timeout", async () => {
    const clusterId = await agentWith(new FakePrometheus({ delayMs: 5_000 }));
    const started = Date.now();
    const error = await failureOf(
      h.gateway.agentClient(clusterId).call('prometheus.query', { query: 'up' }, { deadlineMs: 1_000 }),
    );
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(error).toMatchObject({ failure: 'deadline_exceeded', agentCode: 'deadline_exceeded' });
    expect(error.message).toMatch(/gave up on prometheus\.query: prometheus\.query did not finish within 750 ms/);
  });
});

describe("an agent's error answer", () => {
  async function agentAnswering(code: RequestErrorCode): Promise<number> {
    const { clusterId, token } = await insertCluster(h.store);
    const client = await ProtocolClient.connect(h.baseUrl, token, {
      onRequest: async () => ({ ok: false, error: { code, message: `answered ${code}` } }),
    });
    stops.push(() => client.kill());
    await client.hello();
    return clusterId;
  }

  it.each([
    { code: 'unknown_method', failure: 'unknown_method', message: /does not serve namespace\.ensure; upgrade the agent/ },
    { code: 'deadline_exceeded', failure: 'deadline_exceeded', message: /gave up on namespace\.ensure: answered/ },
    { code: 'busy', failure: 'busy', message: /is busy: answered busy/ },
    { code: 'upstream_error', failure: 'agent_error', message: /could not run namespace\.ensure: answered upstream_error/ },
  ] as const)('$code becomes failure $failure', async ({ code, failure, message }) => {
    const clusterId = await agentAnswering(code);
    const error = await failureOf(
      h.gateway.agentClient(clusterId).call('namespace.ensure', { name: 'team-a', labels: {} }, { deadlineMs: 2_000 }),
    );
    expect(error).toMatchObject({ failure, agentCode: code });
    expect(error.message).toMatch(message);
  });
});
