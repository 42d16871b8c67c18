/**
 * The workspace reconciler: turns stored desired state into namespaces through each
 * cluster's agent, and records how that went.
 *
 * Desired state is always in the database first (the workspace service writes it and
 * publishes `workspace.changed`), so nothing here needs to survive a restart: whatever
 * is `pending` or `deleting` is applied when the cluster's agent is ready
 * (`agent.sessionReady`: after a disconnect, or a control-plane restart), when it
 * changes, and by a periodic sweep that catches anything an event missed.
 *
 * One worker per cluster at a time (a cluster's changes never race each other), a few
 * calls in flight per cluster, and a bounded number of clusters at once, so a fleet-wide
 * burst (every agent reconnecting) is worked through without flooding agents or the store.
 *
 * Outcomes for an apply of generation g:
 * - applied: applied_generation = g; Synced (sync error and drift cleared) only if the
 *   desired generation is still g: a late answer never marks a newer change synced;
 * - foreign namespace, Kubernetes error, agent too old: Failed with the reason;
 * - not connected, disconnected, deadline, busy: stays Pending, retried later.
 * Deleting: `workspace.remove`, then the row goes (also when the namespace was absent or
 * foreign: nothing of Fleetdeck's is left in the cluster).
 */
import { and, eq, lt, or } from 'drizzle-orm';
import type { AgentGateway } from '@/server/agent-gateway/client';
import { AgentCallError } from '@/server/agent-gateway/errors';
import type { EventBus } from '@/server/events/bus';
import { errorMessage, type Logger } from '@/server/logger';
import { tablesOf, type Store } from '@/server/store';
import { desiredNamespace } from './desired-namespace';
import { selectWorkspaceSpecs, type WorkspaceSpecRow } from './workspace-specs';

export interface WorkspaceReconcilerOptions {
  store: Store;
  bus: EventBus;
  gateway: Pick<AgentGateway, 'agentClient' | 'isConnected' | 'flush'>;
  log: Logger;
  /** How often every cluster with pending work is looked at, events aside. Default 60 s. */
  sweepMs?: number;
  /** Clusters worked on at once. Default 16. */
  maxConcurrentClusters?: number;
  /** Calls in flight to one agent. Default 4. */
  callsPerCluster?: number;
  /** How long one apply or remove may take. Default 15 s. */
  callDeadlineMs?: number;
}

export interface WorkspaceReconciler {
  /** Asks for a pass over the cluster's pending work (coalesced with one under way). */
  request(clusterId: number): void;
  /** Looks at every cluster with pending work now (what the timer does). */
  sweep(): Promise<void>;
  /** Resolves when no pass is running or queued (tests and benchmarks). */
  idle(): Promise<void>;
  /** No new passes; resolves when the ones under way have ended. */
  stop(): Promise<void>;
}

/** Workspaces read per pass; a pass that read this many runs again. */
const PASS_BATCH = 200;
/** Sync error text kept in the row. */
const MAX_ERROR_CHARS = 500;

const bounded = (text: string) => (text.length <= MAX_ERROR_CHARS ? text : `${text.slice(0, MAX_ERROR_CHARS - 1)}…`);

type Outcome =
  | { kind: 'done' }
  | { kind: 'failed'; message: string }
  /** Try again later: the agent could not be asked or did not answer. */
  | { kind: 'retry' };

/** What an agent call's failure means for the workspace. */
function outcomeOfError(error: unknown): Outcome {
  if (!(error instanceof AgentCallError)) throw error;
  switch (error.failure) {
    case 'not_connected':
    case 'disconnected':
    case 'busy':
    case 'deadline_exceeded':
      return { kind: 'retry' };
    case 'unknown_method':
      return { kind: 'failed', message: 'The agent in this cluster is older than workspaces and cannot apply them; upgrade the agent.' };
    case 'bad_result':
    case 'agent_error':
      // The agent's own deadline is a timeout like ours; anything else is Kubernetes' or the agent's word.
      return error.agentCode === 'deadline_exceeded' || error.agentCode === 'busy' ? { kind: 'retry' } : { kind: 'failed', message: bounded(error.message) };
  }
}

