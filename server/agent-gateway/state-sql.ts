/**
 * The SQL behind the gateway's state writer: applies what one cluster's agent reported
 * to the store, on a transaction it is given. No queue and no timer here (see
 * persistence.ts); every statement is portable across both engines.
 */
import { setTimeout as nextTurn } from 'node:timers/promises';
import { and, eq, gt, inArray, isNotNull, isNull, sql } from 'drizzle-orm';
import type { ClusterReportRow, ClusterRow } from '@/db/schema';
import type { ClusterState, NodeState, StateChange } from '@/lib/agent-protocol';
import { refreshClusterStatus } from '@/server/services/cluster-status';
import { tablesOf, type Db } from '@/server/store';
import { isManagedNamespaceChange, ReportedNamespaces, storeReportedNamespaces } from './workspace-state-sql';

export type ClusterStateOp =
  | { kind: 'connected'; at: Date; agentVersion: string; kubernetesVersion: string }
  /** `sessionId`: the session that sent it, told when its first snapshot is stored. */
  | { kind: 'snapshot'; at: Date; state: ClusterState; sessionId: number }
  | { kind: 'delta'; at: Date; changes: StateChange[] }
  /** The agent was heard from; only moves `lastSeenAt`. */
  | { kind: 'seen'; at: Date }
  /** `lastHeardAt`: the session's last frame, finer than the coarse `lastSeenAt` writes. */
  | { kind: 'disconnected'; at: Date; lastHeardAt?: Date };

/** GPU nodes without the GPU-type label are still GPUs: count them under this key. */
export const UNLABELLED_GPU_TYPE = 'unlabelled';

/**
 * Node rows per insert statement (12 bound values each: far below both engines' limits),
 * and between turns of the event loop. On SQLite every statement runs synchronously: a
 * 5,000-node snapshot written in one go held the loop for about 250 ms. Yielding inside
 * the transaction keeps it atomic (the writer's lock is held, readers see the last
 * commit) while sockets and timers are served between statements of about 5 ms each.
 */
const NODE_INSERT_CHUNK = 250;
/** Delta changes applied between turns: each is its own statement. */
const CHANGES_PER_TURN = 200;
// Ids bound in one `in (...)` list.
const ID_LIST_CHUNK = 1_000;

type ReportRow = Omit<ClusterReportRow, 'updatedAt'>;

interface NodeTotals {
  nodeCount: number;
  readyNodeCount: number;
  gpuCount: number;
  gpusByType: Record<string, number>;
}

/** The columns of `clusters` the reported state sets. */
type ClusterPatch = Partial<
  Pick<
    ClusterRow,
    'connectedAt' | 'lastSeenAt' | 'disconnectedAt' | 'agentVersion' | 'kubernetesVersion' | 'nodeCount' | 'readyNodeCount' | 'gpuCount' | 'gpusByType'
  >
>;

/**
 * Applies one cluster's ops, in order, on `tx` (the writer gives each cluster a
 * savepoint of its own). Throws if the cluster's rows cannot be written. Says whether
 * the cluster's stored state changed beyond `lastSeenAt`.
 *
 * The `clusters` row is written once at the end, with everything the ops set (a flush
 * of 2,000 reconnecting agents is mostly connect + snapshot: one update, not three).
 */
