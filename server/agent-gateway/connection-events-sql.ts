/**
 * The SQL behind a cluster's connection history (`connection_events`): the rows the
 * state writer adds with each flush and the startup sweep's "control plane restarted".
 * (Pruning is the upkeep's: server/services/clusters/connection-upkeep.ts.) Portable
 * across both engines.
 */
import { asc, inArray } from 'drizzle-orm';
import type { ConnectionEventKind } from '@/lib/connection-history';
import { tablesOf, type Db } from '@/server/store';
import { CONTROL_PLANE_RESTARTED } from './disconnect-reasons';

export interface ConnectionEventDraft {
  clusterId: number;
  kind: ConnectionEventKind;
  at: Date;
  /** Human words; empty for a connect. */
  reason: string;
  agentVersion: string | null;
}

/** Rows per insert statement: 5 bound values each, far below both engines' limits. */
const EVENT_INSERT_CHUNK = 500;
/** Ids bound in one `in (...)` list. */
const ID_LIST_CHUNK = 1_000;

/**
 * Appends `events` in as few statements as the chunk allows: one select to skip the
 * clusters detached meanwhile (a foreign-key failure would roll back the writer's whole
 * transaction, and its retry would fail the same way), then multi-row inserts. Returns
 * the clusters whose history grew.
 */
export async function insertConnectionEvents(tx: Db, events: readonly ConnectionEventDraft[]): Promise<number[]> {
  if (events.length === 0) return [];
  const { clusters, connectionEvents } = tablesOf(tx);
  const wanted = [...new Set(events.map((event) => event.clusterId))];
  const existing = new Set<number>();
  for (let i = 0; i < wanted.length; i += ID_LIST_CHUNK) {
    const rows = await tx
      .select({ id: clusters.id })
      .from(clusters)
      .where(inArray(clusters.id, wanted.slice(i, i + ID_LIST_CHUNK)));
    for (const row of rows) existing.add(row.id);
  }
  const rows = events.filter((event) => existing.has(event.clusterId));
  for (let i = 0; i < rows.length; i += EVENT_INSERT_CHUNK) {
    await tx.insert(connectionEvents).values(rows.slice(i, i + EVENT_INSERT_CHUNK));
  }
  return [...existing].sort((a, b) => a - b);
}

/**
 * The startup sweep's history: each cluster left connected by a previous run gets a
 * disconnect, dated when its agent was last heard (closer to when the session really
 * ended than now, which may be hours later).
 */
export async function recordControlPlaneRestart(tx: Db, clusterIds: readonly number[], now: Date): Promise<void> {
  if (clusterIds.length === 0) return;
  const { clusters } = tablesOf(tx);
  const drafts: ConnectionEventDraft[] = [];
  for (let i = 0; i < clusterIds.length; i += ID_LIST_CHUNK) {
    const rows = await tx
      .select({ id: clusters.id, lastSeenAt: clusters.lastSeenAt, agentVersion: clusters.agentVersion })
      .from(clusters)
      .where(inArray(clusters.id, clusterIds.slice(i, i + ID_LIST_CHUNK)))
      .orderBy(asc(clusters.id));
    for (const row of rows) {
      drafts.push({ clusterId: row.id, kind: 'disconnected', at: row.lastSeenAt ?? now, reason: CONTROL_PLANE_RESTARTED, agentVersion: row.agentVersion });
    }
  }
  await insertConnectionEvents(tx, drafts);
}
