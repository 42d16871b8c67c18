/**
 * What the cluster page shows about one cluster, in one read, and the much smaller
 * part the attach page's live panel needs. Never the token or its hash: only the
 * active token's prefix and when it was minted.
 */
import { and, asc, count, desc, eq, gt, isNotNull, isNull, max, sql } from 'drizzle-orm';
import type { ClusterRow } from '@/db/schema';
import { resolveAddonStates, type AddonStateView } from '@/lib/addons/addon-state';
import { addonDefault, findAddon, overlapWarning, type AddonGroup } from '@/lib/addons/catalog';
import type { PreflightResult } from '@/lib/agent-protocol';
import { missingNodesReason } from '@/lib/agent-warnings';
import {
  clusterPrerequisites,
  gpuTypeLabelFixes,
  MAX_FIX_NODE_NAMES,
  tickPrerequisites,
  withGpuLabelFixes,
  type TickedPrerequisite,
} from '@/lib/prerequisites';
import { connectionOf } from '@/server/services/cluster-status';
import { tablesOf, type Db } from '@/server/store';
import { visibleScope } from '@/server/access/authorize';
import type { Principal } from '@/server/access/principal';
import { clusterEnvironmentRows, clusterWorkspaces, findClusterByName } from '@/server/services/clusters/shared';

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

async function clusterReport(db: Db, clusterId: number) {
  const { clusterReports } = tablesOf(db);
  const [report] = await db.select().from(clusterReports).where(eq(clusterReports.clusterId, clusterId)).limit(1);
  return report;
}

/**
 * The checklist ticked from the agent's preflight; every item pending before its first
 * snapshot. While GPU nodes lack the GPU-type label, the item carries the exact
 * `kubectl label` commands for them (two small reads, only then).
 */
async function prerequisitesOf(db: Db, cluster: ClusterRow, preflight: readonly PreflightResult[] | null): Promise<TickedPrerequisite[]> {
  const ticked = tickPrerequisites(
    clusterPrerequisites({ provider: cluster.provider, nodePoolLabel: cluster.nodePoolLabel, gpuTypeLabel: cluster.gpuTypeLabel }),
    preflight,
  );
  const gpuLabelsFail = preflight?.some((result) => result.id === 'gpu-type-labels' && result.status === 'fail') ?? false;
  if (!gpuLabelsFail) return ticked;
  const { clusterNodes } = tablesOf(db);
  const gpuNodes = and(eq(clusterNodes.clusterId, cluster.id), gt(clusterNodes.gpuCount, 0));
  const [unlabelled, [counted], labelled] = await Promise.all([
    db
      .select({ name: clusterNodes.name, nodePool: clusterNodes.nodePool })
      .from(clusterNodes)
      .where(and(gpuNodes, isNull(clusterNodes.gpuType)))
      .orderBy(asc(clusterNodes.name))
      .limit(MAX_FIX_NODE_NAMES),
    db
      .select({ n: sql<number>`count(*)`.mapWith(Number) })
      .from(clusterNodes)
      .where(and(gpuNodes, isNull(clusterNodes.gpuType))),
    db
      .selectDistinct({ nodePool: clusterNodes.nodePool, gpuType: sql<string>`${clusterNodes.gpuType}` })
      .from(clusterNodes)
      .where(and(gpuNodes, isNotNull(clusterNodes.gpuType))),
  ]);
  const fixes = gpuTypeLabelFixes({ gpuTypeLabel: cluster.gpuTypeLabel, unlabelled, unlabelledCount: counted?.n ?? 0, labelled });
  return withGpuLabelFixes(ticked, fixes);
}

async function nodePoolsOf(db: Db, clusterId: number): Promise<NodePoolSummary[]> {
  const { clusterNodes } = tablesOf(db);
  return db
    .select({
      nodePool: clusterNodes.nodePool,
      gpuType: clusterNodes.gpuType,
      nodeCount: count(),
      readyCount: sql<number>`sum(case when ${clusterNodes.ready} then 1 else 0 end)`.mapWith(Number),
      gpuCount: sql<number>`coalesce(sum(${clusterNodes.gpuCount}), 0)`.mapWith(Number),
      lastSeenAt: max(clusterNodes.updatedAt),
    })
    .from(clusterNodes)
    .where(eq(clusterNodes.clusterId, clusterId))
    .groupBy(clusterNodes.nodePool, clusterNodes.gpuType)
    .orderBy(sql`${clusterNodes.nodePool} is null`, asc(clusterNodes.nodePool), asc(clusterNodes.gpuType));
}

