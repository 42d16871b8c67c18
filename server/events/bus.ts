/**
 * Domain events, in process. Services and the gateway publish after their change has
 * committed; live views (tRPC subscriptions over SSE) and later reconcilers subscribe.
 * `EventBus` is the seam: a NATS-backed bus for several replicas implements the same
 * interface.
 */

export type DomainEvent =
  /** Stored cluster state changed: agent reports, settings, status, attach, detach. */
  | { type: 'cluster.changed'; clusterIds: readonly number[] }
  /** An agent's WebSocket session was accepted. */
  | { type: 'agent.sessionOpened'; clusterId: number }
  /** The session's first snapshot is stored: the cluster's desired state can be reconciled now. */
  | { type: 'agent.sessionReady'; clusterId: number }
  | { type: 'agent.sessionClosed'; clusterId: number; reason: string }
  /**
   * Workspaces' desired state changed (created, edited, deleted, re-apply asked): the
   * workspace reconciler applies the pending ones of connected clusters.
   */
  | { type: 'workspace.changed'; clusterId: number; workspaceIds: readonly number[] }
  /** Agents' pushed metric summaries were stored (server/agent-gateway/summary-sql.ts): fleet pages refetch. */
  | { type: 'metrics.summaryChanged'; clusterIds: readonly number[] }
  /** A desired-state object's sync status moved (Pending → Synced / Failed, drift found). */
  | { type: 'sync.statusChanged'; clusterId: number; resource: string; resourceId: string; status: string };

export type DomainEventType = DomainEvent['type'];
export type EventOf<T extends DomainEventType> = Extract<DomainEvent, { type: T }>;

export interface EventBus {
  publish(event: DomainEvent): void;
  /** Calls `handler` for every event of `type`; returns the unsubscribe function. */
  subscribe<T extends DomainEventType>(type: T, handler: (event: EventOf<T>) => void): () => void;
}

type Handler = (event: DomainEvent) => void;

export function createInProcessBus(onHandlerError: (error: unknown, event: DomainEvent) => void): EventBus {
  const handlers = new Map<DomainEventType, Set<Handler>>();
  return {
    publish(event) {
      for (const handler of handlers.get(event.type) ?? []) {
        try {
          handler(event);
        } catch (error) {
          // One broken subscriber must not stop the others or the publisher.
          onHandlerError(error, event);
        }
      }
    },
    subscribe(type, handler) {
      const set = handlers.get(type) ?? new Set<Handler>();
      handlers.set(type, set);
      set.add(handler as Handler);
      return () => set.delete(handler as Handler);
    },
  };
}

/**
 * The events of the given types as an async iterable that ends with `signal`: what a
 * tRPC subscription yields. Events arriving faster than the consumer reads are queued,
 * up to `maxQueued`; past that the oldest are dropped (a live view needs the latest).
 */
export async function* eventStream<T extends DomainEventType>(
  bus: EventBus,
  types: readonly T[],
  signal: AbortSignal | undefined,
  maxQueued = 256,
): AsyncGenerator<EventOf<T>> {
  const queue: EventOf<T>[] = [];
  let wake: (() => void) | undefined;
  const unsubscribes = types.map((type) =>
    bus.subscribe(type, (event) => {
      queue.push(event);
      if (queue.length > maxQueued) queue.shift();
      wake?.();
    }),
  );
  const onAbort = () => wake?.();
  signal?.addEventListener('abort', onAbort);
  try {
    while (!signal?.aborted) {
      const next = queue.shift();
      if (next) {
        yield next;
        continue;
      }
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    for (const unsubscribe of unsubscribes) unsubscribe();
  }
}