export async function applyClusterOps(
  tx: Db,
  clusterId: number,
  ops: readonly ClusterStateOp[],
  now = new Date(),
  /** Told the workspaces whose drift or quota use the report moved. */
  changedWorkspaces?: number[],
): Promise<boolean> {
  const { clusters, clusterNodes, clusterReports } = tablesOf(tx);
  const patch: ClusterPatch = {};
  // Known from an op of this batch; otherwise only the stored row knows.
  let connectedInBatch = false;
  // Counts known from a snapshot's own nodes, until a delta makes them unknown again.
  let totals: NodeTotals | undefined;
  let nodesChanged = false;
  let statusInputsChanged = false;
  let report: ReportRow | undefined;
  let reportDirty = false;
  const managedNamespaces = new ReportedNamespaces();
  const loadReport = async (): Promise<ReportRow> => {
    if (!report) {
      const [row] = await tx.select().from(clusterReports).where(eq(clusterReports.clusterId, clusterId)).limit(1);
      report = row ?? emptyReport(clusterId);
    }
    return report;
  };

  for (const op of ops) {
    switch (op.kind) {
      case 'connected':
        Object.assign(patch, {
          connectedAt: op.at,
          lastSeenAt: op.at,
          disconnectedAt: null,
          agentVersion: op.agentVersion,
          kubernetesVersion: op.kubernetesVersion,
        });
        connectedInBatch = true;
        statusInputsChanged = true;
        break;
      case 'snapshot': {
        const nodes = await replaceNodes(tx, clusterId, op.state.nodes, op.at);
        managedNamespaces.snapshot(op.state.managedNamespaces);
        totals = totalsOf(nodes);
        report = {
          clusterId,
          namespaces: [...op.state.namespaces].sort(),
          storageClasses: op.state.storageClasses,
          ingressClasses: op.state.ingressClasses,
          components: op.state.components,
          preflight: op.state.preflight,
          warnings: op.state.warnings,
          snapshotAt: op.at,
        };
        reportDirty = true;
        nodesChanged = true;
        statusInputsChanged = true;
        patch.lastSeenAt = op.at;
        break;
      }
      case 'delta':
        for (const [index, change] of op.changes.entries()) {
          if (index > 0 && index % CHANGES_PER_TURN === 0) await nextTurn();
          // A node turning NotReady (or Ready again, or leaving) moves the cluster's status:
          // the agent only sends a node when something it reports about it changed.
          if (change.kind === 'node.upsert') {
            await upsertNode(tx, clusterId, change.node, op.at);
            nodesChanged = true;
            statusInputsChanged = true;
            totals = undefined;
          } else if (change.kind === 'node.delete') {
            await tx.delete(clusterNodes).where(and(eq(clusterNodes.clusterId, clusterId), eq(clusterNodes.name, change.name)));
            nodesChanged = true;
            statusInputsChanged = true;
            totals = undefined;
          } else if (isManagedNamespaceChange(change)) {
            managedNamespaces.change(change);
          } else {
            applyReportChange(await loadReport(), change);
            reportDirty = true;
            if (change.kind === 'preflight' || change.kind === 'components') statusInputsChanged = true;
          }
        }
        patch.lastSeenAt = op.at;
        break;
      case 'seen':
        patch.lastSeenAt = op.at;
        break;
      case 'disconnected': {
        const heard = op.lastHeardAt ? { lastSeenAt: op.lastHeardAt } : {};
        if (connectedInBatch) {
          Object.assign(patch, { disconnectedAt: op.at, ...heard });
          statusInputsChanged = true;
          break;
        }
        // Only a cluster that was connected becomes disconnected: an agent that was
        // refused before its hello leaves an awaiting cluster awaiting.
        const updated = await tx
          .update(clusters)
          .set({ disconnectedAt: op.at })
          .where(and(eq(clusters.id, clusterId), isNotNull(clusters.connectedAt), isNull(clusters.disconnectedAt)))
          .returning({ id: clusters.id });
        if (updated.length > 0) {
          Object.assign(patch, heard);
          statusInputsChanged = true;
        }
        break;
      }
    }
  }

  if (report && reportDirty) {
    const { clusterId: _id, ...reported } = report;
    const values = { ...reported, updatedAt: now };
    await tx
      .insert(clusterReports)
      .values({ clusterId, ...values })
      .onConflictDoUpdate({ target: clusterReports.clusterId, set: values });
  }
  if (nodesChanged) Object.assign(patch, totals ?? (await countNodes(tx, clusterId)));
  if (Object.keys(patch).length > 0) {
    const updated = await tx.update(clusters).set(patch).where(eq(clusters.id, clusterId)).returning({ id: clusters.id });
    // Detached meanwhile (its last heartbeats and disconnect still queued): nothing to store or announce.
    if (updated.length === 0) return false;
  }
  if (statusInputsChanged) await refreshClusterStatus(tx, clusterId, now);
  const workspaceIds = await storeReportedNamespaces(tx, clusterId, managedNamespaces);
  changedWorkspaces?.push(...workspaceIds);
  return statusInputsChanged || nodesChanged || reportDirty || workspaceIds.length > 0;
}

