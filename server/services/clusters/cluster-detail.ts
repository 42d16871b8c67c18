/**
 * Everything the cluster page shows about one cluster, in one read. Never the token or
 * its hash: only the active token's prefix and when it was minted.
 */
import { and, asc, count, desc, eq, isNull, max, sql, sum } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { clusterNodes, clusterReports, clusterTokens } from '@/db/schema';
import { resolveAddonStates, type AddonStateView } from '@/lib/addons/addon-state';
import { addonDefault, findAddon, overlapWarning, type AddonGroup } from '@/lib/addons/catalog';
import { COMPONENT_IDS, PREFLIGHT_CHECK_IDS, type DetectedComponent, type PreflightResult } from '@/lib/agent-protocol';
import { clusterPrerequisites, tickPrerequisites, type TickedPrerequisite } from '@/lib/prerequisites';
import {
  clusterEnvironmentRows,
  clusterWorkspaces,
  findClusterByName,
} from '@/server/services/clusters/shared';

export interface ClusterAddonView extends AddonStateView {
  group: AddonGroup;
  description: string;
  /** The provider default and why, for the switch's hint. */
  defaultEnabled: boolean;
  defaultReason: string;
  essentialWarning: string | null;
  overlapWarning: string | null;
}

export interface NodePoolSummary {
  /** Null: nodes without the node-pool label. */
  nodePool: string | null;
  gpuType: string | null;
  nodeCount: number;
  readyCount: number;
  gpuCount: number;
  /** When the newest node row of the group was written by the gateway. */
  lastSeenAt: Date | null;
}

const componentIds: ReadonlySet<string> = new Set(COMPONENT_IDS);
const preflightIds: ReadonlySet<string> = new Set(PREFLIGHT_CHECK_IDS);

function isComponent(component: { id: string }): component is DetectedComponent {
  return componentIds.has(component.id);
}
function isPreflight(result: { id: string }): result is PreflightResult {
  return preflightIds.has(result.id);
}

export function getClusterDetail(db: Db, name: string) {
  const cluster = findClusterByName(db, name);
  const report = db.select().from(clusterReports).where(eq(clusterReports.clusterId, cluster.id)).get();
  // Stored JSON is loosely typed; keep only what this protocol version knows.
  const detected = report ? report.components.filter(isComponent) : null;
  const preflight = report?.snapshotAt ? report.preflight.filter(isPreflight) : null;

  const addons: ClusterAddonView[] = resolveAddonStates(cluster.provider, cluster.addons, detected).map((view) => {
    const addon = findAddon(view.addonId);
    if (!addon) throw new Error(`addon ${view.addonId} missing from the catalog`);
    const def = addonDefault(addon, cluster.provider);
    return {
      ...view,
      group: addon.group,
      description: addon.description,
      defaultEnabled: def.enabled,
      defaultReason: def.reason,
      essentialWarning: addon.essentialWarning ?? null,
      overlapWarning: overlapWarning(addon, cluster.provider),
    };
  });

  const prerequisites: TickedPrerequisite[] = tickPrerequisites(
    clusterPrerequisites({ provider: cluster.provider, nodePoolLabel: cluster.nodePoolLabel, gpuTypeLabel: cluster.gpuTypeLabel }),
    preflight,
  );

  const nodePools: NodePoolSummary[] = db
    .select({
      nodePool: clusterNodes.nodePool,
      gpuType: clusterNodes.gpuType,
      nodeCount: count(),
      readyCount: sql<number>`sum(case when ${clusterNodes.ready} then 1 else 0 end)`,
      gpuCount: sql<number>`coalesce(${sum(clusterNodes.gpuCount)}, 0)`,
      lastSeenAt: sql<number | null>`${max(clusterNodes.updatedAt)}`,
    })
    .from(clusterNodes)
    .where(eq(clusterNodes.clusterId, cluster.id))
    .groupBy(clusterNodes.nodePool, clusterNodes.gpuType)
    .orderBy(sql`${clusterNodes.nodePool} is null`, asc(clusterNodes.nodePool), asc(clusterNodes.gpuType))
    .all()
    .map((pool) => ({
      ...pool,
      readyCount: Number(pool.readyCount),
      gpuCount: Number(pool.gpuCount),
      lastSeenAt: pool.lastSeenAt === null ? null : new Date(Number(pool.lastSeenAt) * 1000),
    }));

  const activeToken = db
    .select({ prefix: clusterTokens.prefix, createdAt: clusterTokens.createdAt })
    .from(clusterTokens)
    .where(and(eq(clusterTokens.clusterId, cluster.id), isNull(clusterTokens.revokedAt)))
    .orderBy(desc(clusterTokens.id))
    .get();

  return {
    cluster: {
      id: cluster.id,
      name: cluster.name,
      provider: cluster.provider,
      region: cluster.region,
      baseDomains: cluster.baseDomains,
      prometheusUrl: cluster.prometheusUrl,
      nodePoolLabel: cluster.nodePoolLabel,
      gpuTypeLabel: cluster.gpuTypeLabel,
      status: cluster.status,
      statusReasons: cluster.statusReasons,
      connectedAt: cluster.connectedAt,
      lastSeenAt: cluster.lastSeenAt,
      disconnectedAt: cluster.disconnectedAt,
      agentVersion: cluster.agentVersion,
      kubernetesVersion: cluster.kubernetesVersion,
      nodeCount: cluster.nodeCount,
      readyNodeCount: cluster.readyNodeCount,
      gpuCount: cluster.gpuCount,
      gpusByType: cluster.gpusByType,
      createdAt: cluster.createdAt,
    },
    environments: clusterEnvironmentRows(db, cluster.id),
    workspaces: clusterWorkspaces(db, cluster.id),
    addons,
    prerequisites,
    /** Null until the agent's first snapshot. */
    report: report
      ? {
          snapshotAt: report.snapshotAt,
          namespaceCount: report.namespaces.length,
          storageClasses: report.storageClasses,
          ingressClasses: report.ingressClasses,
          components: report.components,
          preflight: report.preflight,
          warnings: report.warnings,
        }
      : null,
    nodePools,
    /** Last-known node data stays visible when the agent is gone, marked stale. */
    nodesStale: cluster.status === 'disconnected',
    token: activeToken ?? null,
  };
}
export type ClusterDetail = ReturnType<typeof getClusterDetail>;
