import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { responseFrame } from '@/lib/agent-protocol';
import { createAgentLogger } from '@/agent/logger';
import { createAgentHandlers, RequestDispatcher, type AgentHandlers } from '@/agent/requests';
import { FakePrometheus } from '@/testing/fake-prometheus';

const logger = createAgentLogger({ write: () => undefined });
const request = (method: string, params: unknown, deadlineMs = 2000, id = 'r1') => ({
  type: 'request',
  id,
  method,
  params,
  deadlineMs,
});

describe('RequestDispatcher', () => {
  const prometheus = new FakePrometheus({
    answer: (path, params) =>
      params.get('query') === 'bad('
        ? { status: 400, errorType: 'bad_data', error: 'parse error at char 5' }
        : { data: { resultType: path.endsWith('range') ? 'matrix' : 'vector', result: [{ value: [1, '42'] }] } },
  });
  const slow = new FakePrometheus({ delayMs: 500 });
  const ensured: string[] = [];
  let dispatcher: RequestDispatcher;

  beforeAll(async () => {
    await prometheus.start();
    await slow.start();
  });
  afterAll(async () => {
    await prometheus.stop();
    await slow.stop();
  });

  const makeDispatcher = (url: () => string | undefined, maxInFlight?: number) =>
    new RequestDispatcher({
      logger,
      maxInFlight,
      handlers: createAgentHandlers({
        prometheusUrl: url,
        ensureNamespace: async (name) => {
          const created = !ensured.includes(name);
          ensured.push(name);
          return created;
        },
      }),
    });

  it.each([
    {
      when: 'an instant query succeeds',
      frame: request('prometheus.query', { query: 'up', time: 1700000000 }),
      expected: { ok: true, result: { resultType: 'vector', result: [{ value: [1, '42'] }] } },
    },
    {
      when: 'a range query succeeds',
      frame: request('prometheus.queryRange', { query: 'up', start: 1, end: 61, step: 15 }),
      expected: { ok: true, result: { resultType: 'matrix' } },
    },
    {
      when: 'Prometheus rejects the PromQL',
      frame: request('prometheus.query', { query: 'bad(' }),
      expected: { ok: false, error: { code: 'upstream_error', message: 'Prometheus bad_data: parse error at char 5' } },
    },
    {
      when: 'the method is unknown',
      frame: request('kubectl.exec', { cmd: 'rm -rf /' }),
      expected: { ok: false, error: { code: 'unknown_method' } },
    },
    {
      when: 'params are invalid',
      frame: request('prometheus.query', { query: '' }),
      expected: { ok: false, error: { code: 'bad_params' } },
    },
    {
      when: 'the namespace name is not DNS-1123',
      frame: request('namespace.ensure', { name: 'Team_A', labels: {} }),
      expected: { ok: false, error: { code: 'bad_params' } },
    },
  ])('answers when $when', async ({ frame, expected }) => {
    dispatcher = makeDispatcher(() => prometheus.url);
    const response = await dispatcher.dispatch(frame);
    expect(responseFrame.parse(response)).toMatchObject({ type: 'response', id: 'r1', ...expected });
  });

  it('passes query parameters through to Prometheus', async () => {
    await makeDispatcher(() => prometheus.url).dispatch(
      request('prometheus.queryRange', { query: 'sum(up)', start: 10, end: 70, step: 30 }),
    );
    expect(prometheus.queries.at(-1)).toEqual({
      path: '/api/v1/query_range',
      params: { query: 'sum(up)', start: '10', end: '70', step: '30' },
    });
  });

  it('ensures a namespace once', async () => {
    const d = makeDispatcher(() => prometheus.url);
    const first = await d.dispatch(request('namespace.ensure', { name: 'team-a-dev', labels: {} }));
    const second = await d.dispatch(request('namespace.ensure', { name: 'team-a-dev', labels: {} }));
    expect([first, second].map((r) => (r?.ok ? r.result : r?.error))).toEqual([{ created: true }, { created: false }]);
  });

  it('gives up at the deadline', async () => {
    const started = Date.now();
    const response = await makeDispatcher(() => slow.url).dispatch(request('prometheus.query', { query: 'up' }, 100));
    expect(response).toMatchObject({ ok: false, error: { code: 'deadline_exceeded' } });
    expect(Date.now() - started).toBeLessThan(450);
  });

  it('answers busy past the cap on requests in flight', async () => {
    const d = makeDispatcher(() => slow.url, 2);
    const answers = await Promise.all(
      ['a', 'b', 'c'].map((id) => d.dispatch(request('prometheus.query', { query: 'up' }, 2000, id))),
    );
    expect(answers.map((a) => (a?.ok ? 'ok' : a?.error.code))).toEqual(['ok', 'ok', 'busy']);
    expect(d.requestsInFlight).toBe(0);
  });

  it('says so when no Prometheus is configured yet', async () => {
    const response = await makeDispatcher(() => undefined).dispatch(request('prometheus.query', { query: 'up' }));
    expect(response).toMatchObject({ ok: false, error: { code: 'unavailable' } });
  });

  it('cannot answer a frame without an id', async () => {
    expect(await makeDispatcher(() => undefined).dispatch({ type: 'request', method: 'x' })).toBeUndefined();
  });

  it('enforces the deadline even when a handler ignores its signal', async () => {
    const handlers: AgentHandlers = {
      'prometheus.query': () => new Promise(() => undefined),
      'prometheus.queryRange': () => new Promise(() => undefined),
      'namespace.ensure': () => new Promise(() => undefined),
    };
    const d = new RequestDispatcher({ logger, handlers });
    const response = await d.dispatch(request('namespace.ensure', { name: 'x', labels: {} }, 50));
    expect(response).toMatchObject({ ok: false, error: { code: 'deadline_exceeded' } });
  });
});
