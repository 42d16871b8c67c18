/**
 * Writes what agents report into SQLite, in batches.
 *
 * Sessions never write directly: they enqueue operations here, and every
 * `flushIntervalMs` one transaction applies everything pending. With 2,000 clusters
 * heartbeating and snapshotting, one commit per frame would be thousands of fsyncs a
 * second; one commit per tick is a handful. Per cluster the operations keep their order
 * (connect → snapshot → deltas → disconnect) and each cluster runs in its own savepoint,
 * so one cluster whose row vanished (detached mid-flush) cannot roll back the others.
 */
import { and, eq, gt, inArray, isNotNull, isNull, sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { clusterNodes, clusterReports, clusters } from '@/db/schema';
import type { ClusterState, NodeState, StateChange } from '@/lib/agent-protocol';
import type { Logger } from '@/server/logger';
import type { Tx } from '@/server/services/audit';
import { refreshClusterStatus } from '@/server/services/cluster-status';

export type ClusterStateOp =
  | { kind: 'connected'; at: Date; agentVersion: string; kubernetesVersion: string }
  | { kind: 'snapshot'; at: Date; state: ClusterState }
  | { kind: 'delta'; at: Date; changes: StateChange[] }
  /** The agent was heard from; only moves `lastSeenAt`. */
  | { kind: 'seen'; at: Date }
  /** `lastHeardAt`: the session's last frame, finer than the coarse `lastSeenAt` writes. */
  | { kind: 'disconnected'; at: Date; lastHeardAt?: Date };

export interface ClusterStateWriterOptions {
  db: Db;
  flushIntervalMs: number;
  log: Logger;
  /** After each commit: the clusters whose stored state (not just `lastSeenAt`) changed. */
  onCommitted?: (clusterIds: readonly number[]) => void;
}

/** GPU nodes without the GPU-type label are still GPUs: count them under this key. */
export const UNLABELLED_GPU_TYPE = 'unlabelled';

// 9 bound values per node row; SQLite allows 32,766 per statement.
const NODE_INSERT_CHUNK = 500;

type ReportRow = Omit<typeof clusterReports.$inferSelect, 'updatedAt'>;

export class ClusterStateWriter {
  private pending = new Map<number, ClusterStateOp[]>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: ClusterStateWriterOptions) {}

  start(): void {
    this.timer ??= setInterval(() => this.flush(), this.options.flushIntervalMs);
    // The gateway's timers must never keep a process (a test, a CLI) alive on their own.
    this.timer.unref();
  }

  /** Stops the timer and writes whatever is still pending. */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.flush();
  }

  get pendingClusterCount(): number {
    return this.pending.size;
  }

  enqueue(clusterId: number, op: ClusterStateOp): void {
    const ops = this.pending.get(clusterId);
    if (!ops) {
      this.pending.set(clusterId, [op]);
      return;
    }
    if (op.kind === 'snapshot') {
      // A snapshot replaces everything reported before it: earlier snapshots, deltas and
      // seen marks are moot. Connection changes stay, in order.
      const kept: ClusterStateOp[] = ops.filter((o) => o.kind === 'connected' || o.kind === 'disconnected');
      kept.push(op);
      this.pending.set(clusterId, kept);
      return;
    }
    if (op.kind === 'seen' && ops.at(-1)?.kind === 'seen') {
      ops[ops.length - 1] = op;
      return;
    }
    ops.push(op);
  }

  /** Applies everything pending in one transaction. Synchronous, like better-sqlite3. */
  flush(): void {
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    const changed: number[] = [];
    const { db, log } = this.options;
    try {
      db.transaction((tx) => {
        const seenOnly: number[] = [];
        let latestSeen = new Date(0);
        for (const [clusterId, ops] of batch) {
          if (ops.every((op) => op.kind === 'seen')) {
            seenOnly.push(clusterId);
            const at = ops.at(-1)?.at;
            if (at && at > latestSeen) latestSeen = at;
            continue;
          }
          try {
            tx.transaction((savepoint) => applyClusterOps(savepoint, clusterId, ops));
            changed.push(clusterId);
          } catch (error) {
            log.error('could not store agent state; dropped this batch for the cluster', {
              clusterId,
              error: error instanceof Error ? error.message : String(error),
            });
          }
        }
        // Heartbeats only move lastSeenAt, which is coarse by design (seconds): one
        // statement for all of them is enough.
        if (seenOnly.length > 0) {
          tx.update(clusters).set({ lastSeenAt: latestSeen }).where(inArray(clusters.id, seenOnly)).run();
        }
      });
    } catch (error) {
      // The database itself failed (locked past busy_timeout, disk full): keep the batch,
      // ahead of anything enqueued since, and try again next tick.
      log.error('agent state flush failed; will retry', {
        clusters: batch.size,
        error: error instanceof Error ? error.message : String(error),
      });
      for (const [clusterId, ops] of this.pending) batch.set(clusterId, [...(batch.get(clusterId) ?? []), ...ops]);
      this.pending = batch;
      return;
    }
    if (changed.length > 0) this.options.onCommitted?.(changed);
  }
}

