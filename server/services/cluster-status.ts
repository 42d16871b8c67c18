/**
 * A cluster's status is derived, never set by hand (ARCHITECTURE decision 5): from
 * whether its agent is connected, its latest preflight results and whether an addon
 * it wants is already installed by someone else. The result is stored on `clusters`
 * only so that the fleet list can filter and sort on it.
 */
import { eq } from 'drizzle-orm';
import { addonConflictReasons, resolveAddonStates, type AddonStateView } from '@/lib/addons/addon-state';
import type { PreflightResult } from '@/lib/agent-protocol';
import type { ClusterStatus } from '@/lib/cluster-status';
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
}

export interface DerivedClusterStatus {
  status: ClusterStatus;
  /** Why the cluster is not simply Connected, one human line each; empty when it is. */
  reasons: string[];
}

export function deriveClusterStatus(facts: ClusterStatusFacts): DerivedClusterStatus {
  if (facts.connection === 'never') return { status: 'awaiting_agent', reasons: [] };

  const problems = [
    ...(facts.preflight ?? []).filter((check) => check.status === 'fail').map((check) => check.detail),
    ...addonConflictReasons(facts.addons),
  ];
  if (facts.connection === 'disconnected') {
    // Problems seen before the agent went silent are still the last facts we have: keep
    // them after the reason that matters most now.
    const since = facts.lastSeenAt ? ` since ${facts.lastSeenAt.toISOString()}` : '';
    return {
      status: 'disconnected',
      reasons: [`The agent has not been heard from${since}; the data shown is its last report.`, ...problems],
    };
  }
  return problems.length > 0 ? { status: 'degraded', reasons: problems } : { status: 'connected', reasons: [] };
}

/**
 * Loads the facts for one cluster and stores its derived status (stamping `updatedAt`
 * with `now` when it moves). Returns it, or null if the cluster is gone.
 */
export async function refreshClusterStatus(tx: Db, clusterId: number, now: Date): Promise<DerivedClusterStatus | null> {
  const { clusters, clusterReports } = tablesOf(tx);
  const [cluster] = await tx
    .select({
      provider: clusters.provider,
      addons: clusters.addons,
      connectedAt: clusters.connectedAt,
      disconnectedAt: clusters.disconnectedAt,
      lastSeenAt: clusters.lastSeenAt,
      status: clusters.status,
      statusReasons: clusters.statusReasons,
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

  const derived = deriveClusterStatus({
    connection: connectionOf(cluster.connectedAt, cluster.disconnectedAt),
    lastSeenAt: cluster.lastSeenAt,
    preflight: report ? report.preflight : null,
    addons: resolveAddonStates(cluster.provider, cluster.addons, report ? report.components : null),
  });
  if (cluster.status !== derived.status || !sameReasons(cluster.statusReasons, derived.reasons)) {
    await tx
      .update(clusters)
      .set({ status: derived.status, statusReasons: derived.reasons, updatedAt: now })
      .where(eq(clusters.id, clusterId));
  }
  return derived;
}

/** The gateway clears `disconnectedAt` on every hello, so a set value means the latest session ended. */
export function connectionOf(connectedAt: Date | null, disconnectedAt: Date | null): AgentConnection {
  if (!connectedAt) return 'never';
  return disconnectedAt ? 'disconnected' : 'connected';
}

function sameReasons(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((reason, i) => reason === b[i]);
}