async function activeTokenOf(db: Db, clusterId: number) {
  const { clusterTokens } = tablesOf(db);
  const [token] = await db
    .select({ prefix: clusterTokens.prefix, createdAt: clusterTokens.createdAt })
    .from(clusterTokens)
    .where(and(eq(clusterTokens.clusterId, clusterId), isNull(clusterTokens.revokedAt)))
    .orderBy(desc(clusterTokens.id))
    .limit(1);
  return token ?? null;
}

/** One cluster's page; its workspaces are only those `principal` may see. */
export async function getClusterDetail(db: Db, principal: Principal, name: string) {
  const cluster = await findClusterByName(db, name);
  const workspaceScope = visibleScope(principal, 'workspace');
  const [report, nodePools, token, environments, workspaces] = await Promise.all([
    clusterReport(db, cluster.id),
    nodePoolsOf(db, cluster.id),
    activeTokenOf(db, cluster.id),
    clusterEnvironmentRows(db, cluster.id),
    clusterWorkspaces(db, cluster.id).then((rows) =>
      workspaceScope.kind === 'all' ? rows : rows.filter((row) => workspaceScope.ids.includes(row.id)),
    ),
  ]);
  const detected = report ? report.components : null;
  const preflight = report?.snapshotAt ? report.preflight : null;

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
      /** `connected` while an agent session is open: what it reports is current, not a snapshot of the past. */
      agentConnection: connectionOf(cluster.connectedAt, cluster.disconnectedAt),
    },
    environments,
    workspaces,
    addons,
    prerequisites: await prerequisitesOf(db, cluster, preflight),
    /** Null until the agent's first snapshot. */
    report: report
      ? {
          snapshotAt: report.snapshotAt,
          /** When anything the agent reports (beyond nodes) last changed. */
          changedAt: report.updatedAt,
          namespaceCount: report.namespaces.length,
          storageClasses: report.storageClasses,
          ingressClasses: report.ingressClasses,
          components: report.components,
          preflight: report.preflight,
          warnings: report.warnings,
        }
      : null,
    nodePools,
    /** Why the agent reported no nodes (its Kubernetes API unreachable, or refused), when it said. */
    missingNodesReason: report ? missingNodesReason(report.warnings) : null,
    /** Last-known node data stays visible when the agent is gone, marked stale. */
    nodesStale: cluster.status === 'disconnected',
    token,
  };
}

/**
 * The attach page's live panel: awaiting agent → connected → snapshot → preflight.
 * Two small reads, so the panel can refetch on every pushed change.
 */
export async function getAttachStatus(db: Db, name: string) {
  const cluster = await findClusterByName(db, name);
  const { clusterReports } = tablesOf(db);
  const [report] = await db
    .select({ snapshotAt: clusterReports.snapshotAt, preflight: clusterReports.preflight, warnings: clusterReports.warnings })
    .from(clusterReports)
    .where(eq(clusterReports.clusterId, cluster.id))
    .limit(1);
  const snapshotAt = report?.snapshotAt ?? null;
  return {
    name: cluster.name,
    status: cluster.status,
    statusReasons: cluster.statusReasons,
    connectedAt: cluster.connectedAt,
    lastSeenAt: cluster.lastSeenAt,
    /** Null until the agent's first snapshot. */
    snapshotAt,
    agentVersion: cluster.agentVersion,
    kubernetesVersion: cluster.kubernetesVersion,
    nodeCount: cluster.nodeCount,
    readyNodeCount: cluster.readyNodeCount,
    gpuCount: cluster.gpuCount,
    gpusByType: cluster.gpusByType,
    /** Why the agent reported no nodes, when its warnings say (its Kubernetes API unreachable, or refused). */
    missingNodesReason: report ? missingNodesReason(report.warnings) : null,
    /** The preflight results, ticked into the provider's checklist (pending before the snapshot). */
    prerequisites: await prerequisitesOf(db, cluster, snapshotAt && report ? report.preflight : null),
  };
}
