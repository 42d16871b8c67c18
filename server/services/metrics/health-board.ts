/**
 * The on-call health board on the Overview: the clusters someone should look at, ranked
 * by what is wrong, each reason linking to the cluster page's tab that shows it. Built
 * from the clusters' stored status (agent connection, derived reasons, node counts) and
 * their latest pushed metric summaries (XID errors, hot GPUs, Prometheus errors): it
 * never calls an agent. Healthy clusters are only counted.
 */
import { eq, sql } from 'drizzle-orm';
import type { ClusterStatus } from '@/lib/cluster-status';
import { countOf, formatDuration } from '@/lib/format-time';
import type { Principal } from '@/server/access/principal';
import { tablesOf, type Db } from '@/server/store';
import { visibleClustersOn } from '@/server/services/clusters/shared';
import { latestSummaries, type ClusterMetricSummary } from '@/server/services/metrics/summaries';

/** Reason kinds, most urgent first: a cluster ranks by its most urgent one. */
export const HEALTH_REASON_KINDS = [
  'disconnected',
  'degraded',
  'nodesNotReady',
  'xidErrors',
  'hotGpus',
  'prometheusUnreachable',
  'awaitingAgent',
] as const;
export type HealthReasonKind = (typeof HEALTH_REASON_KINDS)[number];

/** The cluster page's tab that shows each kind of problem (`/clusters/<name>/<tab>`; '' is the Overview). */
export const HEALTH_REASON_TABS: Record<HealthReasonKind, '' | 'nodes' | 'metrics'> = {
  disconnected: '',
  degraded: '',
  nodesNotReady: 'nodes',
  xidErrors: 'metrics',
  hotGpus: 'metrics',
  prometheusUnreachable: 'metrics',
  awaitingAgent: '',
};

export interface HealthReason {
  kind: HealthReasonKind;
  text: string;
  /** The cluster page's tab segment to open. */
  tab: '' | 'nodes' | 'metrics';
}

/** What the board knows of one cluster. */
export interface ClusterHealthFacts {
  id: number;
  name: string;
  status: ClusterStatus;
  statusReasons: readonly string[];
  nodeCount: number | null;
  readyNodeCount: number | null;
  isProduction: boolean;
  summary: Pick<ClusterMetricSummary, 'summary' | 'error' | 'stale' | 'ageSeconds'> | undefined;
}

export interface HealthEntry {
  id: number;
  name: string;
  status: ClusterStatus;
  isProduction: boolean;
  reasons: HealthReason[];
  /** Age of the metric summary the metric reasons come from, when it is stale. */
  metricsStaleSeconds: number | null;
}

/** A Degraded reason about NotReady nodes (see server/services/cluster-status.ts `notReadyReason`). */
const NOT_READY_REASON = /\bNotReady$/;

function reason(kind: HealthReasonKind, text: string): HealthReason {
  return { kind, text, tab: HEALTH_REASON_TABS[kind] };
}

/** Why `cluster` needs attention, most urgent first; empty when it is healthy. */
export function healthReasons(cluster: ClusterHealthFacts): HealthReason[] {
  const reasons: HealthReason[] = [];
  if (cluster.status === 'awaiting_agent') return [reason('awaitingAgent', 'No agent has connected yet.')];
  const notReadyText = cluster.statusReasons.find((text) => NOT_READY_REASON.test(text));
  if (cluster.status === 'disconnected') {
    reasons.push(reason('disconnected', cluster.statusReasons[0] ?? 'The agent is disconnected.'));
  } else if (cluster.status === 'degraded') {
    for (const text of cluster.statusReasons) if (text !== notReadyText) reasons.push(reason('degraded', text));
  }
  const nodes = cluster.nodeCount ?? cluster.summary?.summary.nodesTotal ?? null;
  const ready = cluster.readyNodeCount ?? cluster.summary?.summary.nodesReady ?? null;
  if (notReadyText || (nodes !== null && ready !== null && ready < nodes)) {
    reasons.push(reason('nodesNotReady', notReadyText ?? `${nodes! - ready!} of ${countOf(nodes!, 'node')} not Ready`));
  }
  const metrics = cluster.summary;
  if (metrics) {
    const asOf = metrics.stale ? ` (as of ${formatDuration(metrics.ageSeconds * 1000)} ago)` : '';
    const xid = metrics.summary.xidErrors ?? 0;
    if (xid > 0) reasons.push(reason('xidErrors', `${countOf(xid, 'XID error')} in the last hour${asOf}`));
    const hot = metrics.summary.hotGpus ?? 0;
    if (hot > 0) reasons.push(reason('hotGpus', `${countOf(hot, 'GPU')} over 85 °C${asOf}`));
    if (metrics.error) reasons.push(reason('prometheusUnreachable', metrics.error));
  }
  return reasons;
}

function urgency(entry: HealthEntry): number {
  return Math.min(...entry.reasons.map((r) => HEALTH_REASON_KINDS.indexOf(r.kind)));
}

/**
 * The board's order: the most urgent reason first (disconnected before Degraded before
 * NotReady nodes…), then production, then more reasons, then by name.
 */
export function rankHealthBoard(entries: readonly HealthEntry[]): HealthEntry[] {
  return [...entries].sort(
    (a, b) =>
      urgency(a) - urgency(b) ||
      Number(b.isProduction) - Number(a.isProduction) ||
      b.reasons.length - a.reasons.length ||
      (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
}

export interface HealthBoard {
  entries: HealthEntry[];
  /** Clusters the caller may see. */
  total: number;
  /** Those with nothing to say. */
  healthy: number;
}

/** The board over the clusters `principal` may see. */
export async function healthBoard(db: Db, principal: Principal, options: { now?: Date } = {}): Promise<HealthBoard> {
  const { clusters, clusterEnvironments, environments } = tablesOf(db);
  const isProduction = sql<boolean>`exists (
    select 1 from ${clusterEnvironments} join ${environments} on ${environments.id} = ${clusterEnvironments.environmentId}
    where ${clusterEnvironments.clusterId} = ${clusters.id} and ${eq(environments.isProduction, true)})`.mapWith(Boolean);
  const where = visibleClustersOn(principal, clusters.id);
  const rows = await db
    .select({
      id: clusters.id,
      name: clusters.name,
      status: clusters.status,
      statusReasons: clusters.statusReasons,
      nodeCount: clusters.nodeCount,
      readyNodeCount: clusters.readyNodeCount,
      isProduction,
    })
    .from(clusters)
    .where(where);
  // A member's few clusters by id; everyone's in one plain read.
  const latest = await latestSummaries(db, where ? rows.map((row) => row.id) : undefined, options.now ? { now: options.now } : {});
  const entries: HealthEntry[] = [];
  for (const row of rows) {
    const summary = latest.get(row.id);
    const reasons = healthReasons({ ...row, summary });
    if (reasons.length === 0) continue;
    const fromMetrics = reasons.some((r) => r.kind === 'xidErrors' || r.kind === 'hotGpus');
    entries.push({
      id: row.id,
      name: row.name,
      status: row.status,
      isProduction: row.isProduction,
      reasons,
      metricsStaleSeconds: fromMetrics && summary?.stale ? summary.ageSeconds : null,
    });
  }
  return { entries: rankHealthBoard(entries), total: rows.length, healthy: rows.length - entries.length };
}