/** Heartbeats only move `lastSeenAt`, which is coarse by design (seconds): one statement for many clusters. */
export async function markClustersSeen(tx: Db, clusterIds: readonly number[], at: Date): Promise<void> {
  const { clusters } = tablesOf(tx);
  for (let i = 0; i < clusterIds.length; i += ID_LIST_CHUNK) {
    await tx
      .update(clusters)
      .set({ lastSeenAt: at })
      .where(inArray(clusters.id, clusterIds.slice(i, i + ID_LIST_CHUNK)));
  }
}

/**
 * At start no agent can be connected to this process yet, whatever the database says
 * from before a restart: close those sessions' books so they read Disconnected until
 * their agents dial in again. (With several replicas this becomes per-replica bookkeeping.)
 */
export async function markStaleSessionsDisconnected(tx: Db, at = new Date()): Promise<number[]> {
  const { clusters } = tablesOf(tx);
  const rows = await tx
    .update(clusters)
    .set({ disconnectedAt: at })
    .where(and(isNotNull(clusters.connectedAt), isNull(clusters.disconnectedAt)))
    .returning({ id: clusters.id });
  const ids = rows.map((row) => row.id).sort((a, b) => a - b);
  for (const id of ids) await refreshClusterStatus(tx, id, at);
  return ids;
}

/** How many node rows writing `ops` costs: what the writer budgets a flush by. */
export function nodeRowsOf(ops: readonly ClusterStateOp[]): number {
  let rows = 0;
  for (const op of ops) {
    if (op.kind === 'snapshot') rows += op.state.nodes.length;
    else if (op.kind === 'delta') rows += op.changes.length;
  }
  return rows;
}

/**
 * When the node last turned Ready: its Ready condition's transition time while Ready is
 * True, else null. An agent older than conditions reports none: null as well.
 */
export function readySinceOf(node: NodeState): Date | null {
  if (!node.ready) return null;
  const since = node.conditions?.find((condition) => condition.type === 'Ready' && condition.status === 'True')?.since;
  if (!since) return null;
  const at = new Date(since);
  return Number.isNaN(at.getTime()) ? null : at;
}

function nodeRow(clusterId: number, node: NodeState, at: Date) {
  return {
    clusterId,
    name: node.name,
    nodePool: node.nodePool,
    gpuType: node.gpuType,
    gpuCount: node.gpuCount,
    ready: node.ready,
    capacity: node.capacity,
    taints: node.taints,
    kubeletVersion: node.kubeletVersion ?? null,
    conditions: node.conditions ?? [],
    readySince: readySinceOf(node),
    updatedAt: at,
  };
}

/** Replaces the cluster's nodes with a snapshot's; returns the nodes stored. */
async function replaceNodes(tx: Db, clusterId: number, nodes: readonly NodeState[], at: Date): Promise<NodeState[]> {
  const { clusterNodes } = tablesOf(tx);
  await tx.delete(clusterNodes).where(eq(clusterNodes.clusterId, clusterId));
  // A snapshot may list a node twice if it changed while the agent was listing; keep the last.
  const unique = [...new Map(nodes.map((node) => [node.name, node])).values()];
  const rows = unique.map((node) => nodeRow(clusterId, node, at));
  for (let i = 0; i < rows.length; i += NODE_INSERT_CHUNK) {
    // A timer turn, not setImmediate: from an I/O callback an immediate runs before timers do.
    if (i > 0) await nextTurn();
    await tx.insert(clusterNodes).values(rows.slice(i, i + NODE_INSERT_CHUNK));
  }
  return unique;
}

