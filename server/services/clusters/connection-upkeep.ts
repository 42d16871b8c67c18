/**
 * The connection history's two timers, made by the composition root and stopped by
 * `close()`:
 * - every minute, clusters flagged "Unstable connection" are re-evaluated, so the flag
 *   clears by itself once the flap window passes quietly (nothing else would refresh a
 *   cluster whose agent simply stays connected), and live views hear of it;
 * - every hour, events older than the retention (30 days) are deleted, in batches.
 */
import { and, asc, inArray, like, lt, sql } from 'drizzle-orm';
import { CONNECTION_HISTORY_RETENTION_MS } from '@/lib/connection-history';
import type { EventBus } from '@/server/events/bus';
import { errorMessage, type Logger } from '@/server/logger';
import { refreshClusterStatus, UNSTABLE_CONNECTION_PREFIX } from '@/server/services/cluster-status';
import { tablesOf, type Db, type Store } from '@/server/store';

export interface ConnectionUpkeepOptions {
  store: Store;
  bus: EventBus;
  log: Logger;
  /** The time; tests move it. */
  clock?: () => Date;
  /** How often flagged clusters are re-evaluated. Default one minute. */
  flapSweepMs?: number;
  /** How often old events are pruned. Default one hour. */
  pruneMs?: number;
}

export interface ConnectionUpkeep {
  /** Re-evaluates every cluster flagged unstable; returns those whose status moved (published). */
  sweepFlapping(): Promise<number[]>;
  /** Deletes events past the retention; returns how many. */
  prune(): Promise<number>;
  stop(): Promise<void>;
}

/** Flagged clusters re-evaluated per pass (a fleet-wide network blip flags many at once). */
const MAX_FLAGGED_PER_SWEEP = 1_000;
/** Clusters refreshed per transaction: short transactions, a timer turn between them. */
const REFRESH_BATCH = 50;
/** Events deleted per transaction. */
const PRUNE_BATCH = 1_000;

export function startConnectionUpkeep(options: ConnectionUpkeepOptions): ConnectionUpkeep {
  const { store, bus } = options;
  const log = options.log.child({ component: 'connection-history' });
  const clock = options.clock ?? (() => new Date());
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;

  const sweepFlapping = async (): Promise<number[]> => {
    const { clusters } = store.tables;
    // The stored reasons are JSON (text on SQLite, jsonb on PostgreSQL); cast reads both as text.
    const flagged = await store.db
      .select({ id: clusters.id })
      .from(clusters)
      .where(
        and(
          inArray(clusters.status, ['degraded', 'disconnected']),
          like(sql<string>`cast(${clusters.statusReasons} as text)`, `%${UNSTABLE_CONNECTION_PREFIX}%`),
        ),
      )
      .limit(MAX_FLAGGED_PER_SWEEP);
    const moved: number[] = [];
    for (let i = 0; i < flagged.length; i += REFRESH_BATCH) {
      if (i > 0) await new Promise((resolve) => setTimeout(resolve, 0));
      const now = clock();
      const batch = flagged.slice(i, i + REFRESH_BATCH);
      await store.transaction(async (tx) => {
        for (const { id } of batch) {
          const refreshed = await refreshClusterStatus(tx, id, now);
          if (refreshed?.changed) moved.push(id);
        }
      });
    }
    if (moved.length > 0) bus.publish({ type: 'cluster.changed', clusterIds: moved });
    return moved;
  };

  const prune = async (): Promise<number> => {
    const before = new Date(clock().getTime() - CONNECTION_HISTORY_RETENTION_MS);
    let pruned = 0;
    for (;;) {
      const deleted = await store.transaction((tx) => pruneConnectionEvents(tx, before, PRUNE_BATCH));
      pruned += deleted;
      if (deleted < PRUNE_BATCH || stopped) break;
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    if (pruned > 0) log.info('connection history pruned', { events: pruned, before: before.toISOString() });
    return pruned;
  };

  /** One pass at a time, in order: a slow prune never overlaps a sweep on the store. */
  const run = (name: string, pass: () => Promise<unknown>) => () => {
    if (stopped) return;
    running = running.then(pass).catch((error: unknown) => log.error(`connection history ${name} failed`, { error: errorMessage(error) }));
  };
  const sweepTimer = setInterval(run('flap sweep', sweepFlapping), options.flapSweepMs ?? 60_000);
  const pruneTimer = setInterval(run('pruning', prune), options.pruneMs ?? 3_600_000);
  sweepTimer.unref();
  pruneTimer.unref();
  // A control plane that restarts every few minutes must still prune: once soon after start too.
  const firstPrune = setTimeout(run('pruning', prune), 10_000);
  firstPrune.unref();

  return {
    sweepFlapping,
    prune,
    async stop() {
      stopped = true;
      clearInterval(sweepTimer);
      clearInterval(pruneTimer);
      clearTimeout(firstPrune);
      await running;
    },
  };
}

/** Deletes up to `batch` events older than `before`, oldest first; returns how many. */
async function pruneConnectionEvents(tx: Db, before: Date, batch: number): Promise<number> {
  const { connectionEvents } = tablesOf(tx);
  const doomed = await tx
    .select({ id: connectionEvents.id })
    .from(connectionEvents)
    .where(lt(connectionEvents.at, before))
    .orderBy(asc(connectionEvents.at), asc(connectionEvents.id))
    .limit(batch);
  if (doomed.length === 0) return 0;
  await tx.delete(connectionEvents).where(
    inArray(
      connectionEvents.id,
      doomed.map((row) => row.id),
    ),
  );
  return doomed.length;
}
