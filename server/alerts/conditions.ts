/**
 * What each rule condition means, judged from one cluster's stored row: pure, so the
 * table of cases is tested without a store. A new condition (the metrics ones later) is
 * a new branch here plus the facts it needs in `ClusterFacts`.
 */
import type { AlertCondition } from '@/lib/alerts';
import type { ClusterStatus } from '@/lib/cluster-status';
import { countOf, formatDuration, formatInstant } from '@/lib/format-time';

/** The cluster facts conditions read (the `clusters` row, and NotReady node names when asked for). */
export interface ClusterFacts {
  name: string;
  status: ClusterStatus;
  statusReasons: readonly string[];
  disconnectedAt: Date | null;
  lastSeenAt: Date | null;
  nodeCount: number | null;
  readyNodeCount: number | null;
}

export interface RuleCondition {
  condition: AlertCondition;
  /** How long the condition must hold before firing (only Disconnected measures it). */
  forMinutes: number;
}

/**
 * - `firing`: the condition holds (long enough); `summary` says what is wrong.
 * - `pending`: it holds, not yet for `forMinutes`: an open alert stays, none is opened.
 * - `clear`: it does not hold: an open alert resolves.
 * - `unknown`: the facts are stale (the agent is away): an open alert stays as it is,
 *   so a Degraded alert does not "resolve" because the agent stopped reporting.
 */
export type Verdict = { kind: 'firing'; summary: string } | { kind: 'pending' } | { kind: 'clear' } | { kind: 'unknown' };

/** Conditions that can be measured over time; the others fire on the first evaluation that sees them. */
export function conditionTakesMinutes(condition: AlertCondition): boolean {
  return condition === 'disconnected';
}

const MAX_SUMMARY = 500;

function bounded(text: string): string {
  return text.length <= MAX_SUMMARY ? text : `${text.slice(0, MAX_SUMMARY - 1)}…`;
}

export function judgeCondition(rule: RuleCondition, cluster: ClusterFacts, now: Date, notReadyNodes: readonly string[] = []): Verdict {
  switch (rule.condition) {
    case 'disconnected': {
      if (cluster.status !== 'disconnected') return { kind: 'clear' };
      const since = cluster.disconnectedAt ?? cluster.lastSeenAt ?? now;
      const away = now.getTime() - since.getTime();
      if (away < rule.forMinutes * 60_000) return { kind: 'pending' };
      return {
        kind: 'firing',
        summary: `${cluster.name} is disconnected: its agent has not been heard from since ${formatInstant(since)} (${formatDuration(away)}).`,
      };
    }
    case 'degraded': {
      if (cluster.status === 'disconnected') return { kind: 'unknown' };
      if (cluster.status !== 'degraded') return { kind: 'clear' };
      const reasons = cluster.statusReasons.length > 0 ? `: ${cluster.statusReasons.join('; ')}` : '.';
      return { kind: 'firing', summary: bounded(`${cluster.name} is degraded${reasons}`) };
    }
    case 'node_not_ready': {
      if (cluster.status === 'disconnected') return { kind: 'unknown' };
      const { nodeCount, readyNodeCount } = cluster;
      if (nodeCount === null || readyNodeCount === null || readyNodeCount >= nodeCount) return { kind: 'clear' };
      const notReady = nodeCount - readyNodeCount;
      const named = notReadyNodes.length > 0 ? `: ${notReadyNodes.join(', ')}${notReady > notReadyNodes.length ? ` and ${notReady - notReadyNodes.length} more` : ''}` : '.';
      return { kind: 'firing', summary: bounded(`${cluster.name} has ${notReady} of ${countOf(nodeCount, 'node')} NotReady${named}`) };
    }
  }
}