async function upsertNode(tx: Db, clusterId: number, node: NodeState, at: Date): Promise<void> {
  const { clusterNodes } = tablesOf(tx);
  const { clusterId: _id, name: _name, ...update } = nodeRow(clusterId, node, at);
  await tx
    .insert(clusterNodes)
    .values(nodeRow(clusterId, node, at))
    .onConflictDoUpdate({ target: [clusterNodes.clusterId, clusterNodes.name], set: update });
}

function totalsOf(nodes: readonly NodeState[]): NodeTotals {
  const gpusByType: Record<string, number> = {};
  let readyNodeCount = 0;
  let gpuCount = 0;
  for (const node of nodes) {
    if (node.ready) readyNodeCount++;
    gpuCount += node.gpuCount;
    if (node.gpuCount > 0) {
      const type = node.gpuType ?? UNLABELLED_GPU_TYPE;
      gpusByType[type] = (gpusByType[type] ?? 0) + node.gpuCount;
    }
  }
  return { nodeCount: nodes.length, readyNodeCount, gpuCount, gpusByType };
}

async function countNodes(tx: Db, clusterId: number): Promise<NodeTotals> {
  const { clusterNodes } = tablesOf(tx);
  // PostgreSQL returns bigint sums as strings; mapWith(Number) reads both engines alike.
  // `case when ready` reads a boolean on PostgreSQL and 0/1 on SQLite.
  const [totals] = await tx
    .select({
      nodes: sql<number>`count(*)`.mapWith(Number),
      ready: sql<number>`coalesce(sum(case when ${clusterNodes.ready} then 1 else 0 end), 0)`.mapWith(Number),
      gpus: sql<number>`coalesce(sum(${clusterNodes.gpuCount}), 0)`.mapWith(Number),
    })
    .from(clusterNodes)
    .where(eq(clusterNodes.clusterId, clusterId));
  const byType = await tx
    .select({ gpuType: clusterNodes.gpuType, gpus: sql<number>`sum(${clusterNodes.gpuCount})`.mapWith(Number) })
    .from(clusterNodes)
    .where(and(eq(clusterNodes.clusterId, clusterId), gt(clusterNodes.gpuCount, 0)))
    .groupBy(clusterNodes.gpuType);
  const gpusByType: Record<string, number> = {};
  for (const row of byType) {
    const type = row.gpuType ?? UNLABELLED_GPU_TYPE;
    gpusByType[type] = (gpusByType[type] ?? 0) + row.gpus;
  }
  return {
    nodeCount: totals?.nodes ?? 0,
    readyNodeCount: totals?.ready ?? 0,
    gpuCount: totals?.gpus ?? 0,
    gpusByType,
  };
}

function emptyReport(clusterId: number): ReportRow {
  return {
    clusterId,
    namespaces: [],
    storageClasses: [],
    ingressClasses: [],
    components: [],
    preflight: [],
    warnings: [],
    snapshotAt: null,
  };
}

type ReportChange = Exclude<
  StateChange,
  { kind: 'node.upsert' } | { kind: 'node.delete' } | { kind: 'managedNamespace.upsert' } | { kind: 'managedNamespace.delete' }
>;

function applyReportChange(report: ReportRow, change: ReportChange): void {
  switch (change.kind) {
    case 'namespace.upsert':
      if (!report.namespaces.includes(change.name)) report.namespaces = [...report.namespaces, change.name].sort();
      break;
    case 'namespace.delete':
      report.namespaces = report.namespaces.filter((name) => name !== change.name);
      break;
    case 'storageClasses':
      report.storageClasses = change.items;
      break;
    case 'ingressClasses':
      report.ingressClasses = change.items;
      break;
    case 'components':
      report.components = change.items;
      break;
    case 'preflight':
      report.preflight = change.results;
      break;
    case 'warnings':
      report.warnings = change.items;
      break;
  }
}
