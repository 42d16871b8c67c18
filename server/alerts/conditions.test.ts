import { describe, expect, it } from 'vitest';
import { judgeCondition, type ClusterFacts } from './conditions';

const now = new Date('2026-11-23T15:00:00Z');
const minutesAgo = (n: number) => new Date(now.getTime() - n * 60_000);
const cluster = (facts: Partial<ClusterFacts>): ClusterFacts => ({
  name: 'gpu-west',
  status: 'connected',
  statusReasons: [],
  disconnectedAt: null,
  lastSeenAt: now,
  nodeCount: 4,
  readyNodeCount: 4,
  ...facts,
});

describe('judgeCondition', () => {
  it.each([
    ['disconnected 0 min, just now', { condition: 'disconnected', forMinutes: 0 }, cluster({ status: 'disconnected', disconnectedAt: now }), 'firing'],
    ['disconnected 5 min, for 4 min', { condition: 'disconnected', forMinutes: 5 }, cluster({ status: 'disconnected', disconnectedAt: minutesAgo(4) }), 'pending'],
    ['disconnected 5 min, for 5 min', { condition: 'disconnected', forMinutes: 5 }, cluster({ status: 'disconnected', disconnectedAt: minutesAgo(5) }), 'firing'],
    ['disconnected, connected', { condition: 'disconnected', forMinutes: 0 }, cluster({}), 'clear'],
    ['disconnected, awaiting agent', { condition: 'disconnected', forMinutes: 0 }, cluster({ status: 'awaiting_agent' }), 'clear'],
    ['degraded, degraded', { condition: 'degraded', forMinutes: 0 }, cluster({ status: 'degraded', statusReasons: ['unstable connection'] }), 'firing'],
    ['degraded, connected', { condition: 'degraded', forMinutes: 0 }, cluster({}), 'clear'],
    ['degraded, agent away', { condition: 'degraded', forMinutes: 0 }, cluster({ status: 'disconnected' }), 'unknown'],
    ['NotReady, 3 of 4 ready', { condition: 'node_not_ready', forMinutes: 0 }, cluster({ readyNodeCount: 3 }), 'firing'],
    ['NotReady, all ready', { condition: 'node_not_ready', forMinutes: 0 }, cluster({}), 'clear'],
    ['NotReady, no nodes reported yet', { condition: 'node_not_ready', forMinutes: 0 }, cluster({ nodeCount: null, readyNodeCount: null }), 'clear'],
    ['NotReady, agent away', { condition: 'node_not_ready', forMinutes: 0 }, cluster({ status: 'disconnected', readyNodeCount: 1 }), 'unknown'],
  ] as const)('%s → %s', (_case, rule, facts, expected) => {
    expect(judgeCondition(rule, facts, now).kind).toBe(expected);
  });

  it('says what is wrong in words, with one time format and the NotReady nodes named', () => {
    const away = judgeCondition({ condition: 'disconnected', forMinutes: 10 }, cluster({ status: 'disconnected', disconnectedAt: minutesAgo(12) }), now);
    expect(away).toEqual({
      kind: 'firing',
      summary: 'gpu-west is disconnected: its agent has not been heard from since 23 Nov 2026, 14:48 UTC (12 min).',
    });
    const degraded = judgeCondition({ condition: 'degraded', forMinutes: 0 }, cluster({ status: 'degraded', statusReasons: ['unstable connection', 'GPU Operator conflict'] }), now);
    expect(degraded).toEqual({ kind: 'firing', summary: 'gpu-west is degraded: unstable connection; GPU Operator conflict' });
    const nodes = judgeCondition({ condition: 'node_not_ready', forMinutes: 0 }, cluster({ nodeCount: 9, readyNodeCount: 2 }), now, ['gpu-a', 'gpu-b']);
    expect(nodes).toEqual({ kind: 'firing', summary: 'gpu-west has 7 of 9 nodes NotReady: gpu-a, gpu-b and 5 more' });
  });
});
