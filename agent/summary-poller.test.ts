/**
 * The summary poller on its own (a fake Prometheus, a short interval), and wired into the
 * real agent: the summary set from `welcome` is polled and pushed, `agent.configure`
 * changes it, and the end of a session stops it.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SummaryFrame } from '@/lib/agent-protocol';
import type { SummaryConfig } from '@/lib/metrics';
import { startAgent, type AgentHandle } from '@/agent/agent';
import { createAgentLogger } from '@/agent/logger';
import { fitToLimit, SummaryPoller } from '@/agent/summary-poller';
import { FakeControlPlane } from '@/testing/fake-control-plane';
import { FakeKubeApi } from '@/testing/fake-kube-api';
import { FakePrometheus, type FakePrometheusAnswer } from '@/testing/fake-prometheus';
import { buildNode } from '@/testing/kube-objects';
import { waitFor } from '@/testing/wait-for';

const vector = (value: string, metric: Record<string, string> = {}): FakePrometheusAnswer => ({
  data: { resultType: 'vector', result: [{ metric, value: [1_800_000_000, value] }] },
});

/** Answers by query text; `slow` never answers in time. */
function prometheusFor(answers: Record<string, FakePrometheusAnswer | 'slow'>): FakePrometheus {
  return new FakePrometheus({
    answer: (_path, params) => {
      const answer = answers[params.get('query') ?? ''];
      if (answer === 'slow' || answer === undefined) return vector('0');
      return answer;
    },
  });
}

const silent = createAgentLogger({ write: () => undefined, level: 'error' });
const pollers: SummaryPoller[] = [];
const servers: { stop(): Promise<void> }[] = [];

afterEach(async () => {
  for (const poller of pollers.splice(0)) poller.stop();
  for (const server of servers.splice(0)) await server.stop();
});

function poller(url: string | undefined, sent: SummaryFrame[], queryTimeoutMs = 2_000): SummaryPoller {
  const p = new SummaryPoller({ prometheusUrl: () => url, send: (frame) => (sent.push(frame), true), logger: silent, queryTimeoutMs });
  pollers.push(p);
  return p;
}

describe('SummaryPoller', () => {
  it('runs every query as an instant query and pushes one frame with each vector or its error', async () => {
    const prometheus = await prometheusFor({
      'sum(gpus)': vector('16', { modelName: 'H100' }),
      'count(nodes)': { status: 400, errorType: 'bad_data', error: 'parse error at char 3' },
      'scalar(xid)': { data: { resultType: 'scalar', result: [1_800_000_000, '2'] } },
    }).start();
    servers.push(prometheus);
    const sent: SummaryFrame[] = [];
    const p = poller(prometheus.url, sent);
    p.configure({ intervalSeconds: 30, queries: [{ id: 'gpu_total', promql: 'sum(gpus)' }, { id: 'nodes', promql: 'count(nodes)' }, { id: 'xid', promql: 'scalar(xid)' }] });
    const before = Date.now() / 1000;
    p.start();
    await waitFor(() => sent.length === 1, 5_000, 'a summary frame');
    const [frame] = sent;
    expect(frame?.collectedAt).toBeGreaterThanOrEqual(before - 1);
    expect(frame?.results).toEqual({
      gpu_total: { resultType: 'vector', result: [{ metric: { modelName: 'H100' }, value: [1_800_000_000, '16'] }] },
      nodes: { error: 'Prometheus bad_data: parse error at char 3' },
      xid: { resultType: 'vector', result: [{ metric: {}, value: [1_800_000_000, '2'] }] },
    });
    expect(prometheus.queries.map((q) => q.path)).toEqual(['/api/v1/query', '/api/v1/query', '/api/v1/query']);
  });

  it('says in plain words when Prometheus is unreachable, and when a query misses its deadline', async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', () => resolve()));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const sent: SummaryFrame[] = [];
    const p = poller(`http://127.0.0.1:${port}`, sent);
    p.configure({ intervalSeconds: 30, queries: [{ id: 'a', promql: 'up' }] });
    p.start();
    await waitFor(() => sent.length === 1, 5_000, 'a summary frame');
    expect(sent[0]?.results.a).toEqual({ error: expect.stringMatching(/^Prometheus unreachable: connect ECONNREFUSED 127\.0\.0\.1:\d+$/) });

    const slow = await new FakePrometheus({ delayMs: 2_000 }).start();
    servers.push(slow);
    const late: SummaryFrame[] = [];
    const q = poller(slow.url, late, 100);
    q.configure({ intervalSeconds: 30, queries: [{ id: 'a', promql: 'up' }] });
    q.start();
    await waitFor(() => late.length === 1, 5_000, 'a summary frame');
    expect(late[0]?.results.a).toEqual({ error: 'Prometheus did not answer within 0.1 s' });
  });

  it('never overlaps polls, polls again each interval, and stops', async () => {
    let inFlight = 0;
    let most = 0;
    const prometheus = await new FakePrometheus({
      delayMs: 80,
      answer: () => {
        inFlight++;
        most = Math.max(most, inFlight);
        setTimeout(() => inFlight--, 80);
        return vector('1');
      },
    }).start();
    servers.push(prometheus);
    const sent: SummaryFrame[] = [];
    const p = poller(prometheus.url, sent);
    // A 10 ms interval is shorter than one poll (80 ms): the next one waits for the last to end.
    p.configure({ intervalSeconds: 0.01, queries: [{ id: 'a', promql: 'up' }] } as SummaryConfig);
    p.start();
    await waitFor(() => sent.length >= 3, 5_000, 'three polls');
    expect(most).toBe(1);
    p.stop();
    await p.inFlight;
    const count = sent.length;
    const queries = prometheus.queries.length;
    // One more interval's worth of event-loop turns: nothing new may start.
    await waitFor(async () => (await new Promise((resolve) => setTimeout(resolve, 50)), true));
    expect(sent.length).toBe(count);
    expect(prometheus.queries.length).toBe(queries);
  });

  it('a set changed during a poll is polled as soon as that poll ends, not an interval later', async () => {
    const prometheus = await new FakePrometheus({ delayMs: 100 }).start();
    servers.push(prometheus);
    const sent: SummaryFrame[] = [];
    const p = poller(prometheus.url, sent);
    p.configure({ intervalSeconds: 30, queries: [{ id: 'old', promql: 'up' }] });
    p.start();
    await waitFor(() => p.inFlight !== undefined, 5_000, 'the first poll to start');
    p.configure({ intervalSeconds: 30, queries: [{ id: 'new', promql: 'up' }] });
    await waitFor(() => sent.length === 2, 5_000, 'the new set polled');
    expect(sent.map((frame) => Object.keys(frame.results))).toEqual([['old'], ['new']]);
  });

  it('replaces the largest answers with an error when the frame would exceed its limit', () => {
    const big = { resultType: 'vector' as const, result: Array.from({ length: 50 }, (_, i) => ({ metric: { gpu: String(i) }, value: [1, '1'] as [number, string] })) };
    const small = { resultType: 'vector' as const, result: [] };
    const frame = fitToLimit({ type: 'summary', collectedAt: 1, results: { big, small } }, 500);
    expect(frame.results.small).toEqual(small);
    expect(frame.results.big).toEqual({ error: 'The answer (50 series) is too large to push; aggregate the query' });
  });
});