function applyClusterOps(tx: Tx, clusterId: number, ops: readonly ClusterStateOp[]): void {
  let nodesChanged = false;
  let statusInputsChanged = false;
  let seenAt: Date | undefined;
  let report: ReportRow | undefined;
  let reportDirty = false;
  const loadReport = (): ReportRow => {
    report ??= tx.select().from(clusterReports).where(eq(clusterReports.clusterId, clusterId)).get() ?? emptyReport(clusterId);
    return report;
  };

  for (const op of ops) {
    switch (op.kind) {
      case 'connected':
        tx.update(clusters)
          .set({
            connectedAt: op.at,
            lastSeenAt: op.at,
            disconnectedAt: null,
            agentVersion: op.agentVersion,
            kubernetesVersion: op.kubernetesVersion,
          })
          .where(eq(clusters.id, clusterId))
          .run();
        statusInputsChanged = true;
        break;
      case 'snapshot':
        replaceNodes(tx, clusterId, op.state.nodes, op.at);
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
        seenAt = op.at;
        break;
      case 'delta':
        for (const change of op.changes) {
          if (change.kind === 'node.upsert') {
            upsertNode(tx, clusterId, change.node, op.at);
            nodesChanged = true;
          } else if (change.kind === 'node.delete') {
            tx.delete(clusterNodes)
              .where(and(eq(clusterNodes.clusterId, clusterId), eq(clusterNodes.name, change.name)))
              .run();
            nodesChanged = true;
          } else {
            applyReportChange(loadReport(), change);
            reportDirty = true;
            if (change.kind === 'preflight' || change.kind === 'components') statusInputsChanged = true;
          }
        }
        seenAt = op.at;
        break;
      case 'seen':
        seenAt = op.at;
        break;
      case 'disconnected':
        // Only a cluster that was connected becomes disconnected: an agent that was
        // refused before its hello leaves an awaiting cluster awaiting.
        tx.update(clusters)
          .set({ disconnectedAt: op.at, ...(op.lastHeardAt ? { lastSeenAt: op.lastHeardAt } : {}) })
          .where(and(eq(clusters.id, clusterId), isNotNull(clusters.connectedAt), isNull(clusters.disconnectedAt)))
          .run();
        statusInputsChanged = true;
        break;
    }
  }

  if (report && reportDirty) {
    const { clusterId: _id, ...reported } = report;
    const values = { ...reported, updatedAt: new Date() };
    tx.insert(clusterReports)
      .values({ clusterId, ...values })
      .onConflictDoUpdate({ target: clusterReports.clusterId, set: values })
      .run();
  }
  if (nodesChanged || seenAt) {
    tx.update(clusters)
      .set({ ...(nodesChanged ? countNodes(tx, clusterId) : {}), ...(seenAt ? { lastSeenAt: seenAt } : {}) })
      .where(eq(clusters.id, clusterId))
      .run();
  }
  if (statusInputsChanged) refreshClusterStatus(tx, clusterId);
}

function nodeRow(clusterId: number, node: NodeState, at: Date): typeof clusterNodes.$inferInsert {
  return {
    clusterId,
    name: node.name,
    nodePool: node.nodePool,
    gpuType: node.gpuType,
    gpuCount: node.gpuCount,
    ready: node.ready,
    capacity: node.capacity,
    taints: node.taints,
    updatedAt: at,
  };
}

function replaceNodes(tx: Tx, clusterId: number, nodes: readonly NodeState[], at: Date): void {
  tx.delete(clusterNodes).where(eq(clusterNodes.clusterId, clusterId)).run();
  // A snapshot may list a node twice if it changed while the agent was listing; keep the last.
  const byName = new Map(nodes.map((node) => [node.name, node]));
  const rows = [...byName.values()].map((node) => nodeRow(clusterId, node, at));
  for (let i = 0; i < rows.length; i += NODE_INSERT_CHUNK) {
    tx.insert(clusterNodes).values(rows.slice(i, i + NODE_INSERT_CHUNK)).run();
  }
}

function upsertNode(tx: Tx, clusterId: number, node: NodeState, at: Date): void {
  const { clusterId: _id, name: _name, ...update } = nodeRow(clusterId, node, at);
  tx.insert(clusterNodes)
    .values(nodeRow(clusterId, node, at))
    .onConflictDoUpdate({ target: [clusterNodes.clusterId, clusterNodes.name], set: update })
    .run();
}

function countNodes(
  tx: Tx,
  clusterId: number,
): { nodeCount: number; readyNodeCount: number; gpuCount: number; gpusByType: Record<string, number> } {
  const totals = tx
    .select({
      nodes: sql<number>`count(*)`,
      ready: sql<number>`coalesce(sum(${clusterNodes.ready}), 0)`,
      gpus: sql<number>`coalesce(sum(${clusterNodes.gpuCount}), 0)`,
    })
    .from(clusterNodes)
    .where(eq(clusterNodes.clusterId, clusterId))
    .get();
  const byType = tx
    .select({ gpuType: clusterNodes.gpuType, gpus: sql<number>`sum(${clusterNodes.gpuCount})` })
    .from(clusterNodes)
    .where(and(eq(clusterNodes.clusterId, clusterId), gt(clusterNodes.gpuCount, 0)))
    .groupBy(clusterNodes.gpuType)
    .all();
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

type ReportChange = Exclude<StateChange, { kind: 'node.upsert' } | { kind: 'node.delete' }>;

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

/**
 * At start no agent can be connected to this process yet, whatever the database says
 * from before a restart: close those sessions' books so they read Disconnected until
 * their agents dial in again. (With several replicas this becomes per-replica bookkeeping.)
 */
export function markStaleSessionsDisconnected(db: Db, at = new Date()): number[] {
  return db.transaction((tx) => {
    const ids = tx
      .update(clusters)
      .set({ disconnectedAt: at })
      .where(and(isNotNull(clusters.connectedAt), isNull(clusters.disconnectedAt)))
      .returning({ id: clusters.id })
      .all()
      .map((row) => row.id);
    for (const id of ids) refreshClusterStatus(tx, id);
    return ids;
  });
}
