/**
 * Keeps metric summary history to its 24 hours (SUMMARY_HISTORY_HOURS): a timer made by
 * the composition root and stopped by `close()`, a sibling of the connection history's
 * upkeep. Rows are deleted in batches, a transaction each, with a turn of the event loop
 * between them, so a large fleet's backlog never holds the store for long.
 */
import { SUMMARY_HISTORY_HOURS } from '@/lib/metrics';
import { PRUNE_BATCH, pruneSummaryHistory } from '@/server/agent-gateway/summary-sql';
import { errorMessage, type Logger } from '@/server/logger';
import type { Store } from '@/server/store';

export interface SummaryUpkeepOptions {
  store: Store;
  log: Logger;
  /** The time; tests move it. */
  clock?: () => Date;
  /** How often old history is pruned. Default 10 minutes. */
  pruneMs?: number;
}

export interface SummaryUpkeep {
  /** Deletes history older than SUMMARY_HISTORY_HOURS; returns how many rows. */
  prune(): Promise<number>;
  stop(): Promise<void>;
}

export function startSummaryUpkeep(options: SummaryUpkeepOptions): SummaryUpkeep {
  const { store } = options;
  const log = options.log.child({ component: 'metric-summaries' });
  const clock = options.clock ?? (() => new Date());
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;

  const prune = async (): Promise<number> => {
    const before = new Date(clock().getTime() - SUMMARY_HISTORY_HOURS * 3_600_000);
    let pruned = 0;
    for (;;) {
      const deleted = await store.transaction((tx) => pruneSummaryHistory(tx, before, PRUNE_BATCH));
      pruned += deleted;
      if (deleted < PRUNE_BATCH || stopped) break;
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    if (pruned > 0) log.info('metric summary history pruned', { rows: pruned, before: before.toISOString() });
    return pruned;
  };

  /** One pass at a time: a slow prune never overlaps the next. */
  const runPrune = () => {
    if (stopped) return;
    running = running.then(prune).catch((error: unknown) => log.error('metric summary history pruning failed', { error: errorMessage(error) }));
  };
  const timer = setInterval(runPrune, options.pruneMs ?? 600_000);
  timer.unref();
  // A control plane that restarts every few minutes must still prune: once soon after start too.
  const first = setTimeout(runPrune, 10_000);
  first.unref();

  return {
    prune,
    async stop() {
      stopped = true;
      clearInterval(timer);
      clearTimeout(first);
      await running;
    },
  };
}
