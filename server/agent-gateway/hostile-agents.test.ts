/**
 * Hostile agents: a cluster token in the wrong hands, or an agent gone wrong, sends
 * what no agent should: frames over their type's limit, malformed JSON, JSON of the
 * wrong shape, binary and invalid UTF-8 frames, floods of frames, garbage answers to
 * requests, a protocol version we do not speak.
 *
 * Throughout, a well-behaved agent is called every 100 ms and must stay Connected and
 * answer every call; at the end the process's memory and the log it wrote must have
 * grown by no more than the stated bounds. The attacks run in order in one gateway, as
 * they would against one server.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOSE_CODES, FRAME_LIMITS, PROTOCOL_VERSION, type ControlPlaneFrame, type FrameErrorCode, type PrometheusData } from '@/lib/agent-protocol';
import { MAX_LOG_LINE_BYTES } from '@/server/logger';
import { captureLog, insertCluster, startGateway, type CapturedLog, type GatewayHarness } from '@/testing/gateway-fixtures';
import { clusterState, node, ProtocolClient, type ProtocolClientOptions } from '@/testing/protocol-client';
import { waitFor } from '@/testing/wait-for';
import type { AgentCallError } from './errors';

type ErrorFrame = Extract<ControlPlaneFrame, { type: 'error' }>;
type RequestFrame = Extract<ControlPlaneFrame, { type: 'request' }>;
const isRequest = (f: ControlPlaneFrame): f is RequestFrame => f.type === 'request';

/** Bounds the whole suite is held to. */
const MAX_RSS_GROWTH_BYTES = 300 * 1024 * 1024;
const MAX_LOG_BYTES = 64 * 1024;
/** The well-behaved agent's calls, each, while the others attack. */
const MAX_GOOD_CALL_MS = 1_000;

const UP: PrometheusData = { resultType: 'scalar', result: [1_700_000_000, '1'] };
const KiB = 1024;
const MiB = 1024 * KiB;

let h: GatewayHarness;
let captured: CapturedLog;
let goodClusterId: number;
let rssBefore = 0;
let rssPeak = 0;
const goodCalls = { answered: 0, failed: [] as string[], slowestMs: 0, disconnectedTicks: 0 };
let monitor: NodeJS.Timeout | undefined;
const clients: ProtocolClient[] = [];

async function hostile(options: ProtocolClientOptions = {}): Promise<{ clusterId: number; client: ProtocolClient }> {
  const { clusterId, token } = await insertCluster(h.store);
  const client = await ProtocolClient.connect(h.baseUrl, token, options);
  clients.push(client);
  return { clusterId, client };
}

async function nextError(client: ProtocolClient, code: FrameErrorCode): Promise<ErrorFrame> {
  return client.nextFrame((f): f is ErrorFrame => f.type === 'error' && f.code === code, 10_000);
}

/** The session still works: a hello is answered with a welcome (or, if it said hello already, a complaint). */
async function stillServed(client: ProtocolClient): Promise<void> {
  expect(client.ws.readyState).toBe(client.ws.OPEN);
  await client.hello();
}

function padded(frame: Record<string, unknown>, field: string, bytes: number): string {
  return JSON.stringify({ ...frame, [field]: 'x'.repeat(bytes) });
}

beforeAll(async () => {
  captured = captureLog('info');
  h = await startGateway({ log: captured.log, heartbeat: { intervalMs: 500, timeoutMs: 5_000, sweepMs: 100 } });
  const { clusterId, token } = await insertCluster(h.store);
  goodClusterId = clusterId;
  const good = await ProtocolClient.connect(h.baseUrl, token, {
    recordFrames: false,
    onRequest: async () => ({ ok: true, result: UP }),
  });
  clients.push(good);
  await good.hello();
  good.snapshot(clusterState({ nodes: [node('good-1')] }));
  await waitFor(() => h.gateway.isConnected(goodClusterId), 5_000, 'the good agent connected');

  rssBefore = process.memoryUsage().rss;
  rssPeak = rssBefore;
  monitor = setInterval(() => {
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    if (!h.gateway.isConnected(goodClusterId)) goodCalls.disconnectedTicks++;
    const started = performance.now();
    h.gateway
      .agentClient(goodClusterId)
      .call('prometheus.query', { query: 'up' }, { deadlineMs: 5_000 })
      .then(
        () => {
          goodCalls.answered++;
          goodCalls.slowestMs = Math.max(goodCalls.slowestMs, performance.now() - started);
        },
        (error: unknown) => void goodCalls.failed.push(error instanceof Error ? error.message : String(error)),
      );
  }, 100);
});

