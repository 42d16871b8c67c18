/**
 * Reads the metric summaries agents push (decision 6: pushed summaries for the fleet):
 * the latest one per cluster, with its age and whether it is stale, and the 24 hours of
 * history behind the sparklines. Fleet pages (GPU Fleet, the health board) read only
 * these and never call into clusters. Written by the gateway (agent-gateway/summary-sql.ts).
 */
import { and, asc, eq, gte, inArray } from 'drizzle-orm';
import type { ClusterStatus } from '@/lib/cluster-status';
import { SUMMARY_HISTORY_HOURS, SUMMARY_STALE_AFTER_SECONDS, type MetricSummary } from '@/lib/metrics';
import { tablesOf, type Db } from '@/server/store';

/** Why a summary is not current: too old, or its agent is not connected now. */
export type SummaryStaleness = 'old' | 'disconnected';

export interface ClusterMetricSummary {
  clusterId: number;
  /** When the agent polled its Prometheus. */
  collectedAt: Date;
  /** Seconds since `collectedAt` (never negative). */
  ageSeconds: number;
  /** Older than {@link SUMMARY_STALE_AFTER_SECONDS}, or the agent is disconnected: show it as stale, with its age. */
  stale: boolean;
  staleReason: SummaryStaleness | null;
  summary: MetricSummary;
  /** Why the last poll failed (e.g. `Prometheus unreachable: …`); null when every query answered. */
  error: string | null;
}

export interface SummaryHistoryPoint {
  collectedAt: Date;
  summary: MetricSummary;
}

/** Ids bound in one `in (...)` list. */
const ID_LIST_CHUNK = 1_000;
/** Statuses in which no agent is pushing now. */
const NOT_CONNECTED: readonly ClusterStatus[] = ['disconnected', 'awaiting_agent'];

/**
 * Every cluster's latest summary (or only those of `clusterIds`), by cluster id.
 * Clusters that never pushed one are absent.
 */
export async function latestSummaries(
  db: Db,
  clusterIds?: readonly number[],
  options: { now?: Date } = {},
): Promise<Map<number, ClusterMetricSummary>> {
  const { clusters, clusterMetricSummaries } = tablesOf(db);
  const now = options.now ?? new Date();
  const select = () =>
    db
      .select({
        clusterId: clusterMetricSummaries.clusterId,
        collectedAt: clusterMetricSummaries.collectedAt,
        summary: clusterMetricSummaries.summary,
        error: clusterMetricSummaries.error,
        status: clusters.status,
      })
      .from(clusterMetricSummaries)
      .innerJoin(clusters, eq(clusters.id, clusterMetricSummaries.clusterId));
  const rows = [];
  if (clusterIds === undefined) rows.push(...(await select()));
  else {
    for (let i = 0; i < clusterIds.length; i += ID_LIST_CHUNK) {
      const ids = clusterIds.slice(i, i + ID_LIST_CHUNK);
      if (ids.length > 0) rows.push(...(await select().where(inArray(clusterMetricSummaries.clusterId, ids))));
    }
  }
  const result = new Map<number, ClusterMetricSummary>();
  for (const row of rows) {
    const ageSeconds = Math.max(0, Math.round((now.getTime() - row.collectedAt.getTime()) / 1000));
    const staleReason: SummaryStaleness | null = NOT_CONNECTED.includes(row.status)
      ? 'disconnected'
      : ageSeconds > SUMMARY_STALE_AFTER_SECONDS
        ? 'old'
        : null;
    result.set(row.clusterId, {
      clusterId: row.clusterId,
      collectedAt: row.collectedAt,
      ageSeconds,
      stale: staleReason !== null,
      staleReason,
      summary: row.summary,
      error: row.error,
    });
  }
  return result;
}

/** One cluster's summaries of the last `hours` (at most the 24 kept), oldest first. */
export async function history(
  db: Db,
  clusterId: number,
  hours = SUMMARY_HISTORY_HOURS,
  options: { now?: Date } = {},
): Promise<SummaryHistoryPoint[]> {
  return (await histories(db, [clusterId], hours, options)).get(clusterId) ?? [];
}

/** Several clusters' summaries of the last `hours`, oldest first, by cluster id (sparklines of a whole table). */
export async function histories(
  db: Db,
  clusterIds: readonly number[],
  hours = SUMMARY_HISTORY_HOURS,
  options: { now?: Date } = {},
): Promise<Map<number, SummaryHistoryPoint[]>> {
  const { clusterMetricHistory } = tablesOf(db);
  const now = options.now ?? new Date();
  const since = new Date(now.getTime() - Math.min(hours, SUMMARY_HISTORY_HOURS) * 3_600_000);
  const result = new Map<number, SummaryHistoryPoint[]>();
  for (let i = 0; i < clusterIds.length; i += ID_LIST_CHUNK) {
    const rows = await db
      .select({ clusterId: clusterMetricHistory.clusterId, collectedAt: clusterMetricHistory.collectedAt, summary: clusterMetricHistory.summary })
      .from(clusterMetricHistory)
      .where(and(inArray(clusterMetricHistory.clusterId, clusterIds.slice(i, i + ID_LIST_CHUNK)), gte(clusterMetricHistory.collectedAt, since)))
      .orderBy(asc(clusterMetricHistory.clusterId), asc(clusterMetricHistory.collectedAt));
    for (const row of rows) {
      const points = result.get(row.clusterId) ?? [];
      points.push({ collectedAt: row.collectedAt, summary: row.summary });
      result.set(row.clusterId, points);
    }
  }
  return result;
}
