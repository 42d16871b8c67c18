/**
 * Writes what agents report to the store, in batches.
 *
 * Sessions never write directly: they enqueue operations here, and every
 * `flushIntervalMs` the writer stores everything pending. With 2,000 clusters
 * heartbeating and snapshotting, one commit per frame would be thousands of commits a
 * second; one per tick is a handful. Per cluster the operations keep their order
 * (connect → snapshot → deltas → disconnect), and each cluster runs in a savepoint of
 * its own, so one cluster whose row vanished (detached mid-flush) cannot roll back the
 * others.
 *
 * A flush is cut into chunks of at most `maxClustersPerFlush` clusters and
 * `maxNodeRowsPerFlush` node rows, one transaction each, with a turn of the event loop
 * between them: when 2,000 agents reconnect at once and send 100,000 nodes, sockets and
 * heartbeats are served between chunks instead of waiting for one giant transaction.
 * A transaction also stops taking clusters after `maxTransactionMs`; the rest go first
 * in the next one. On SQLite that time is the event loop's: better-sqlite3 runs every
 * statement synchronously, so a transaction's whole body is one stall. On PostgreSQL
 * the event loop runs meanwhile, and the bound only limits how long row locks are held
 * and events wait, so it is longer there. The SQL is in state-sql.ts.
 */
import type { ConnectionEventKind } from '@/lib/connection-history';
import { SUMMARY_INTERVAL_SECONDS } from '@/lib/metrics';
import type { Logger } from '@/server/logger';
import { errorMessage } from '@/server/logger';
import type { Engine, Store } from '@/server/store';
import { insertConnectionEvents, type ConnectionEventDraft } from './connection-events-sql';
import { applyClusterOps, markClustersSeen, nodeRowsOf, type ClusterStateOp } from './state-sql';
import { storeSummaries, type SummaryDraft } from './summary-sql';

export type { ClusterStateOp } from './state-sql';

/**
 * A line of the cluster's connection history (a session accepted or ended, with why).
 * It rides the same queue as the state, so a connect and its history are written in
 * the same transaction; a replaced session's end, which leaves the cluster row alone,
 * is history only.
 */
export interface ConnectionHistoryOp {
  kind: 'history';
  at: Date;
  event: ConnectionEventKind;
  reason: string;
  agentVersion: string | null;
}

/**
 * A metric summary the agent pushed, interpreted (summary-sql.ts): the cluster's latest,
 * and a history row at most once per interval. Only the newest pending one is kept.
 */
export interface MetricSummaryOp extends Omit<SummaryDraft, 'clusterId'> {
  kind: 'summary';
}

export type WriterOp = ClusterStateOp | ConnectionHistoryOp | MetricSummaryOp;

export interface FlushLimits {
  /** Clusters with reported state (not only heartbeats) written in one transaction. */
  maxClustersPerFlush: number;
  /**
   * Node rows (snapshot nodes, node changes) written in one transaction. A cluster is
   * never split: one whose snapshot alone exceeds this goes in a transaction by itself.
   */
  maxNodeRowsPerFlush: number;
  /** Heartbeat-only clusters whose `lastSeenAt` moves in one transaction. */
  maxSeenPerFlush: number;
  /** A transaction takes no more clusters once it has run this long (it always takes one). */
  maxTransactionMs: number;
}

export const DEFAULT_FLUSH_LIMITS: Record<Engine, FlushLimits> = {
  sqlite: { maxClustersPerFlush: 100, maxNodeRowsPerFlush: 5_000, maxSeenPerFlush: 2_000, maxTransactionMs: 20 },
  postgres: { maxClustersPerFlush: 100, maxNodeRowsPerFlush: 5_000, maxSeenPerFlush: 2_000, maxTransactionMs: 250 },
};

/** One committed transaction of a flush. */
export interface CommittedChunk {
  /** Clusters whose stored state (not just `lastSeenAt`) or connection history changed. */
  changed: number[];
  /** Snapshots stored, with the session that sent each. */
  snapshots: { clusterId: number; sessionId: number }[];
  /** Clusters whose `lastSeenAt` alone moved. */
  seen: number;
  nodeRows: number;
  /** Workspaces whose drift or quota use an agent's report moved, by cluster; absent when none. */
  workspaces?: { clusterId: number; workspaceIds: number[] }[];
  /** Connection history rows added. */
  connectionEvents: number;
  /** Clusters whose latest metric summary was stored; absent when none. */
  summaries?: number[];
  durationMs: number;
}

export interface ClusterStateWriterOptions extends Partial<FlushLimits> {
  store: Store;
  flushIntervalMs: number;
  log: Logger;
  /** After each committed transaction (publish events here: the rows are visible now). */
  onCommitted?: (chunk: CommittedChunk) => void;
  /** Metric summary history gets a row per cluster at most this often. Default SUMMARY_INTERVAL_SECONDS. */
  summaryHistoryIntervalSeconds?: number;
}

export class ClusterStateWriter {
  private pending = new Map<number, WriterOp[]>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  /** The flush that callers arriving during `running` share. */
  private queued: Promise<void> | undefined;
  private readonly limits: FlushLimits;

