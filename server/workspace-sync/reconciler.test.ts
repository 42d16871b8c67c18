/**
 * The reconciler's bookkeeping with an agent whose answers the test holds back: a late
 * answer for an old generation must not mark a newer one synced, and a call that does
 * not get through leaves the workspace Pending.
 */
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentMethod, AgentMethodParams } from '@/lib/agent-protocol';
import { AgentCallError, type AgentClient } from '@/server/agent-gateway/client';
import { createInProcessBus, type DomainEvent } from '@/server/events/bus';
import { silentLogger } from '@/server/logger';
import type { Store } from '@/server/store';
import { insertCluster } from '@/testing/gateway-fixtures';
import { openTestStore } from '@/testing/test-store';
import { waitFor } from '@/testing/wait-for';
import { createWorkspaceReconciler, type WorkspaceReconciler } from './reconciler';

interface HeldCall {
  method: AgentMethod;
  params: AgentMethodParams<'workspace.apply'>;
  answer(result: unknown): void;
  fail(error: unknown): void;
}

let store: Store;
let reconciler: WorkspaceReconciler;
let calls: HeldCall[];
let connected: boolean;
const events: DomainEvent[] = [];
const bus = createInProcessBus((error) => {
  throw error;
});
bus.subscribe('sync.statusChanged', (event) => void events.push(event));

const client: AgentClient = {
  call: (method, params) =>
    new Promise((resolve, reject) => {
      calls.push({ method, params: params as AgentMethodParams<'workspace.apply'>, answer: resolve as (r: unknown) => void, fail: reject });
    }),
};

beforeEach(async () => {
  calls = [];
  connected = true;
  events.length = 0;
  store = await openTestStore();
  reconciler = createWorkspaceReconciler({
    store,
    bus,
    log: silentLogger,
    gateway: { agentClient: () => client, isConnected: () => connected, flush: async () => undefined },
  });
});

afterEach(async () => {
  for (const call of calls) call.fail(new AgentCallError('disconnected', 'test over'));
  await reconciler.stop();
  await store.close();
});

async function insertWorkspace(): Promise<{ id: number; clusterId: number }> {
  const { clusterId } = await insertCluster(store, { name: 'gpu-east' });
  const { environments, workspaces } = store.tables;
  return store.transaction(async (tx) => {
    const [env] = await tx.insert(environments).values({ name: 'dev', color: '#22c55e' }).returning({ id: environments.id });
    const [row] = await tx
      .insert(workspaces)
      .values({ clusterId, environmentId: env?.id ?? 0, name: 'team-a', quota: { cpu: '2' } })
      .returning({ id: workspaces.id });
    return { id: row?.id ?? 0, clusterId };
  });
}

async function row(id: number) {
  const { workspaces } = store.tables;
  const [found] = await store.db.select().from(workspaces).where(eq(workspaces.id, id));
  return found;
}

describe('workspace reconciler', () => {
  it('a late answer for generation 1 records it as applied but does not mark generation 2 synced', async () => {
    const { id, clusterId } = await insertWorkspace();
    reconciler.request(clusterId);
    const first = await waitFor(() => calls[0], 2_000, 'first apply sent');
    expect(first).toMatchObject({ method: 'workspace.apply', params: { name: 'team-a', generation: 1, quota: { cpu: '2' } } });
    expect(first.params.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'fleetdeck', 'fleetdeck.io/environment': 'dev' });

    // An edit lands while generation 1 is in flight.
    const { workspaces } = store.tables;
    await store.transaction((tx) => tx.update(workspaces).set({ quota: { cpu: '4' }, desiredGeneration: 2 }).where(eq(workspaces.id, id)));
    reconciler.request(clusterId);

    first.answer({ outcome: 'applied' });
    const second = await waitFor(() => calls[1], 2_000, 'second apply sent');
    expect(await row(id)).toMatchObject({ syncState: 'pending', appliedGeneration: 1, desiredGeneration: 2, syncedAt: null });
    expect(second.params).toMatchObject({ generation: 2, quota: { cpu: '4' } });

    second.answer({ outcome: 'applied' });
    await reconciler.idle();
    expect(await row(id)).toMatchObject({ syncState: 'synced', appliedGeneration: 2, desiredGeneration: 2 });
    expect(events.filter((e) => e.type === 'sync.statusChanged').map((e) => e.type === 'sync.statusChanged' && e.status)).toEqual(['synced']);
  });

  it('stays Pending when the agent does not answer in time, and fails with Kubernetes’ words on an error', async () => {
    const { id, clusterId } = await insertWorkspace();
    reconciler.request(clusterId);
    (await waitFor(() => calls[0], 2_000)).fail(new AgentCallError('deadline_exceeded', 'no answer in 15000 ms'));
    await reconciler.idle();
    expect(await row(id)).toMatchObject({ syncState: 'pending', syncError: null });

    reconciler.request(clusterId);
    (await waitFor(() => calls[1], 2_000)).fail(
      new AgentCallError('agent_error', 'Kubernetes API: HTTP 403: resourcequotas is forbidden', 'upstream_error'),
    );
    await reconciler.idle();
    expect(await row(id)).toMatchObject({ syncState: 'failed', syncError: 'Kubernetes API: HTTP 403: resourcequotas is forbidden' });
  });

  it('asks nothing of a disconnected cluster; the sweep picks its work up once it is connected', async () => {
    const { id, clusterId } = await insertWorkspace();
    connected = false;
    await reconciler.sweep();
    reconciler.request(clusterId);
    await reconciler.idle();
    expect(calls).toHaveLength(0);
    connected = true;
    await reconciler.sweep();
    (await waitFor(() => calls[0], 2_000)).answer({ outcome: 'applied' });
    await reconciler.idle();
    expect((await row(id))?.syncState).toBe('synced');
  });
});
