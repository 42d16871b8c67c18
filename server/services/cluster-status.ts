/**
 * A cluster's status is derived, never set by hand (ARCHITECTURE decision 5): from
 * whether its agent is connected, its latest preflight results and whether an addon
 * it wants is already installed by someone else. The result is stored on `clusters`
 * only so that the fleet list can filter and sort on it.
 */
import { eq } from 'drizzle-orm';
import { clusterReports, clusters, type ClusterStatus } from '@/db/schema';
import { addonConflictReasons, resolveAddonStates, type AddonStateView } from '@/lib/addons/addon-state';
import type { DetectedComponent, PreflightResult } from '@/lib/agent-protocol';
import { COMPONENT_IDS, PREFLIGHT_CHECK_IDS } from '@/lib/agent-protocol';
import type { Tx } from '@/server/services/audit';

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

const componentIds: ReadonlySet<string> = new Set(COMPONENT_IDS);
const preflightIds: ReadonlySet<string> = new Set(PREFLIGHT_CHECK_IDS);

/** Loads the facts for one cluster and stores its derived status. Returns it, or null if the cluster is gone. */
export function refreshClusterStatus(tx: Tx, clusterId: number): DerivedClusterStatus | null {
  const cluster = tx
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
    .get();
  if (!cluster) return null;
  const report = tx
    .select({ components: clusterReports.components, preflight: clusterReports.preflight, snapshotAt: clusterReports.snapshotAt })
    .from(clusterReports)
    .where(eq(clusterReports.clusterId, clusterId))
    .get();

  // The stored JSON is typed loosely (string ids); keep only what the protocol knows.
  const detected: DetectedComponent[] | null = report
    ? report.components.flatMap((c) => (isComponentId(c.id) ? [{ ...c, id: c.id }] : []))
    : null;
  const derived = deriveClusterStatus({
    connection: connectionOf(cluster.connectedAt, cluster.disconnectedAt),
    lastSeenAt: cluster.lastSeenAt,
    preflight: report ? report.preflight.filter((check) => preflightIds.has(check.id)) : null,
    addons: resolveAddonStates(cluster.provider, cluster.addons, detected),
  });
  if (cluster.status !== derived.status || !sameReasons(cluster.statusReasons, derived.reasons)) {
    tx.update(clusters).set({ status: derived.status, statusReasons: derived.reasons }).where(eq(clusters.id, clusterId)).run();
  }
  return derived;
}

/** The gateway clears `disconnectedAt` on every hello, so a set value means the latest session ended. */
export function connectionOf(connectedAt: Date | null, disconnectedAt: Date | null): AgentConnection {
  if (!connectedAt) return 'never';
  return disconnectedAt ? 'disconnected' : 'connected';
}

function isComponentId(id: string): id is DetectedComponent['id'] {
  return componentIds.has(id);
}

function sameReasons(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((reason, i) => reason === b[i]);
}