describe('the agent pushes summaries', () => {
  const TOKEN = 'fdct_test_4f9c2b7e1d8a6c3b5e0f9a8d7c6b5a4f3e2d1c0b';
  let kube: FakeKubeApi;
  let controlPlane: FakeControlPlane;
  let prometheus: FakePrometheus;
  let agent: AgentHandle | undefined;

  beforeEach(async () => {
    kube = await new FakeKubeApi({ kubernetesVersion: 'v1.30.4' }).start();
    kube.addNode(buildNode({ name: 'cpu-1', nodePool: 'system' }));
    prometheus = await prometheusFor({ 'sum(a)': vector('1'), 'sum(b)': vector('2') }).start();
    controlPlane = await new FakeControlPlane({
      tokens: [TOKEN],
      welcome: {
        clusterName: 'gpu-west',
        prometheusUrl: prometheus.url,
        heartbeatIntervalMs: 1000,
        summary: { intervalSeconds: 30, queries: [{ id: 'a', promql: 'sum(a)' }] },
      },
    }).start();
  });

  afterEach(async () => {
    await agent?.stop();
    await controlPlane.stop();
    await prometheus.stop();
    await kube.stop();
  });

  it('polls the set from welcome, takes a new set from agent.configure, and stops when the session ends', async () => {
    agent = startAgent({
      controlPlaneUrl: controlPlane.url,
      token: TOKEN,
      kubeconfigPath: kube.kubeconfigFile(),
      registryHosts: [],
      logWrite: () => undefined,
      reconnect: { baseMs: 60_000, capMs: 60_000 },
    });
    const conn = await controlPlane.waitForConnection();
    const first = await waitFor(() => conn.framesOf('summary')[0], 5_000, 'the first summary');
    expect(first.results).toEqual({ a: { resultType: 'vector', result: [{ metric: {}, value: [1_800_000_000, '1'] }] } });

    const config = { nodePoolLabel: 'fleetdeck.io/node-pool', gpuTypeLabel: 'fleetdeck.io/gpu-type', prometheusUrl: prometheus.url };
    const answer = await conn.request('agent.configure', { ...config, summary: { intervalSeconds: 30, queries: [{ id: 'b', promql: 'sum(b)' }] } });
    expect(answer.ok).toBe(true);
    const second = await waitFor(() => conn.framesOf('summary').find((f) => 'b' in f.results), 5_000, 'a summary of the new set');
    expect(second.results).toEqual({ b: { resultType: 'vector', result: [{ metric: {}, value: [1_800_000_000, '2'] }] } });

    // The session ends (the agent waits a minute before it dials again): no more polls.
    const queries = prometheus.queries.length;
    conn.close(1011, 'gone');
    await waitFor(() => !agent?.connected, 5_000, 'the session to end');
    await conn.request('agent.configure', { ...config, summary: { intervalSeconds: 30, queries: [{ id: 'c', promql: 'sum(a)' }] } }, 200).catch(() => undefined);
    expect(prometheus.queries.length).toBe(queries);
  });
});
