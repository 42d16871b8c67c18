/**
 * The live feed behind `clusters.onChange`: which clusters changed, as the event bus
 * reports it (stored state, agent sessions opening, ready or closing). Views refetch
 * their own queries on each value; the feed carries only ids, and only those of
 * clusters the caller may see.
 */
import type { VisibleScope } from '@/server/access/authorize';
import { eventStream, type EventBus, type EventOf } from '@/server/events/bus';
import type { Db } from '@/server/store';
import { findClusterByName } from '@/server/services/clusters/shared';

export interface ClusterChange {
  clusterIds: number[];
  /** When the control plane saw it (epoch ms). */
  at: number;
}

const CLUSTER_EVENTS = ['cluster.changed', 'agent.sessionOpened', 'agent.sessionReady', 'agent.sessionClosed'] as const;

function clusterIdsOf(event: EventOf<(typeof CLUSTER_EVENTS)[number]>): readonly number[] {
  return event.type === 'cluster.changed' ? event.clusterIds : [event.clusterId];
}

/**
 * Changes to every cluster in `scope`, or only to the one named `name`. Listening
 * starts before anything else, and the first value comes at once, naming the watched
 * cluster (or none): a view that (re)subscribes refetches then, and misses nothing
 * after. Ends with `signal`, or when the consumer stops.
 */
export async function* clusterChanges(
  db: Db,
  bus: EventBus,
  scope: VisibleScope,
  name: string | undefined,
  signal: AbortSignal | undefined,
): AsyncGenerator<ClusterChange> {
  const visible = scope.kind === 'all' ? undefined : new Set(scope.ids);
  const stop = new AbortController();
  const events = eventStream(bus, CLUSTER_EVENTS, signal ? AbortSignal.any([signal, stop.signal]) : stop.signal);
  // The stream subscribes when first pulled: pull now, before the lookup.
  let pending = events.next();
  try {
    const watched = name === undefined ? undefined : (await findClusterByName(db, name)).id;
    yield { clusterIds: watched === undefined ? [] : [watched], at: Date.now() };
    for (;;) {
      const result = await pending;
      if (result.done) return;
      pending = events.next();
      const ids = clusterIdsOf(result.value).filter((id) => (visible ? visible.has(id) : true));
      if (ids.length === 0 || (watched !== undefined && !ids.includes(watched))) continue;
      yield { clusterIds: watched === undefined ? ids : [watched], at: Date.now() };
    }
  } finally {
    // Wakes the pending pull, so the stream unsubscribes now rather than at the next event.
    stop.abort();
    await pending;
    await events.return(undefined);
  }
}
