import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { responseFrame, type PrometheusData, type RequestFrame } from '@/lib/agent-protocol';
import { createAgentLogger } from '@/agent/logger';
import { createAgentHandlers, RequestDispatcher, type AgentHandlers } from '@/agent/requests';
import { FakePrometheus, type FakePrometheusAnswer } from '@/testing/fake-prometheus';

const logger = createAgentLogger({ write: () => undefined });
const request = (method: string, params: unknown, deadlineMs = 2000, id = 'r1'): RequestFrame => ({
  type: 'request',
  id,
  method,
  params,
  deadlineMs,
});

/** Real Prometheus answers, one per result type, keyed by the query that asks for it. */
const ANSWERS: Record<string, PrometheusData> = {
  'up': { resultType: 'vector', result: [{ metric: { job: 'node' }, value: [1700000000.5, '1'] }] },
  'up[1m]': {
    resultType: 'matrix',
    result: [{ metric: { job: 'node' }, values: [[1700000000, '1'], [1700000015, '0']] }],
  },
  'scalar(1)': { resultType: 'scalar', result: [1700000000, '1'] },
  '"hello"': { resultType: 'string', result: [1700000000, 'hello'] },
};

function answer(path: string, params: URLSearchParams): FakePrometheusAnswer {
  const query = params.get('query') ?? '';
  if (query === 'bad(') return { status: 400, errorType: 'bad_data', error: 'parse error at char 5' };
  if (query === 'unreadable') return { malformedData: { resultType: 'vector', result: [{ value: [1, 42] }] } };
  if (query === 'histogram') return { malformedData: { resultType: 'histogram', result: [] } };
  if (path.endsWith('range')) return { data: ANSWERS['up[1m]'] ?? { resultType: 'matrix', result: [] } };
  return { data: ANSWERS[query] ?? { resultType: 'vector', result: [] } };
}