afterAll(async () => {
  clearInterval(monitor);
  for (const client of clients.splice(0)) client.kill();
  await h?.close();
});

describe('frames over their type\'s limit', () => {
  it('a hello, pong or error frame over 64 KiB is refused unread, and the session goes on', async () => {
    const { client } = await hostile();
    const tooBig = FRAME_LIMITS.hello + 1;
    client.sendRaw(padded({ type: 'hello', protocolVersion: PROTOCOL_VERSION, kubernetesVersion: 'v1.30.0' }, 'agentVersion', tooBig));
    client.sendRaw(padded({ type: 'pong' }, 'id', tooBig));
    client.sendRaw(padded({ type: 'error', code: 'bad_frame' }, 'message', tooBig));
    for (const type of ['hello', 'pong', 'error']) {
      expect((await nextError(client, 'frame_too_large')).message).toContain(`A ${type} frame`);
    }
    await stillServed(client);
  });

  it('a large frame that does not name its type first is refused unread', async () => {
    const { client } = await hostile();
    client.sendRaw(JSON.stringify({ padding: 'x'.repeat(100 * KiB), type: 'pong', id: 1 }));
    client.sendRaw(`[${'1,'.repeat(50 * KiB)}1]`);
    expect((await nextError(client, 'frame_too_large')).message).toContain('must name its type first');
    expect((await nextError(client, 'frame_too_large')).message).toContain('must name its type first');
    await stillServed(client);
  });

  it('a large frame that names one type first and another later is refused', async () => {
    const { client } = await hostile();
    await client.hello();
    // Under the snapshot limit, over the hello limit: the later "type" must not pick the larger limit.
    client.sendRaw(`{"type":"snapshot","padding":"${'x'.repeat(200 * KiB)}","type":"hello","protocolVersion":1,"agentVersion":"x","kubernetesVersion":"y"}`);
    expect((await nextError(client, 'bad_frame')).message).toContain('names its type as "snapshot" first');
  });

  it('a delta over 1 MiB: refused, and the agent is asked to reconnect and send a snapshot', async () => {
    const { client } = await hostile();
    await client.hello();
    const change = { kind: 'node.upsert', node: node('n'.repeat(200)) };
    const changes = Array.from({ length: Math.ceil(FRAME_LIMITS.delta / 300) }, () => change);
    client.sendRaw(JSON.stringify({ type: 'delta', changes }));
    await nextError(client, 'frame_too_large');
    expect((await client.closed).code).toBe(CLOSE_CODES.reconnect);
  });

  it('a snapshot over its limit (12 MiB): refused, and closed with 1009 (message too big)', async () => {
    const { client } = await hostile();
    await client.hello();
    client.sendRaw(padded({ type: 'snapshot' }, 'state', FRAME_LIMITS.snapshot + 1));
    await nextError(client, 'frame_too_large');
    expect((await client.closed).code).toBe(CLOSE_CODES.messageTooBig);
  });

  it('a response over 4 MiB fails its call at once, not at the deadline', async () => {
    const { clusterId, client } = await hostile();
    await client.hello();
    const started = performance.now();
    const call = h.gateway.agentClient(clusterId).call('prometheus.query', { query: 'up' }, { deadlineMs: 15_000 });
    const request = await client.nextFrame(isRequest);
    client.sendRaw(JSON.stringify({ type: 'response', id: request.id, ok: true, result: { resultType: 'string', result: [0, 'x'.repeat(FRAME_LIMITS.response)] } }));
    const failure = (await call.then(() => null, (error: unknown) => error)) as AgentCallError;
    expect(failure.failure).toBe('bad_result');
    expect(failure.message).toContain('more than the protocol allows');
    expect(performance.now() - started).toBeLessThan(5_000);
    await nextError(client, 'frame_too_large');
    expect(client.ws.readyState).toBe(client.ws.OPEN);
  });

  it('a frame over the 16 MiB WebSocket cap closes the socket (1009) before it is read', async () => {
    const { client } = await hostile();
    client.sendRaw('x'.repeat(16 * MiB + 1));
    expect((await client.closed).code).toBe(1009);
  });
});

