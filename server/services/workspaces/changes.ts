/**
 * The live feed behind `workspaces.onChange`: which workspaces changed (desired state
 * written here, sync status reported by the reconciler), only those the caller may see.
 * Views refetch their own queries on each value.
 */
import type { VisibleScope } from '@/server/access/authorize';
import { eventStream, type EventBus, type EventOf } from '@/server/events/bus';

export interface WorkspaceChange {
  clusterId: number | null;
  workspaceIds: number[];
  /** When the control plane saw it (epoch ms). */
  at: number;
}

const WORKSPACE_EVENTS = ['workspace.changed', 'sync.statusChanged'] as const;

function workspaceIdsOf(event: EventOf<(typeof WORKSPACE_EVENTS)[number]>): number[] {
  if (event.type === 'workspace.changed') return [...event.workspaceIds];
  if (event.resource !== 'workspace') return [];
  const id = Number(event.resourceId);
  return Number.isInteger(id) ? [id] : [];
}

/**
 * The first value comes at once (empty), so a view that (re)subscribes refetches and
 * misses nothing after. Ends with `signal`, or when the consumer stops.
 */
export async function* workspaceChanges(bus: EventBus, scope: VisibleScope, signal: AbortSignal | undefined): AsyncGenerator<WorkspaceChange> {
  const visible = scope.kind === 'all' ? undefined : new Set(scope.ids);
  const stop = new AbortController();
  const events = eventStream(bus, WORKSPACE_EVENTS, signal ? AbortSignal.any([signal, stop.signal]) : stop.signal);
  let pending = events.next();
  try {
    yield { clusterId: null, workspaceIds: [], at: Date.now() };
    for (;;) {
      const result = await pending;
      if (result.done) return;
      pending = events.next();
      const ids = workspaceIdsOf(result.value).filter((id) => (visible ? visible.has(id) : true));
      if (ids.length === 0) continue;
      yield { clusterId: result.value.clusterId, workspaceIds: ids, at: Date.now() };
    }
  } finally {
    stop.abort();
    await pending;
    await events.return(undefined);
  }
}
