/**
 * Issue 8, finding 10: three 5 MB `error` frames added 15 MiB to the log, and 500
 * refused attempts wrote 500 lines because the throttle key held a token prefix the
 * caller chose. Every line is bounded, an agent's words are cut before they are logged,
 * and refusals are throttled by source address.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ControlPlaneFrame } from '@/lib/agent-protocol';
import { createLogger, MAX_LOG_FIELD_CHARS, MAX_LOG_LINE_BYTES } from '@/server/logger';
import { captureLog, insertCluster, startGateway, type CapturedLog, type GatewayHarness } from '@/testing/gateway-fixtures';
import { attemptUpgrade, ProtocolClient } from '@/testing/protocol-client';

type ErrorFrame = Extract<ControlPlaneFrame, { type: 'error' }>;
const isError = (f: ControlPlaneFrame): f is ErrorFrame => f.type === 'error';

function linesOf(log: (logger: ReturnType<typeof createLogger>) => void): string[] {
  const lines: string[] = [];
  log(createLogger('debug', (_level, line) => void lines.push(line)));
  return lines;
}

describe('createLogger', () => {
  it('cuts a long string field and says so', () => {
    const [line = ''] = linesOf((log) => log.warn('agent reported an error', { message: 'x'.repeat(5_000_000), code: 'bad_frame' }));
    expect(Buffer.byteLength(line)).toBeLessThanOrEqual(MAX_LOG_LINE_BYTES);
    const parsed = JSON.parse(line) as { message: string; code: string; msg: string };
    expect(parsed.code).toBe('bad_frame');
    expect(parsed.msg).toBe('agent reported an error');
    expect(parsed.message.startsWith('x'.repeat(MAX_LOG_FIELD_CHARS))).toBe(true);
    expect(parsed.message).toContain(`[truncated ${5_000_000 - MAX_LOG_FIELD_CHARS} chars]`);
  });

  it('keeps a whole line under the bound however many long fields, big arrays and deep objects it carries', () => {
    const fields: Record<string, unknown> = {};
    for (let i = 0; i < 40; i++) fields[`field${i}`] = '€'.repeat(3_000);
    fields.list = Array.from({ length: 100_000 }, (_, i) => i);
    let deep: unknown = 'bottom';
    for (let i = 0; i < 10_000; i++) deep = { deeper: deep };
    fields.deep = deep;
    const [line = ''] = linesOf((log) => log.error('many fields', fields));
    expect(Buffer.byteLength(line)).toBeLessThanOrEqual(MAX_LOG_LINE_BYTES);
    expect(JSON.parse(line)).toMatchObject({ level: 'error', msg: 'many fields', truncated: true });
  });

  it('leaves ordinary lines as they were', () => {
    const [line = ''] = linesOf((log) => log.child({ component: 'agent-gateway' }).info('agent connected', { clusterId: 7, at: new Date(0) }));
    expect(JSON.parse(line)).toEqual({
      time: expect.any(String),
      level: 'info',
      msg: 'agent connected',
      component: 'agent-gateway',
      clusterId: 7,
      at: '1970-01-01T00:00:00.000Z',
    });
  });
});

describe('an agent flooding the log', () => {
  let h: GatewayHarness;
  let captured: CapturedLog;
  const clients: ProtocolClient[] = [];

  afterEach(async () => {
    for (const client of clients.splice(0)) client.kill();
    await h.close();
  });

  async function start(): Promise<void> {
    captured = captureLog('info');
    h = await startGateway({ log: captured.log });
  }

  it('three 5 MB error frames add a few kilobytes to the log, not 15 MiB', async () => {
    await start();
    const { token } = await insertCluster(h.store);
    const client = await ProtocolClient.connect(h.baseUrl, token);
    clients.push(client);
    await client.hello();
    const before = captured.bytes;

    for (let i = 0; i < 3; i++) client.sendRaw(JSON.stringify({ type: 'error', code: 'bad_frame', message: `${i}`.repeat(5 * 1024 * 1024) }));
    // Frames are handled in order: once the one after them is answered, all three were handled.
    client.sendRaw('not json');
    await client.nextFrame((f): f is ErrorFrame => isError(f) && f.message === 'The frame is not valid JSON', 15_000);

    expect(captured.bytes - before).toBeLessThan(16 * 1024);
    for (const line of captured.lines) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(MAX_LOG_LINE_BYTES);
  });

  it('an error frame within the limits is logged with its message cut, once a minute per kind', async () => {
    await start();
    const { token } = await insertCluster(h.store);
    const client = await ProtocolClient.connect(h.baseUrl, token);
    clients.push(client);
    await client.hello();
    const before = captured.lines.length;

    for (let i = 0; i < 50; i++) client.send({ type: 'error', code: 'unexpected_frame', message: 'y'.repeat(60_000) });
    client.send({ type: 'pong', id: 1 });
    // Frames are handled in order: once the frame after them is, all fifty were.
    client.sendRaw('not json');
    await client.nextFrame(isError);

    const reported = captured.lines.slice(before).filter((line) => line.includes('agent reported an error'));
    expect(reported).toHaveLength(1);
    const { message } = JSON.parse(reported[0] ?? '{}') as { message: string };
    expect(message.length).toBeLessThan(1_100);
  });

  it('500 refused attempts from one address with 500 different token prefixes write a handful of lines', async () => {
    await start();
    const before = captured.lines.length;
    const attempts = Array.from({ length: 500 }, (_, i) => `fdct_${i.toString(36).padStart(6, '0')}${'A'.repeat(37)}`);
    for (let i = 0; i < attempts.length; i += 50) {
      const answers = await Promise.all(
        attempts.slice(i, i + 50).map((token) => attemptUpgrade(h.baseUrl, { authorization: `Bearer ${token}` })),
      );
      for (const answer of answers) expect(answer).toMatchObject({ upgraded: false, status: 401 });
    }
    await attemptUpgrade(h.baseUrl, {});

    const refusals = captured.lines.slice(before).filter((line) => line.includes('agent refused'));
    // One line per reason (unknown token, missing token) for this address this minute.
    expect(refusals).toHaveLength(2);
  });
});