describe('RequestDispatcher', () => {
  const prometheus = new FakePrometheus({ answer });
  // Vectors a query answers in a range query's place: a Prometheus the agent cannot trust.
  const confused = new FakePrometheus({ answer: () => ({ data: { resultType: 'vector', result: [] } }) });
  const slow = new FakePrometheus({ delayMs: 500 });
  const ensured: string[] = [];
  let dispatcher: RequestDispatcher;

  beforeAll(async () => {
    await prometheus.start();
    await confused.start();
    await slow.start();
  });
  afterAll(async () => {
    await prometheus.stop();
    await confused.stop();
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
        applyWorkspace: async () => ({ outcome: 'applied' }),
        removeWorkspace: async () => ({ outcome: 'absent' }),
        configure: () => 3,
      }),
    });

  it.each(['up', 'scalar(1)', '"hello"'])('returns the typed %s result of an instant query', async (query) => {
    const response = await makeDispatcher(() => prometheus.url).dispatch(request('prometheus.query', { query }));
    expect(response).toEqual({ type: 'response', id: 'r1', ok: true, result: ANSWERS[query] });
  });

  it('returns the matrix of a range query', async () => {
    const response = await makeDispatcher(() => prometheus.url).dispatch(
      request('prometheus.queryRange', { query: 'up', start: 1, end: 61, step: 15 }),
    );
    expect(response).toEqual({ type: 'response', id: 'r1', ok: true, result: ANSWERS['up[1m]'] });
  });

  it('drops fields outside the protocol shape instead of passing them on', async () => {
    const extra = new FakePrometheus({
      answer: () => ({
        malformedData: { resultType: 'scalar', result: [1, '2'], stats: { timings: { evalTotalTime: 0.1 } } },
      }),
    });
    await extra.start();
    try {
      const response = await makeDispatcher(() => extra.url).dispatch(request('prometheus.query', { query: '2' }));
      expect(response).toEqual({ type: 'response', id: 'r1', ok: true, result: { resultType: 'scalar', result: [1, '2'] } });
    } finally {
      await extra.stop();
    }
  });

  it.each([
    {
      when: 'Prometheus answers a sample it cannot read',
      frame: request('prometheus.query', { query: 'unreadable' }),
      expected: {
        ok: false,
        error: { code: 'upstream_error', message: expect.stringMatching(/cannot read at result\.0\.metric/) },
      },
    },
    {
      when: 'Prometheus answers an unknown result type',
      frame: request('prometheus.query', { query: 'histogram' }),
      expected: { ok: false, error: { code: 'upstream_error', message: expect.stringContaining('cannot read') } },
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
    {
      when: 'the params do not match the method',
      frame: request('prometheus.queryRange', { query: 'up', start: 'yesterday' }),
      expected: { ok: false, error: { code: 'bad_params', message: expect.stringContaining('start') } },
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

  it('refuses a range answer that is not a matrix', async () => {
    const response = await makeDispatcher(() => confused.url).dispatch(
      request('prometheus.queryRange', { query: 'up', start: 1, end: 61, step: 15 }),
    );
    expect(response).toMatchObject({ ok: false, error: { code: 'upstream_error' } });
  });

  it('gives up before the control plane does', async () => {
    const started = Date.now();
    const response = await makeDispatcher(() => slow.url).dispatch(request('prometheus.query', { query: 'up' }, 400));
    const elapsed = Date.now() - started;
    expect(response).toMatchObject({ ok: false, error: { code: 'deadline_exceeded', message: expect.stringContaining('200 ms') } });
    expect(elapsed).toBeGreaterThanOrEqual(190);
    expect(elapsed).toBeLessThan(400);
  });

  it('answers busy past the cap on requests in flight', async () => {
    const d = makeDispatcher(() => slow.url, 2);
    const answers = await Promise.all(
      ['a', 'b', 'c'].map((id) => d.dispatch(request('prometheus.query', { query: 'up' }, 2000, id))),
    );
    expect(answers.map((a) => (a?.ok ? 'ok' : a?.error.code))).toEqual(['ok', 'ok', 'busy']);
    expect(d.requestsInFlight).toBe(0);
  });

  it('applies new cluster settings and answers with the nodes in the snapshot it sent', async () => {
    const config = { nodePoolLabel: 'pool', gpuTypeLabel: 'gpu', prometheusUrl: 'http://prom:9090' };
    expect(await makeDispatcher(() => undefined).dispatch(request('agent.configure', config))).toEqual({
      type: 'response',
      id: 'r1',
      ok: true,
      result: { nodes: 3 },
    });
    const missing = await makeDispatcher(() => undefined).dispatch(request('agent.configure', { nodePoolLabel: 'pool' }));
    expect(missing).toMatchObject({ ok: false, error: { code: 'bad_params' } });
  });

  it('refuses a workspace.apply for a name that is not a namespace name, before touching Kubernetes', async () => {
    const response = await makeDispatcher(() => undefined).dispatch(
      request('workspace.apply', { name: 'Team_A', labels: {}, annotations: {}, quota: null, generation: 1 }),
    );
    expect(response).toMatchObject({ ok: false, error: { code: 'bad_params' } });
  });

  it('says so when no Prometheus is configured yet', async () => {
    const response = await makeDispatcher(() => undefined).dispatch(request('prometheus.query', { query: 'up' }));
    expect(response).toMatchObject({ ok: false, error: { code: 'unavailable' } });
  });

  it('enforces the deadline even when a handler ignores its signal', async () => {
    const handlers: AgentHandlers = {
      'prometheus.query': () => new Promise(() => undefined),
      'prometheus.queryRange': () => new Promise(() => undefined),
      'namespace.ensure': () => new Promise(() => undefined),
      'workspace.apply': () => new Promise(() => undefined),
      'workspace.remove': () => new Promise(() => undefined),
      'agent.configure': () => new Promise(() => undefined),
    };
    const d = new RequestDispatcher({ logger, handlers });
    const response = await d.dispatch(request('namespace.ensure', { name: 'x', labels: {} }, 50));
    expect(response).toMatchObject({ ok: false, error: { code: 'deadline_exceeded' } });
  });
});
