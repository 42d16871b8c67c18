/**
 * A cluster's connection history as the cluster page shows it: uptime over 24 h and
 * 7 d, whether the connection is unstable (flapping) now, and its connects and
 * disconnects, newest first, a page at a time. The gateway writes the events
 * (server/agent-gateway/connection-events-sql.ts); this only reads them.
 */
import { and, asc, count, desc, eq, gte, lt } from 'drizzle-orm';
import { FLAP_RECONNECTS, FLAP_WINDOW_MS, type ConnectionEventKind } from '@/lib/connection-history';
import type { ConnectionHistoryInput } from '@/lib/schemas/connection-history';
import { connectionOf, isFlapping, reconnectsOf } from '@/server/services/cluster-status';
import { findClusterByName } from '@/server/services/clusters/shared';
import { tablesOf, type Db } from '@/server/store';
import { uptimeOver, type Uptime, type UptimeEvent } from './uptime';

const DAY_MS = 24 * 3_600_000;
/**
 * Events read for the 7-day uptime at most. A cluster dropping every 20 s for a week
 * makes about 60,000; past this the oldest of the week are left out and the figure is
 * over the part of the week they cover (`observedMs` says how much).
 */
const MAX_UPTIME_EVENTS = 50_000;

export interface ConnectionEventView {
  id: number;
  kind: ConnectionEventKind;
  at: Date;
  /** Human words: why a session ended; empty for a connect. */
  reason: string;
  agentVersion: string | null;
}

export interface ConnectionHistoryView {
  clusterName: string;
  connected: boolean;
  uptime: { last24h: Uptime; last7d: Uptime };
  /** Reconnects within the flap window, and whether that many make the connection unstable. */
  flapping: { unstable: boolean; reconnects: number; windowMs: number; threshold: number };
  /** Newest first. */
  events: ConnectionEventView[];
  /** Pass as `before` for the next (older) page; null on the last one. */
  nextBefore: number | null;
}

export async function getConnectionHistory(db: Db, input: ConnectionHistoryInput, now = new Date()): Promise<ConnectionHistoryView> {
  const cluster = await findClusterByName(db, input.name);
  const { connectionEvents } = tablesOf(db);
  const ofCluster = eq(connectionEvents.clusterId, cluster.id);
  const limit = input.limit ?? 50;

  const page = await db
    .select({
      id: connectionEvents.id,
      kind: connectionEvents.kind,
      at: connectionEvents.at,
      reason: connectionEvents.reason,
      agentVersion: connectionEvents.agentVersion,
    })
    .from(connectionEvents)
    // Ids follow the order events were recorded in, which is their order in time.
    .where(input.before === undefined ? ofCluster : and(ofCluster, lt(connectionEvents.id, input.before)))
    .orderBy(desc(connectionEvents.id))
    .limit(limit + 1);

  const weekStart = new Date(now.getTime() - 7 * DAY_MS);
  const point = { id: connectionEvents.id, kind: connectionEvents.kind, at: connectionEvents.at };
  const [week, [beforeWeek], [flap], [earlier]] = await Promise.all([
    db
      .select(point)
      .from(connectionEvents)
      .where(and(ofCluster, gte(connectionEvents.at, weekStart)))
      .orderBy(desc(connectionEvents.at), desc(connectionEvents.id))
      .limit(MAX_UPTIME_EVENTS),
    db
      .select(point)
      .from(connectionEvents)
      .where(and(ofCluster, lt(connectionEvents.at, weekStart)))
      .orderBy(desc(connectionEvents.at), desc(connectionEvents.id))
      .limit(1),
    db
      .select({ n: count() })
      .from(connectionEvents)
      .where(and(ofCluster, eq(connectionEvents.kind, 'connected'), gte(connectionEvents.at, new Date(now.getTime() - FLAP_WINDOW_MS)))),
    db
      .select({ id: connectionEvents.id })
      .from(connectionEvents)
      .where(and(ofCluster, lt(connectionEvents.at, new Date(now.getTime() - FLAP_WINDOW_MS))))
      .orderBy(asc(connectionEvents.at))
      .limit(1),
  ]);
  const uptimeEvents: UptimeEvent[] = beforeWeek ? [...week, beforeWeek] : week;
  const reconnects = reconnectsOf(Number(flap?.n ?? 0), earlier !== undefined);

  return {
    clusterName: cluster.name,
    connected: connectionOf(cluster.connectedAt, cluster.disconnectedAt) === 'connected',
    uptime: {
      last24h: uptimeOver(uptimeEvents, new Date(now.getTime() - DAY_MS), now),
      last7d: uptimeOver(uptimeEvents, weekStart, now),
    },
    flapping: { unstable: isFlapping(reconnects), reconnects, windowMs: FLAP_WINDOW_MS, threshold: FLAP_RECONNECTS },
    events: page.slice(0, limit),
    nextBefore: page.length > limit ? (page[limit - 1]?.id ?? null) : null,
  };
}