  constructor(private readonly options: ClusterStateWriterOptions) {
    const defaults = DEFAULT_FLUSH_LIMITS[options.store.engine];
    this.limits = {
      maxClustersPerFlush: options.maxClustersPerFlush ?? defaults.maxClustersPerFlush,
      maxNodeRowsPerFlush: options.maxNodeRowsPerFlush ?? defaults.maxNodeRowsPerFlush,
      maxSeenPerFlush: options.maxSeenPerFlush ?? defaults.maxSeenPerFlush,
      maxTransactionMs: options.maxTransactionMs ?? defaults.maxTransactionMs,
    };
    for (const [name, value] of Object.entries(this.limits)) {
      const least = name === 'maxTransactionMs' ? 0 : 1;
      if (!Number.isInteger(value) || value < least) throw new Error(`${name} must be a whole number of at least ${least}, not ${value}`);
    }
  }

  start(): void {
    this.timer ??= setInterval(() => {
      // A flush still running (a burst of snapshots) is the next tick's work already.
      if (!this.running) void this.flush();
    }, this.options.flushIntervalMs);
    // The gateway's timers must never keep a process (a test, a CLI) alive on their own.
    this.timer.unref();
  }

  /** Stops the timer and writes whatever is still pending, all chunks of it. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    while (this.pending.size > 0) {
      const before = this.pending.size;
      await this.flush();
      if (this.pending.size >= before) {
        this.options.log.error('agent state not stored at shutdown', { clusters: this.pending.size });
        return;
      }
    }
  }

  get pendingClusterCount(): number {
    return this.pending.size;
  }

  enqueue(clusterId: number, op: WriterOp): void {
    const ops = this.pending.get(clusterId);
    if (!ops) {
      this.pending.set(clusterId, [op]);
      return;
    }
    if (op.kind === 'snapshot') {
      // A snapshot replaces everything reported before it: earlier snapshots, deltas and
      // seen marks are moot. Connection changes and their history stay, in order.
      const kept: WriterOp[] = ops.filter((o) => o.kind === 'connected' || o.kind === 'disconnected' || o.kind === 'history' || o.kind === 'summary');
      kept.push(op);
      this.pending.set(clusterId, kept);
      return;
    }
    if (op.kind === 'summary') {
      // Only the newest summary matters: an older one still pending is dropped.
      const older = ops.findIndex((o) => o.kind === 'summary');
      if (older !== -1) ops.splice(older, 1);
      ops.push(op);
      return;
    }
    if (op.kind === 'seen' && ops.at(-1)?.kind === 'seen') {
      ops[ops.length - 1] = op;
      return;
    }
    ops.push(op);
  }

  /**
   * Writes what is pending now, chunk by chunk; resolves when it is stored (or, if the
   * store failed, put back for the next tick). Calls made while a flush runs share one
   * more flush after it, which writes what arrived meanwhile: a hundred callers waiting
   * for their reports to be stored (the workspace reconciler does, per apply) cost one
   * flush, not a hundred in a row.
   */
  flush(): Promise<void> {
    // Joined first: between a run's end and the queued flush's start, `running` is unset.
    if (this.queued) return this.queued;
    if (!this.running) return this.startDrain();
    this.queued ??= this.running.then(() => {
      this.queued = undefined;
      return this.startDrain();
    });
    return this.queued;
  }

  private startDrain(): Promise<void> {
    const run = this.drain().finally(() => {
      if (this.running === run) this.running = undefined;
    });
    this.running = run;
    return run;
  }

  private async drain(): Promise<void> {
    // Clusters enqueued while this flush runs wait for the next one, so a steady stream
    // of reports cannot keep one flush going forever.
    let budget = this.pending.size;
    while (budget > 0 && this.pending.size > 0) {
      const chunk = this.takeChunk();
      const deferred = await this.commit(chunk);
      if (deferred === null) return;
      budget -= chunk.size - deferred;
      // A macrotask, not setImmediate: the socket I/O and the timers (heartbeat sweeps,
      // call deadlines) both get their turn before the next chunk.
      if (budget > 0 && this.pending.size > 0) await new Promise((resolve) => setTimeout(resolve, 0));
    }
  }

  /** Takes the oldest pending clusters that fit in one transaction. */
  private takeChunk(): Map<number, WriterOp[]> {
    const { maxClustersPerFlush, maxNodeRowsPerFlush, maxSeenPerFlush } = this.limits;
    const chunk = new Map<number, WriterOp[]>();
    let clusters = 0;
    let seen = 0;
    let nodeRows = 0;
    for (const [clusterId, ops] of this.pending) {
      if (ops.every((op) => op.kind === 'seen')) {
        if (seen >= maxSeenPerFlush) continue;
        seen++;
      } else {
        if (clusters >= maxClustersPerFlush) continue;
        const rows = nodeRowsOf(stateOpsOf(ops));
        if (clusters > 0 && nodeRows + rows > maxNodeRowsPerFlush) continue;
        clusters++;
        nodeRows += rows;
      }
      chunk.set(clusterId, ops);
      if (clusters >= maxClustersPerFlush && seen >= maxSeenPerFlush) break;
    }
    for (const clusterId of chunk.keys()) this.pending.delete(clusterId);
    return chunk;
  }

