/**
 * The SQL behind pushed metric summaries: the latest summary per cluster
 * (`cluster_metric_summaries`, upserted) and its history (`cluster_metric_history`,
 * appended at most once per interval per cluster, pruned by age). The state writer
 * (persistence.ts) calls `storeSummaries` inside its flush transaction; the read side is
 * server/services/metrics/summaries.ts. Portable across both engines.
 */
import { asc, eq, inArray, lt, sql } from 'drizzle-orm';
import type { MetricSummary } from '@/lib/metrics';
import { tablesOf, type Db } from '@/server/store';

export interface SummaryDraft {
  clusterId: number;
  collectedAt: Date;
  summary: MetricSummary;
  error: string | null;
}

/** Ids bound in one `in (...)` list. */
const ID_LIST_CHUNK = 1_000;
/** History rows deleted per transaction when pruning. */
export const PRUNE_BATCH = 1_000;
/**
 * A poll may come a little early (timers drift, a reconnect starts a new cycle): a history
 * row is added when the last one is at least this share of the interval old.
 */
const HISTORY_SLACK = 0.9;

/**
 * Stores one summary per cluster (the newest of `drafts` for each); clusters detached
 * meanwhile are skipped (a foreign-key failure would roll back the writer's whole
 * transaction). Returns the clusters whose latest summary was stored.
 */
export async function storeSummaries(tx: Db, drafts: readonly SummaryDraft[], historyIntervalSeconds: number): Promise<number[]> {
  if (drafts.length === 0) return [];
  const { clusters, clusterMetricSummaries, clusterMetricHistory } = tablesOf(tx);
  const newest = new Map<number, SummaryDraft>();
  for (const draft of drafts) {
    const seen = newest.get(draft.clusterId);
    if (!seen || draft.collectedAt >= seen.collectedAt) newest.set(draft.clusterId, draft);
  }
  const wanted = [...newest.keys()];
  const existing = new Set<number>();
  const lastHistory = new Map<number, Date>();
  for (let i = 0; i < wanted.length; i += ID_LIST_CHUNK) {
    const ids = wanted.slice(i, i + ID_LIST_CHUNK);
    for (const row of await tx.select({ id: clusters.id }).from(clusters).where(inArray(clusters.id, ids))) existing.add(row.id);
    const latest = await tx
      .select({ clusterId: clusterMetricHistory.clusterId, at: sql<Date | null>`max(${clusterMetricHistory.collectedAt})`.mapWith(clusterMetricHistory.collectedAt) })
      .from(clusterMetricHistory)
      .where(inArray(clusterMetricHistory.clusterId, ids))
      .groupBy(clusterMetricHistory.clusterId);
    for (const row of latest) if (row.at) lastHistory.set(row.clusterId, row.at);
  }
  const stored: number[] = [];
  const historyRows: { clusterId: number; collectedAt: Date; summary: MetricSummary }[] = [];
  const now = new Date();
  for (const draft of newest.values()) {
    if (!existing.has(draft.clusterId)) continue;
    const values = { collectedAt: draft.collectedAt, summary: draft.summary, error: draft.error, updatedAt: now };
    await tx
      .insert(clusterMetricSummaries)
      .values({ clusterId: draft.clusterId, ...values })
      .onConflictDoUpdate({ target: clusterMetricSummaries.clusterId, set: values });
    stored.push(draft.clusterId);
    const last = lastHistory.get(draft.clusterId);
    // Every query failed: the latest row says why, but history keeps only what was measured.
    const measured = draft.error === null || hasFigures(draft.summary);
    if (measured && (!last || draft.collectedAt.getTime() - last.getTime() >= historyIntervalSeconds * 1000 * HISTORY_SLACK)) {
      historyRows.push({ clusterId: draft.clusterId, collectedAt: draft.collectedAt, summary: draft.summary });
    }
  }
  for (let i = 0; i < historyRows.length; i += 500) await tx.insert(clusterMetricHistory).values(historyRows.slice(i, i + 500));
  return stored.sort((a, b) => a - b);
}

/** Deletes up to `batch` history rows older than `before`, oldest first; returns how many (the upkeep loops, a transaction each). */
export async function pruneSummaryHistory(tx: Db, before: Date, batch = PRUNE_BATCH): Promise<number> {
  const { clusterMetricHistory } = tablesOf(tx);
  const doomed = await tx
    .select({ id: clusterMetricHistory.id })
    .from(clusterMetricHistory)
    .where(lt(clusterMetricHistory.collectedAt, before))
    .orderBy(asc(clusterMetricHistory.collectedAt), asc(clusterMetricHistory.id))
    .limit(batch);
  if (doomed.length === 0) return 0;
  await tx.delete(clusterMetricHistory).where(inArray(clusterMetricHistory.id, doomed.map((row) => row.id)));
  return doomed.length;
}

/** The stored latest summary of one cluster (tests, tools). */
export async function storedSummary(db: Db, clusterId: number): Promise<SummaryDraft | undefined> {
  const { clusterMetricSummaries } = tablesOf(db);
  const [row] = await db
    .select({ clusterId: clusterMetricSummaries.clusterId, collectedAt: clusterMetricSummaries.collectedAt, summary: clusterMetricSummaries.summary, error: clusterMetricSummaries.error })
    .from(clusterMetricSummaries)
    .where(eq(clusterMetricSummaries.clusterId, clusterId));
  return row;
}

function hasFigures(summary: MetricSummary): boolean {
  return (
    summary.gpus.length > 0 ||
    [summary.nodesReady, summary.nodesTotal, summary.cpuUtilization, summary.memoryUtilization, summary.xidErrors, summary.hotGpus].some((v) => v !== null)
  );
}
