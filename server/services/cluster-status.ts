/**
 * A cluster's status is derived, never set by hand (ARCHITECTURE decision 5): from
 * whether its agent is connected, whether that connection keeps dropping (flapping),
 * NotReady nodes, its latest preflight results and whether an addon it wants is already
 * installed by someone else. The result is stored on `clusters` only so that the fleet
 * list can filter and sort on it.
 */
import { and, asc, count, eq, gte, lt, sql } from 'drizzle-orm';
import { addonConflictReasons, resolveAddonStates, type AddonStateView } from '@/lib/addons/addon-state';
import type { PreflightResult } from '@/lib/agent-protocol';
import type { ClusterStatus } from '@/lib/cluster-status';
import { FLAP_RECONNECTS, FLAP_WINDOW_MS } from '@/lib/connection-history';
import { countOf, formatDuration, formatInstant } from '@/lib/format-time';
import { tablesOf, type Db } from '@/server/store';

export type AgentConnection = 'never' | 'connected' | 'disconnected';

export interface ClusterStatusFacts {
  /** `never`: no agent has said hello yet; otherwise the state of the latest session. */
  connection: AgentConnection;
  /** When the agent was last heard from; names the moment in the disconnected reason. */
  lastSeenAt: Date | null;
  /** Latest preflight results, or null before the first snapshot. */
  preflight: readonly Pick<PreflightResult, 'status' | 'detail'>[] | null;
  /** Desired addons against detected components (lib/addons/addon-state.ts). */
  addons: readonly AddonStateView[];
  /** Reconnects within the flap window (`FLAP_WINDOW_MS`); more than `FLAP_RECONNECTS` is an unstable connection. */
  recentReconnects: number;
  /** Nodes reporting NotReady: the first few names (sorted) and how many there are in all. */
  notReadyNodes: { names: readonly string[]; count: number };
}

/** NotReady nodes named in a reason; the rest are counted. */
export const NOT_READY_NAMES_SHOWN = 2;

export interface DerivedClusterStatus {
  status: ClusterStatus;
  /** Why the cluster is not simply Connected, one human line each; empty when it is. */
  reasons: string[];
}

export function deriveClusterStatus(facts: ClusterStatusFacts): DerivedClusterStatus {
  if (facts.connection === 'never') return { status: 'awaiting_agent', reasons: [] };

  const problems = [
    ...(isFlapping(facts.recentReconnects) ? [unstableConnectionReason(facts.recentReconnects)] : []),
    ...(facts.notReadyNodes.count > 0 ? [notReadyReason(facts.notReadyNodes)] : []),
    ...(facts.preflight ?? []).filter((check) => check.status === 'fail').map((check) => check.detail),
    ...addonConflictReasons(facts.addons),
  ];
  if (facts.connection === 'disconnected') {
    // Problems seen before the agent went silent are still the last facts we have: keep
    // them after the reason that matters most now.
    const since = facts.lastSeenAt ? ` since ${formatInstant(facts.lastSeenAt)}` : '';
    return {
      status: 'disconnected',
      reasons: [`The agent has not been heard from${since}; the data shown is its last report.`, ...problems],
    };
  }
  return problems.length > 0 ? { status: 'degraded', reasons: problems } : { status: 'connected', reasons: [] };
}

export function isFlapping(recentReconnects: number): boolean {
  return recentReconnects > FLAP_RECONNECTS;
}

/** How a flapping cluster's reason begins: the flap sweep finds flagged clusters by it. */
export const UNSTABLE_CONNECTION_PREFIX = 'Unstable connection:';

/** "Unstable connection: 5 reconnects in the last 15 min." */
export function unstableConnectionReason(reconnects: number): string {
  return `${UNSTABLE_CONNECTION_PREFIX} ${countOf(reconnects, 'reconnect')} in the last ${formatDuration(FLAP_WINDOW_MS)}.`;
}

/** "Node gpu-a-3 is NotReady", "Nodes a and b are NotReady", "Nodes a, b and 3 more are NotReady". */
export function notReadyReason({ names, count: total }: ClusterStatusFacts['notReadyNodes']): string {
  const shown = names.slice(0, NOT_READY_NAMES_SHOWN);
  if (total === 1 && shown.length === 1) return `Node ${shown[0]} is NotReady`;
  const more = total - shown.length;
  if (shown.length === 0) return `${countOf(total, 'node')} are NotReady`;
  const listed = more > 0 ? `${shown.join(', ')} and ${countOf(more, 'more', 'more')}` : joinAnd(shown);
  return `Nodes ${listed} are NotReady`;
}

