import { describe, expect, it } from 'vitest';
import {
  agentDeadlineMs,
  agentFrame,
  agentMethods,
  controlPlaneFrame,
  describeFrameError,
  FRAME_LIMITS,
  isAgentMethod,
  leadingFrameType,
  MAX_SUMMARY_RESULTS,
  prometheusData,
} from '@/lib/agent-protocol';

function frameError(schema: typeof agentFrame | typeof controlPlaneFrame, raw: unknown): string {
  const parsed = schema.safeParse(raw);
  if (parsed.success) throw new Error('expected the frame to be refused');
  return describeFrameError(raw, parsed.error);
}

describe('agentDeadlineMs', () => {
  it.each([
    // 10 % is the larger cut on long deadlines, the 250 ms margin on short ones…
    [10_000, 9_000],
    [2_000, 1_750],
    [1_000, 750],
    // …but the agent always keeps at least half of the time.
    [400, 200],
    [100, 50],
    [1, 1],
  ])('gives %i ms → %i ms', (deadlineMs, expected) => {
    expect(agentDeadlineMs(deadlineMs)).toBe(expected);
  });
});

describe('frames', () => {
  it('parses a response on `ok`: a result, or an error with a known code', () => {
    expect(agentFrame.parse({ type: 'response', id: '1', ok: true, result: { created: true } })).toEqual({
      type: 'response',
      id: '1',
      ok: true,
      result: { created: true },
    });
    const failed = agentFrame.parse({ type: 'response', id: '1', ok: false, error: { code: 'busy', message: 'later' } });
    expect(failed.type === 'response' && !failed.ok && failed.error.code).toBe('busy');
    expect(frameError(agentFrame, { type: 'response', id: '1', ok: false, error: { code: 'oops', message: '' } })).toMatch(
      /^error\.code: /,
    );
  });

  it('parses a request for any method name, so an unknown one can be answered', () => {
    const frame = controlPlaneFrame.parse({ type: 'request', id: '7', method: 'pods.exec', params: {}, deadlineMs: 100 });
    expect(frame).toMatchObject({ type: 'request', method: 'pods.exec' });
    expect(isAgentMethod('pods.exec')).toBe(false);
    expect(isAgentMethod('prometheus.query')).toBe(true);
    expect(isAgentMethod('toString')).toBe(false);
  });

  it.each([
    { raw: { type: 'teleport' }, message: 'unknown frame type "teleport"' },
    { raw: { id: 1 }, message: 'it has no "type"' },
    { raw: { type: 'ping', id: 'one' }, message: 'id: Invalid input: expected number, received string' },
    { raw: { type: 'request', id: 'r', method: 'x', params: {} }, message: 'deadlineMs: Invalid input: expected number, received undefined' },
  ])('says what is wrong with $raw', ({ raw, message }) => {
    expect(frameError(controlPlaneFrame, raw)).toBe(message);
  });
});

describe('Prometheus results', () => {
  it.each([
    { resultType: 'vector', result: [{ metric: { job: 'node' }, value: [1700000000.123, '1'] }] },
    { resultType: 'matrix', result: [{ metric: {}, values: [[1700000000, '1'], [1700000015, 'NaN']] }] },
    { resultType: 'scalar', result: [1700000000, '42'] },
    { resultType: 'string', result: [1700000000, 'hello'] },
  ])('accepts a $resultType', (data) => {
    expect(prometheusData.parse(data)).toEqual(data);
  });

  it.each([
    { resultType: 'vector', result: [{ metric: {}, value: [1, 1] }] },
    { resultType: 'matrix', result: [{ metric: {}, value: [1, '1'] }] },
    { resultType: 'scalar', result: ['1', '1'] },
    { resultType: 'histogram', result: [] },
  ])('refuses a malformed $resultType', (data) => {
    expect(prometheusData.safeParse(data).success).toBe(false);
  });

  it('types a range query as a matrix only', () => {
    expect(agentMethods['prometheus.queryRange'].result.safeParse({ resultType: 'vector', result: [] }).success).toBe(false);
  });
});