export function createWorkspaceReconciler(options: WorkspaceReconcilerOptions): WorkspaceReconciler {
  const { store, bus, gateway } = options;
  const log = options.log.child({ component: 'workspace-sync' });
  const maxClusters = options.maxConcurrentClusters ?? 16;
  const callsPerCluster = options.callsPerCluster ?? 4;
  const deadlineMs = options.callDeadlineMs ?? 15_000;
  const { workspaces } = store.tables;

  let stopped = false;
  /** Clusters with a pass running; `true` when another was asked for meanwhile. */
  const running = new Map<number, boolean>();
  const queued: number[] = [];
  const queuedSet = new Set<number>();
  const passes = new Set<Promise<void>>();
  /**
   * Clusters that may have Pending or Deleting workspaces, so that 2,000 agents
   * reconnecting at once cost no query for the clusters with nothing to do. Loaded at
   * start and by every sweep; until the first load, every ready agent is looked at.
   */
  const withWork = new Set<number>();
  let withWorkLoaded = false;
  let idleWaiters: Array<() => void> = [];

  const publish = (clusterId: number, workspaceId: number, status: string) =>
    bus.publish({ type: 'sync.statusChanged', clusterId, resource: 'workspace', resourceId: String(workspaceId), status });

  /** Applies one workspace; false when it is left Pending to retry. */
  const apply = async (row: WorkspaceSpecRow): Promise<boolean> => {
    const generation = row.desiredGeneration;
    const desired = desiredNamespace(row);
    let outcome: Outcome;
    try {
      const result = await gateway
        .agentClient(row.clusterId)
        .call('workspace.apply', { ...desired, generation }, { deadlineMs });
      outcome =
        result.outcome === 'applied'
          ? { kind: 'done' }
          : { kind: 'failed', message: bounded(result.message ?? `Namespace "${row.name}" exists and is not managed by Fleetdeck.`) };
    } catch (error) {
      outcome = outcomeOfError(error);
    }
    if (outcome.kind === 'retry') return false;
    // The agent sent what its watches saw of this apply before answering, but the gateway
    // batches reports while answers come straight here: store those reports first, so
    // they are judged as Pending (and Synced below clears the drift), never as a late
    // report against the new Synced state (a stale "Namespace deleted in the cluster"
    // that no later report would correct).
    if (outcome.kind === 'done') await gateway.flush();
    const now = new Date();
    const status = await store.transaction(async (tx) => {
      const t = tablesOf(tx).workspaces;
      if (outcome.kind === 'done') {
        await tx
          .update(t)
          .set({ appliedGeneration: generation })
          .where(and(eq(t.id, row.id), lt(t.appliedGeneration, generation)));
        // Only the generation asked for, and only while it is still the one wanted and not being deleted.
        const synced = await tx
          .update(t)
          .set({ syncState: 'synced', syncedAt: now, syncError: null, drift: null })
          .where(and(eq(t.id, row.id), eq(t.desiredGeneration, generation), eq(t.syncState, 'pending')))
          .returning({ id: t.id });
        return synced.length > 0 ? 'synced' : undefined;
      }
      const failed = await tx
        .update(t)
        .set({ syncState: 'failed', syncError: outcome.message })
        .where(and(eq(t.id, row.id), eq(t.desiredGeneration, generation), eq(t.syncState, 'pending')))
        .returning({ id: t.id });
      return failed.length > 0 ? 'failed' : undefined;
    });
    if (status) publish(row.clusterId, row.id, status);
    if (outcome.kind === 'failed') log.info('workspace apply failed', { workspaceId: row.id, clusterId: row.clusterId, reason: outcome.message });
    return true;
  };

  /** Removes one workspace's namespace and row; false when it is left to retry. */
  const remove = async (row: WorkspaceSpecRow): Promise<boolean> => {
    let outcome: Outcome;
    try {
      await gateway.agentClient(row.clusterId).call('workspace.remove', { name: row.name }, { deadlineMs });
      // Removed, already absent, or foreign (never Fleetdeck's): nothing of ours is left.
      outcome = { kind: 'done' };
    } catch (error) {
      outcome = outcomeOfError(error);
    }
    if (outcome.kind === 'retry') return false;
    const gone = await store.transaction(async (tx) => {
      const t = tablesOf(tx).workspaces;
      if (outcome.kind === 'done') {
        const deleted = await tx.delete(t).where(and(eq(t.id, row.id), eq(t.syncState, 'deleting'))).returning({ id: t.id });
        return deleted.length > 0;
      }
      // Still deleting (retried by the sweep), with Kubernetes' reason to show meanwhile.
      await tx.update(t).set({ syncError: outcome.message }).where(and(eq(t.id, row.id), eq(t.syncState, 'deleting')));
      return false;
    });
    publish(row.clusterId, row.id, gone ? 'deleted' : 'deleting');
    return gone;
  };

  /** One pass over a cluster's pending work; true when there may be more. */
  const pass = async (clusterId: number): Promise<boolean> => {
    if (!gateway.isConnected(clusterId)) return false;
    const rows = await selectWorkspaceSpecs(store.db, clusterId, { states: ['pending', 'deleting'], limit: PASS_BATCH });
    let next = 0;
    let unsettled = 0;
    const lane = async () => {
      while (!stopped && next < rows.length) {
        const row = rows[next++];
        if (!row) break;
        try {
          if (!(await (row.syncState === 'deleting' ? remove(row) : apply(row)))) unsettled++;
        } catch (error) {
          unsettled++;
          log.error('workspace reconcile failed', { workspaceId: row.id, clusterId, error: errorMessage(error) });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(callsPerCluster, rows.length) }, lane));
    const more = rows.length === PASS_BATCH;
    if (unsettled === 0 && !more && !stopped) withWork.delete(clusterId);
    else withWork.add(clusterId);
    return more && gateway.isConnected(clusterId);
  };

  const settleIfIdle = () => {
    if (running.size === 0 && queued.length === 0) {
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  };

  const startNext = (): void => {
    while (!stopped && running.size < maxClusters && queued.length > 0) {
      const clusterId = queued.shift() as number;
      queuedSet.delete(clusterId);
      running.set(clusterId, false);
      const work = (async () => {
        try {
          let again = true;
          while (again && !stopped) {
            running.set(clusterId, false);
            const more = await pass(clusterId);
            again = more || running.get(clusterId) === true;
          }
        } catch (error) {
          log.error('workspace pass failed', { clusterId, error: errorMessage(error) });
        } finally {
          running.delete(clusterId);
        }
      })();
      passes.add(work);
      void work.finally(() => {
        passes.delete(work);
        startNext();
        settleIfIdle();
      });
    }
    settleIfIdle();
  };

  const request = (clusterId: number): void => {
    if (stopped) return;
    if (running.has(clusterId)) {
      running.set(clusterId, true);
      return;
    }
    if (queuedSet.has(clusterId)) return;
    queued.push(clusterId);
    queuedSet.add(clusterId);
    startNext();
  };

  const sweep = async (): Promise<void> => {
    if (stopped) return;
    const rows = await store.db
      .selectDistinct({ clusterId: workspaces.clusterId })
      .from(workspaces)
      .where(or(eq(workspaces.syncState, 'pending'), eq(workspaces.syncState, 'deleting')));
    for (const { clusterId } of rows) withWork.add(clusterId);
    withWorkLoaded = true;
    for (const { clusterId } of rows) if (gateway.isConnected(clusterId)) request(clusterId);
  };

  const unsubscribes = [
    bus.subscribe('workspace.changed', (event) => {
      withWork.add(event.clusterId);
      request(event.clusterId);
    }),
    bus.subscribe('agent.sessionReady', (event) => {
      if (!withWorkLoaded || withWork.has(event.clusterId)) request(event.clusterId);
    }),
  ];
  let sweeping: Promise<void> = Promise.resolve();
  const sweepNow = () => {
    sweeping = sweep().catch((error: unknown) => log.error('workspace sweep failed', { error: errorMessage(error) }));
  };
  sweepNow();
  const timer = setInterval(sweepNow, options.sweepMs ?? 60_000);
  timer.unref();

  return {
    request,
    sweep,
    idle() {
      if (running.size === 0 && queued.length === 0) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      for (const unsubscribe of unsubscribes) unsubscribe();
      queued.length = 0;
      queuedSet.clear();
      await Promise.all([...passes, sweeping]);
      settleIfIdle();
    },
  };
}