function joinAnd(items: readonly string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

/**
 * Loads the facts for one cluster and stores its derived status (stamping `updatedAt`
 * with `now` when it moves). Returns it, or null if the cluster is gone.
 */
export async function refreshClusterStatus(tx: Db, clusterId: number, now: Date): Promise<RefreshedClusterStatus | null> {
  const { clusters, clusterReports, clusterNodes, connectionEvents } = tablesOf(tx);
  const windowStart = new Date(now.getTime() - FLAP_WINDOW_MS);
  // The counts ride along in the cluster's own select (scalar subqueries on indexed
  // columns), so a status refresh in the gateway's flush costs no extra round trip.
  const connectsInWindow = tx
    .select({ n: count() })
    .from(connectionEvents)
    .where(and(eq(connectionEvents.clusterId, clusterId), eq(connectionEvents.kind, 'connected'), gte(connectionEvents.at, windowStart)));
  const earlierEvent = tx
    .select({ id: connectionEvents.id })
    .from(connectionEvents)
    .where(and(eq(connectionEvents.clusterId, clusterId), lt(connectionEvents.at, windowStart)))
    .limit(1);
  const notReady = tx
    .select({ n: count() })
    .from(clusterNodes)
    .where(and(eq(clusterNodes.clusterId, clusterId), eq(clusterNodes.ready, false)));
  const [cluster] = await tx
    .select({
      provider: clusters.provider,
      addons: clusters.addons,
      connectedAt: clusters.connectedAt,
      disconnectedAt: clusters.disconnectedAt,
      lastSeenAt: clusters.lastSeenAt,
      status: clusters.status,
      statusReasons: clusters.statusReasons,
      connectsInWindow: sql<number>`(${connectsInWindow})`.mapWith(Number),
      // `count` of a one-row subquery, not `exists`: reads as 0/1 on both engines alike.
      hasEarlierEvent: sql<number>`(select count(*) from (${earlierEvent}) as earlier)`.mapWith(Number),
      notReadyCount: sql<number>`(${notReady})`.mapWith(Number),
    })
    .from(clusters)
    .where(eq(clusters.id, clusterId))
    .limit(1);
  if (!cluster) return null;
  const [report] = await tx
    .select({ components: clusterReports.components, preflight: clusterReports.preflight })
    .from(clusterReports)
    .where(eq(clusterReports.clusterId, clusterId))
    .limit(1);
  const notReadyNames =
    cluster.notReadyCount > 0
      ? await tx
          .select({ name: clusterNodes.name })
          .from(clusterNodes)
          .where(and(eq(clusterNodes.clusterId, clusterId), eq(clusterNodes.ready, false)))
          .orderBy(asc(clusterNodes.name))
          .limit(NOT_READY_NAMES_SHOWN)
      : [];

  const derived = deriveClusterStatus({
    connection: connectionOf(cluster.connectedAt, cluster.disconnectedAt),
    lastSeenAt: cluster.lastSeenAt,
    preflight: report ? report.preflight : null,
    addons: resolveAddonStates(cluster.provider, cluster.addons, report ? report.components : null),
    recentReconnects: reconnectsOf(cluster.connectsInWindow, cluster.hasEarlierEvent > 0),
    notReadyNodes: { names: notReadyNames.map((row) => row.name), count: cluster.notReadyCount },
  });
  const changed = cluster.status !== derived.status || !sameReasons(cluster.statusReasons, derived.reasons);
  if (changed) {
    await tx
      .update(clusters)
      .set({ status: derived.status, statusReasons: derived.reasons, updatedAt: now })
      .where(eq(clusters.id, clusterId));
  }
  return { ...derived, changed };
}

export interface RefreshedClusterStatus extends DerivedClusterStatus {
  /** The stored status or reasons moved (and `updatedAt` was stamped). */
  changed: boolean;
}

/**
 * Connects in the window are reconnects, except a cluster's very first connection: with
 * no event before the window, the earliest connect in it is that first one.
 */
export function reconnectsOf(connectsInWindow: number, hasEarlierEvent: boolean): number {
  return hasEarlierEvent ? connectsInWindow : Math.max(0, connectsInWindow - 1);
}

/** The gateway clears `disconnectedAt` on every hello, so a set value means the latest session ended. */
export function connectionOf(connectedAt: Date | null, disconnectedAt: Date | null): AgentConnection {
  if (!connectedAt) return 'never';
  return disconnectedAt ? 'disconnected' : 'connected';
}

function sameReasons(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((reason, i) => reason === b[i]);
}