describe('frames that are not the protocol', () => {
  it('malformed JSON is answered bad_frame, each time, and the session goes on', async () => {
    const { client } = await hostile();
    const garbage = ['{', '}{', '', '{"type":"hello",}', '\u0000\u0001', 'NaN', '{"type": "pong", "id": 1} trailing', '\ud800'];
    for (const text of garbage) client.sendRaw(text);
    for (const _ of garbage) expect((await nextError(client, 'bad_frame')).message).toBe('The frame is not valid JSON');
    await stillServed(client);
  });

  it('valid JSON of the wrong shape is answered bad_frame, and nothing is stored', async () => {
    const { clusterId, client } = await hostile();
    await client.hello();
    const deep = `${'['.repeat(30_000)}${']'.repeat(30_000)}`;
    const wrong = [
      'null',
      '42',
      '"hello"',
      '[]',
      deep,
      '{"type":"__proto__"}',
      '{"__proto__":{"type":"pong","id":1}}',
      '{"type":"constructor"}',
      '{"type":"pong","id":"not a number"}',
      '{"type":"snapshot","state":{"nodes":"all of them"}}',
      JSON.stringify({ type: 'snapshot', state: { ...clusterState(), nodes: [{ ...node('a'), gpuCount: -8 }] } }),
      JSON.stringify({ type: 'delta', changes: [] }),
      JSON.stringify({ type: 'delta', changes: [{ kind: 'node.upsert', node: { name: '' } }] }),
      JSON.stringify({ type: 'response', id: 7, ok: 'maybe' }),
      JSON.stringify({ type: 'error', code: 'not_a_code', message: 'x' }),
    ];
    for (const text of wrong) client.sendRaw(text);
    for (const _ of wrong) await nextError(client, 'bad_frame');
    await h.gateway.flush();
    const { clusters } = h.store.tables;
    const rows = await h.store.db.select({ id: clusters.id, nodeCount: clusters.nodeCount }).from(clusters);
    expect(rows.find((row) => row.id === clusterId)?.nodeCount).toBeNull();
    expect(client.ws.readyState).toBe(client.ws.OPEN);
  });

  it('binary frames are answered bad_frame', async () => {
    const { client } = await hostile();
    client.ws.send(Buffer.from(JSON.stringify({ type: 'pong', id: 1 })), { binary: true });
    client.ws.send(Buffer.from([0xde, 0xad, 0xbe, 0xef]), { binary: true });
    expect((await nextError(client, 'bad_frame')).message).toContain('binary');
    expect((await nextError(client, 'bad_frame')).message).toContain('binary');
    await stillServed(client);
  });

  it('a text frame of invalid UTF-8 closes the socket (1007) without reaching the session', async () => {
    const { client } = await hostile();
    await client.hello();
    client.ws.send(Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]), { binary: false });
    expect((await client.closed).code).toBe(1007);
  });

  it('a hello with a protocol version we do not speak is closed with 4002', async () => {
    const { client } = await hostile();
    client.send({ type: 'hello', protocolVersion: PROTOCOL_VERSION + 1, agentVersion: 'x', kubernetesVersion: 'v1.30.0' });
    expect((await client.closed).code).toBe(CLOSE_CODES.unsupportedProtocol);
    const { client: ancient } = await hostile();
    ancient.send({ type: 'hello', protocolVersion: 0, agentVersion: 'x', kubernetesVersion: 'v1.30.0' });
    expect((await ancient.closed).code).toBe(CLOSE_CODES.unsupportedProtocol);
  });
});

