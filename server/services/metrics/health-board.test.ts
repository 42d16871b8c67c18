import { describe, expect, it } from 'vitest';
import type { MetricSummary } from '@/lib/metrics';
import { type ClusterHealthFacts, type HealthEntry, healthReasons, rankHealthBoard } from './health-board';

const quiet: MetricSummary = { gpus: [], nodesReady: 3, nodesTotal: 3, cpuUtilization: 0.2, memoryUtilization: 0.3, xidErrors: 0, hotGpus: 0 };

function facts(name: string, change: Partial<ClusterHealthFacts> & { metrics?: Partial<MetricSummary>; error?: string; staleSeconds?: number } = {}): ClusterHealthFacts {
  const { metrics, error, staleSeconds, ...rest } = change;
  return {
    id: name.length,
    name,
    status: 'connected',
    statusReasons: [],
    nodeCount: 3,
    readyNodeCount: 3,
    isProduction: false,
    summary: { summary: { ...quiet, ...metrics }, error: error ?? null, stale: staleSeconds !== undefined, ageSeconds: staleSeconds ?? 20 },
    ...rest,
  };
}

function entry(f: ClusterHealthFacts): HealthEntry {
  return { id: f.id, name: f.name, status: f.status, isProduction: f.isProduction, reasons: healthReasons(f), metricsStaleSeconds: null };
}

describe('health board reasons', () => {
  it.each<[string, ClusterHealthFacts, [string, string, string][]]>([
    ['healthy', facts('ok'), []],
    ['healthy, no metrics yet', facts('new', { summary: undefined }), []],
    ['disconnected: its first reason', facts('gone', { status: 'disconnected', statusReasons: ['The agent has not been heard from since 11:00.'] }), [['disconnected', 'The agent has not been heard from since 11:00.', '']]],
    [
      'Degraded: each reason; a NotReady one goes to the Nodes tab',
      facts('deg', { status: 'degraded', statusReasons: ['Unstable connection: 5 reconnects in the last 15 min.', 'Node gpu-3 is NotReady'], readyNodeCount: 2 }),
      [
        ['degraded', 'Unstable connection: 5 reconnects in the last 15 min.', ''],
        ['nodesNotReady', 'Node gpu-3 is NotReady', 'nodes'],
      ],
    ],
    ['nodes not Ready from the counts', facts('nodes', { nodeCount: 5, readyNodeCount: 3 }), [['nodesNotReady', '2 of 5 nodes not Ready', 'nodes']]],
    ['XID errors', facts('xid', { metrics: { xidErrors: 3 } }), [['xidErrors', '3 XID errors in the last hour', 'metrics']]],
    ['hot GPUs', facts('hot', { metrics: { hotGpus: 1 } }), [['hotGpus', '1 GPU over 85 °C', 'metrics']]],
    ['hot GPUs from a stale summary say how old', facts('old', { metrics: { hotGpus: 2 }, staleSeconds: 600 }), [['hotGpus', '2 GPUs over 85 °C (as of 10 min ago)', 'metrics']]],
    ['Prometheus unreachable', facts('prom', { error: 'Prometheus unreachable: timeout after 5 s' }), [['prometheusUnreachable', 'Prometheus unreachable: timeout after 5 s', 'metrics']]],
    ['awaiting its agent', facts('await', { status: 'awaiting_agent', summary: undefined, nodeCount: null, readyNodeCount: null }), [['awaitingAgent', 'No agent has connected yet.', '']]],
  ])('%s', (_, input, expected) => {
    expect(healthReasons(input).map((r) => [r.kind, r.text, r.tab])).toEqual(expected);
  });
});

describe('health board ranking', () => {
  it.each<[string, ClusterHealthFacts[], string[]]>([
    [
      'by the most urgent reason: disconnected, Degraded, nodes, XID, hot, Prometheus, awaiting',
      [
        facts('await', { status: 'awaiting_agent' }),
        facts('prom', { error: 'Prometheus unreachable' }),
        facts('hot', { metrics: { hotGpus: 1 } }),
        facts('xid', { metrics: { xidErrors: 1 } }),
        facts('nodes', { readyNodeCount: 2 }),
        facts('deg', { status: 'degraded', statusReasons: ['GPU Operator conflict'] }),
        facts('gone', { status: 'disconnected' }),
      ],
      ['gone', 'deg', 'nodes', 'xid', 'hot', 'prom', 'await'],
    ],
    ['production first at the same urgency', [facts('dev-x', { metrics: { xidErrors: 1 } }), facts('prod-x', { isProduction: true, metrics: { xidErrors: 1 } })], ['prod-x', 'dev-x']],
    ['urgency before production', [facts('prod-hot', { isProduction: true, metrics: { hotGpus: 1 } }), facts('dev-x', { metrics: { xidErrors: 1 } })], ['dev-x', 'prod-hot']],
    ['then more reasons first', [facts('a-one', { metrics: { xidErrors: 1 } }), facts('b-two', { metrics: { xidErrors: 1, hotGpus: 1 } })], ['b-two', 'a-one']],
    ['then by name', [facts('b', { metrics: { xidErrors: 1 } }), facts('a', { metrics: { xidErrors: 1 } })], ['a', 'b']],
  ])('%s', (_, clusters, expected) => {
    expect(rankHealthBoard(clusters.map(entry)).map((e) => e.name)).toEqual(expected);
  });
});