describe('workspaces in the protocol', () => {
  const state = { nodes: [], namespaces: [], storageClasses: [], ingressClasses: [], components: [], preflight: [], warnings: [] };
  const managed = { name: 'team-a', labels: { 'app.kubernetes.io/managed-by': 'fleetdeck' }, annotations: {}, quota: { hard: { cpu: '2' }, used: { cpu: '1' } } };

  it('a snapshot without managed namespaces (an older agent) still parses; one with them keeps them', () => {
    expect(agentFrame.safeParse({ type: 'snapshot', state }).success).toBe(true);
    const parsed = agentFrame.parse({ type: 'snapshot', state: { ...state, managedNamespaces: [managed] } });
    expect(parsed.type === 'snapshot' && parsed.state.managedNamespaces).toEqual([managed]);
  });

  it('deltas carry managed namespaces one by one', () => {
    const delta = { type: 'delta', changes: [{ kind: 'managedNamespace.upsert', namespace: managed }, { kind: 'managedNamespace.delete', name: 'team-b' }] };
    expect(agentFrame.safeParse(delta).success).toBe(true);
  });

  it('workspace.apply takes a generation and answers applied or foreign', () => {
    const params = { name: 'team-a', labels: {}, annotations: {}, quota: null, generation: 3 };
    expect(agentMethods['workspace.apply'].params.safeParse(params).success).toBe(true);
    expect(agentMethods['workspace.apply'].params.safeParse({ ...params, generation: -1 }).success).toBe(false);
    expect(agentMethods['workspace.apply'].result.safeParse({ outcome: 'foreign', message: 'not ours' }).success).toBe(true);
    expect(agentMethods['workspace.remove'].result.safeParse({ outcome: 'deleted' }).success).toBe(false);
  });
});

describe('metric summaries in the protocol', () => {
  const vector = { resultType: 'vector', result: [{ metric: { modelName: 'H100' }, value: [1_800_000_000, '8'] }] };
  const config = { nodePoolLabel: 'pool', gpuTypeLabel: 'gpu', prometheusUrl: 'http://prom:9090' };

  it('a summary frame carries each query\'s vector or its error', () => {
    const frame = { type: 'summary', collectedAt: 1_800_000_000, results: { gpu_total: vector, xid: { error: 'Prometheus unreachable: connect ECONNREFUSED 127.0.0.1:9090' } } };
    expect(agentFrame.parse(frame)).toEqual(frame);
  });

  it('refuses a malformed summary: a matrix, a bad id, too many queries, an empty error', () => {
    const matrix = { resultType: 'matrix', result: [] };
    expect(frameError(agentFrame, { type: 'summary', collectedAt: 1, results: { a: matrix } })).toMatch(/^results\.a/);
    expect(() => agentFrame.parse({ type: 'summary', collectedAt: 1, results: { ['x'.repeat(65)]: vector } })).toThrow();
    expect(() => agentFrame.parse({ type: 'summary', collectedAt: 1, results: { a: { error: '' } } })).toThrow();
    expect(() => agentFrame.parse({ type: 'summary', collectedAt: -1, results: {} })).toThrow();
    const many = Object.fromEntries(Array.from({ length: MAX_SUMMARY_RESULTS + 1 }, (_, i) => [`q${i}`, vector]));
    expect(frameError(agentFrame, { type: 'summary', collectedAt: 1, results: many })).toContain(`at most ${MAX_SUMMARY_RESULTS}`);
  });

  it('has a size limit of its own, and its type is read from its first bytes', () => {
    expect(FRAME_LIMITS.summary).toBeLessThan(FRAME_LIMITS.snapshot);
    expect(leadingFrameType(JSON.stringify({ type: 'summary', collectedAt: 1, results: {} }))).toBe('summary');
  });

  it('the cluster config carries the summary set optionally, for older agents and control planes', () => {
    const summary = { intervalSeconds: 30, queries: [{ id: 'gpu_total', promql: 'sum(kube_node_status_allocatable{resource="nvidia_com_gpu"})' }] };
    expect(agentMethods['agent.configure'].params.parse({ ...config, summary })).toEqual({ ...config, summary });
    expect(agentMethods['agent.configure'].params.parse(config)).toEqual(config);
    const welcome = { type: 'welcome', protocolVersion: 1, clusterName: 'a', config: { ...config, heartbeatIntervalMs: 1000 } };
    expect(controlPlaneFrame.parse(welcome)).toEqual(welcome);
    expect(() => controlPlaneFrame.parse({ ...welcome, config: { ...welcome.config, summary: { intervalSeconds: 1, queries: [] } } })).toThrow();
  });
});