describe('floods', () => {
  /** Sends `frame` at `perSecond` for `forMs`, or until the socket closes; returns how many were sent. */
  async function flood(client: ProtocolClient, text: string, perSecond: number, forMs: number): Promise<number> {
    let sent = 0;
    const started = performance.now();
    const perTick = perSecond / 100;
    while (performance.now() - started < forMs && client.ws.readyState === client.ws.OPEN) {
      for (let i = 0; i < perTick; i++) client.sendRaw(text);
      sent += perTick;
      await sleep(10);
    }
    return sent;
  }

  it('10,000 pongs a second: the session is told and closed with 1008 well before two seconds', async () => {
    const { client } = await hostile();
    await client.hello();
    const sent = await flood(client, JSON.stringify({ type: 'pong', id: 1 }), 10_000, 2_000);
    await nextError(client, 'too_many_frames');
    expect((await client.closed).code).toBe(CLOSE_CODES.policyViolation);
    expect(sent).toBeLessThan(20_000);
  });

  it('10,000 deltas a second: closed the same way, and the cluster\'s stored state is one the agent sent', async () => {
    const { clusterId, client } = await hostile();
    await client.hello();
    client.snapshot(clusterState({ nodes: [node('steady')] }));
    const delta = JSON.stringify({ type: 'delta', changes: [{ kind: 'node.upsert', node: node('churn', { ready: false }) }] });
    await flood(client, delta, 10_000, 2_000);
    await nextError(client, 'too_many_frames');
    expect((await client.closed).code).toBe(CLOSE_CODES.policyViolation);
    await h.gateway.flush();
    const { clusters } = h.store.tables;
    const rows = await h.store.db.select({ id: clusters.id, nodeCount: clusters.nodeCount, status: clusters.status }).from(clusters);
    expect(rows.find((row) => row.id === clusterId)).toMatchObject({ nodeCount: 2, status: 'disconnected' });
  });

  it('a flood of bad frames is answered, closed, and logged a few lines, not one per frame', async () => {
    const { client } = await hostile();
    const linesBefore = captured.lines.length;
    await flood(client, '{not json', 10_000, 2_000);
    expect((await client.closed).code).toBe(CLOSE_CODES.policyViolation);
    expect(captured.lines.length - linesBefore).toBeLessThan(10);
  });
});

describe('requests answered with garbage', () => {
  it('a result of the wrong shape, an unknown id, a second answer and a huge error message each fail cleanly', async () => {
    const { clusterId, client } = await hostile();
    await client.hello();
    const agent = h.gateway.agentClient(clusterId);
    const failureOf = async (call: Promise<unknown>) => (await call.then(() => null, (error: unknown) => error)) as AgentCallError;

    const wrongShape = failureOf(agent.call('prometheus.query', { query: 'up' }, { deadlineMs: 5_000 }));
    let request = await client.nextFrame(isRequest);
    client.sendRaw(JSON.stringify({ type: 'response', id: request.id, ok: true, result: { resultType: 'vector', result: 'lots' } }));
    // The same answer again, and answers to requests never made: ignored.
    client.sendRaw(JSON.stringify({ type: 'response', id: request.id, ok: true, result: UP }));
    client.sendRaw(JSON.stringify({ type: 'response', id: 'never-asked', ok: true, result: UP }));
    expect((await wrongShape).failure).toBe('bad_result');

    const longError = failureOf(agent.call('prometheus.query', { query: 'up' }, { deadlineMs: 5_000 }));
    request = await client.nextFrame(isRequest);
    client.send({ type: 'response', id: request.id, ok: false, error: { code: 'upstream_error', message: 'z'.repeat(60_000) } });
    const failure = await longError;
    expect(failure.failure).toBe('agent_error');
    expect(failure.message.length).toBeLessThan(1_200);

    const malformed = failureOf(agent.call('prometheus.query', { query: 'up' }, { deadlineMs: 300 }));
    request = await client.nextFrame(isRequest);
    client.sendRaw(JSON.stringify({ type: 'response', id: request.id, ok: 'yes', result: UP }));
    expect((await malformed).failure).toBe('deadline_exceeded');
    await nextError(client, 'bad_frame');
    expect(client.ws.readyState).toBe(client.ws.OPEN);
  });
});

describe('after all of it', () => {
  it('the well-behaved agent stayed Connected and answered every call; memory and log stayed bounded', async () => {
    await waitFor(() => goodCalls.answered >= 20, 5_000, 'calls to the good agent');
    const rssGrowth = rssPeak - rssBefore;
    console.warn(
      `hostile agents: good agent answered ${goodCalls.answered} calls (slowest ${goodCalls.slowestMs.toFixed(0)} ms, ` +
        `${goodCalls.failed.length} failed); RSS peak growth ${(rssGrowth / MiB).toFixed(0)} MiB; ` +
        `log ${captured.lines.length} lines, ${(captured.bytes / KiB).toFixed(1)} KiB`,
    );
    expect(goodCalls.failed).toEqual([]);
    expect(goodCalls.disconnectedTicks).toBe(0);
    expect(goodCalls.slowestMs).toBeLessThan(MAX_GOOD_CALL_MS);
    expect(h.gateway.isConnected(goodClusterId)).toBe(true);
    expect(rssGrowth).toBeLessThan(MAX_RSS_GROWTH_BYTES);
    expect(captured.bytes).toBeLessThan(MAX_LOG_BYTES);
    for (const line of captured.lines) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(MAX_LOG_LINE_BYTES);
  });
});