  /**
   * One transaction. Returns how many of the chunk's clusters it left for the next one
   * (out of time; they are pending again, first in line), or null if the store failed.
   */
  private async commit(chunk: Map<number, WriterOp[]>): Promise<number | null> {
    const { store, log } = this.options;
    const started = performance.now();
    const now = new Date();
    const deferred = new Map<number, WriterOp[]>();
    const history = historyOf(chunk);
    const summaries = summariesOf(chunk);
    let result: Omit<CommittedChunk, 'durationMs'>;
    try {
      result = await store.transaction(async (tx) => {
        const done: Omit<CommittedChunk, 'durationMs'> = { changed: [], snapshots: [], seen: 0, nodeRows: 0, connectionEvents: 0 };
        // The chunk's whole history first, in one statement: the status refreshes below
        // count this flush's reconnects (flap detection) with the rest.
        const withHistory = new Set(await insertConnectionEvents(tx, history));
        done.connectionEvents = history.filter((event) => withHistory.has(event.clusterId)).length;
        if (summaries.length > 0) {
          const stored = await storeSummaries(tx, summaries, this.options.summaryHistoryIntervalSeconds ?? SUMMARY_INTERVAL_SECONDS);
          if (stored.length > 0) done.summaries = stored;
        }
        const seenOnly: number[] = [];
        let latestSeen = new Date(0);
        let applied = 0;
        for (const [clusterId, writerOps] of chunk) {
          const ops = stateOpsOf(writerOps);
          if (ops.length === 0) continue;
          if (ops.every((op) => op.kind === 'seen')) {
            seenOnly.push(clusterId);
            const at = ops.at(-1)?.at;
            if (at && at > latestSeen) latestSeen = at;
            continue;
          }
          if (applied > 0 && performance.now() - started >= this.limits.maxTransactionMs) {
            deferred.set(clusterId, ops);
            continue;
          }
          applied++;
          let changed: boolean;
          const workspaceIds: number[] = [];
          try {
            // Nested: a savepoint, so this cluster's failure leaves the others' rows.
            changed = await store.transaction((savepoint) => applyClusterOps(savepoint, clusterId, ops, now, workspaceIds));
          } catch (error) {
            log.error('could not store agent state; dropped this batch for the cluster', { clusterId, error: errorMessage(error) });
            continue;
          }
          if (changed && !withHistory.has(clusterId)) done.changed.push(clusterId);
          if (workspaceIds.length > 0) (done.workspaces ??= []).push({ clusterId, workspaceIds });
          done.nodeRows += nodeRowsOf(ops);
          const snapshot = ops.findLast((op) => op.kind === 'snapshot');
          if (snapshot) done.snapshots.push({ clusterId, sessionId: snapshot.sessionId });
        }
        if (seenOnly.length > 0) {
          await markClustersSeen(tx, seenOnly, latestSeen);
          done.seen = seenOnly.length;
        }
        // A cluster whose history grew has changed for the live views, whatever its state did.
        done.changed.push(...withHistory);
        return done;
      });
    } catch (error) {
      // The store itself failed (locked, disk full, connection lost): keep the chunk,
      // ahead of anything enqueued since, and try again next tick.
      log.error('agent state flush failed; will retry', { clusters: chunk.size, error: errorMessage(error) });
      this.putBack(chunk);
      return null;
    }
    this.options.onCommitted?.({ ...result, durationMs: performance.now() - started });
    if (deferred.size > 0) this.putBack(deferred);
    return deferred.size;
  }

  private putBack(chunk: Map<number, WriterOp[]>): void {
    const newer = this.pending;
    this.pending = chunk;
    for (const [clusterId, ops] of newer) for (const op of ops) this.enqueue(clusterId, op);
  }
}

function stateOpsOf(ops: readonly WriterOp[]): ClusterStateOp[] {
  return ops.filter((op): op is ClusterStateOp => op.kind !== 'history' && op.kind !== 'summary');
}

function summariesOf(chunk: ReadonlyMap<number, readonly WriterOp[]>): SummaryDraft[] {
  const drafts: SummaryDraft[] = [];
  for (const [clusterId, ops] of chunk) {
    for (const op of ops) {
      if (op.kind === 'summary') drafts.push({ clusterId, collectedAt: op.collectedAt, summary: op.summary, error: op.error });
    }
  }
  return drafts;
}

function historyOf(chunk: ReadonlyMap<number, readonly WriterOp[]>): ConnectionEventDraft[] {
  const drafts: ConnectionEventDraft[] = [];
  for (const [clusterId, ops] of chunk) {
    for (const op of ops) {
      if (op.kind === 'history') drafts.push({ clusterId, kind: op.event, at: op.at, reason: op.reason, agentVersion: op.agentVersion });
    }
  }
  return drafts;
}
