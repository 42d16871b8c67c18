/**
 * The live feed behind `gpuFleet.onChange`: a new metric summary stored, or a cluster's
 * state changed (its agent disconnected: its numbers turn stale). Carries only ids of
 * clusters the caller may see; views refetch their own queries.
 */
import type { VisibleScope } from '@/server/access/authorize';
import { eventStream, type EventBus, type EventOf } from '@/server/events/bus';

const FLEET_EVENTS = ['metrics.summaryChanged', 'cluster.changed', 'agent.sessionOpened', 'agent.sessionClosed'] as const;

function clusterIdsOf(event: EventOf<(typeof FLEET_EVENTS)[number]>): readonly number[] {
  return event.type === 'metrics.summaryChanged' || event.type === 'cluster.changed' ? event.clusterIds : [event.clusterId];
}

/** The first value comes at once (a view that resubscribes refetches then); ends with `signal`. */
export async function* gpuFleetChanges(bus: EventBus, scope: VisibleScope, signal: AbortSignal | undefined): AsyncGenerator<{ clusterIds: number[]; at: number }> {
  const visible = scope.kind === 'all' ? undefined : new Set(scope.ids);
  const stop = new AbortController();
  const events = eventStream(bus, FLEET_EVENTS, signal ? AbortSignal.any([signal, stop.signal]) : stop.signal);
  // The stream subscribes when first pulled: pull before the first yield.
  let pending = events.next();
  try {
    yield { clusterIds: [], at: Date.now() };
    for (;;) {
      const result = await pending;
      if (result.done) return;
      pending = events.next();
      const ids = clusterIdsOf(result.value).filter((id) => (visible ? visible.has(id) : true));
      if (ids.length > 0) yield { clusterIds: ids, at: Date.now() };
    }
  } finally {
    // Wakes the pending pull, so the stream unsubscribes now rather than at the next event.
    stop.abort();
    await pending;
    await events.return(undefined);
  }
}
