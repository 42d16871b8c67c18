import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import type { AddonStateView } from '@/lib/addons/addon-state';
import type { Store } from '@/server/store';
import { openTestStore } from '@/testing/test-store';
import { deriveClusterStatus, refreshClusterStatus, type ClusterStatusFacts } from './cluster-status';

const lastSeen = new Date('2026-11-23T06:00:00Z');
const pass = { status: 'pass' as const, detail: 'Kubernetes v1.30.2' };
const failStorage = { status: 'fail' as const, detail: 'No default StorageClass' };
const failLabels = { status: 'fail' as const, detail: '2 GPU nodes lack fleetdeck.io/gpu-type: gpu-7, gpu-9' };
const unknownPrometheus = { status: 'unknown' as const, detail: 'Prometheus did not answer /-/ready' };

const addon = (state: AddonStateView['state'], name = 'NVIDIA GPU Operator'): AddonStateView => ({
  addonId: 'gpu-operator',
  name,
  enabled: state === 'conflict' || state === 'will-install' || state === 'installed',
  state,
  detail: state === 'conflict' ? 'Turned on here but already running outside Fleetdeck (CRD clusterpolicies.nvidia.com).' : 'fine',
});

const base: ClusterStatusFacts = {
  connection: 'connected',
  lastSeenAt: lastSeen,
  preflight: [pass],
  addons: [],
  recentReconnects: 0,
  notReadyNodes: { names: [], count: 0 },
};
const notReady = (count: number, ...names: string[]) => ({ notReadyNodes: { names, count } });

describe('deriveClusterStatus', () => {
  // Expected reasons may be asymmetric matchers, hence `unknown[]`.
  it.each<[string, Partial<ClusterStatusFacts>, { status: string; reasons: unknown[] }]>([
    ['no agent yet', { connection: 'never', preflight: null, lastSeenAt: null }, { status: 'awaiting_agent', reasons: [] }],
    ['no agent yet, whatever else is known', { connection: 'never', preflight: [failStorage] }, { status: 'awaiting_agent', reasons: [] }],
    ['connected, all checks pass', {}, { status: 'connected', reasons: [] }],
    ['connected before the first snapshot', { preflight: null }, { status: 'connected', reasons: [] }],
    ['an unknown check is not a failure', { preflight: [pass, unknownPrometheus] }, { status: 'connected', reasons: [] }],
    ['a failing check', { preflight: [pass, failStorage] }, { status: 'degraded', reasons: ['No default StorageClass'] }],
    [
      'two failing checks, in report order',
      { preflight: [failLabels, pass, failStorage] },
      { status: 'degraded', reasons: [failLabels.detail, failStorage.detail] },
    ],
    [
      'an addon conflict',
      { addons: [addon('installed', 'Argo CD'), addon('conflict')] },
      {
        status: 'degraded',
        reasons: ['NVIDIA GPU Operator: Turned on here but already running outside Fleetdeck (CRD clusterpolicies.nvidia.com).'],
      },
    ],
    [
      'provider-managed, installed and will-install are not conflicts',
      { addons: [addon('provider-managed'), addon('installed', 'Argo CD'), addon('will-install', 'KEDA'), addon('off', 'Grafana')] },
      { status: 'connected', reasons: [] },
    ],
    [
      'failing checks and a conflict together',
      { preflight: [failStorage], addons: [addon('conflict')] },
      { status: 'degraded', reasons: ['No default StorageClass', expect.stringMatching(/^NVIDIA GPU Operator: /)] },
    ],
    [
      'disconnected: says since when, and keeps the last-known problems after it',
      { connection: 'disconnected', preflight: [failStorage] },
      {
        status: 'disconnected',
        reasons: [
          'The agent has not been heard from since 23 Nov 2026, 06:00 UTC; the data shown is its last report.',
          'No default StorageClass',
        ],
      },
    ],
    ['three reconnects in the window are not yet a flap', { recentReconnects: 3 }, { status: 'connected', reasons: [] }],
    [
      'more than three reconnects: an unstable connection, counted',
      { recentReconnects: 4 },
      { status: 'degraded', reasons: ['Unstable connection: 4 reconnects in the last 15 min.'] },
    ],
    ['one NotReady node, named', notReady(1, 'gpu-a-3'), { status: 'degraded', reasons: ['Node gpu-a-3 is NotReady'] }],
    ['two NotReady nodes, both named', notReady(2, 'a', 'b'), { status: 'degraded', reasons: ['Nodes a and b are NotReady'] }],
    ['five NotReady nodes: two named, the rest counted', notReady(5, 'a', 'b'), { status: 'degraded', reasons: ['Nodes a, b and 3 more are NotReady'] }],
    [
      'flapping, NotReady nodes and a failing check: connection first, then nodes, then checks',
      { recentReconnects: 6, preflight: [failStorage], ...notReady(1, 'gpu-a-3') },
      {
        status: 'degraded',
        reasons: ['Unstable connection: 6 reconnects in the last 15 min.', 'Node gpu-a-3 is NotReady', 'No default StorageClass'],
      },
    ],
    [
      'disconnected while flapping: the disconnect first, the instability kept after it',
      { connection: 'disconnected', recentReconnects: 5, lastSeenAt: new Date('2026-11-23T14:03:59Z') },
      {
        status: 'disconnected',
        reasons: [
          'The agent has not been heard from since 23 Nov 2026, 14:03 UTC; the data shown is its last report.',
          'Unstable connection: 5 reconnects in the last 15 min.',
        ],
      },
    ],
    [
      'disconnected with nothing else wrong',
      { connection: 'disconnected', lastSeenAt: null },
      { status: 'disconnected', reasons: ['The agent has not been heard from; the data shown is its last report.'] },
    ],
  ])('%s', (_label, facts, expected) => {
    expect(deriveClusterStatus({ ...base, ...facts })).toEqual(expected);
  });
});

describe('refreshClusterStatus', () => {
  let store: Store | undefined;
  afterEach(async () => {
    await store?.close();
    store = undefined;
  });

  async function setup(provider: 'coreweave-cks' | 'aws-eks', addons: Record<string, boolean>) {
    store = await openTestStore();
    const { clusters, clusterReports } = store.tables;
    const id = await store.transaction(async (tx) => {
      const [cluster] = await tx
        .insert(clusters)
        .values({
          name: 'cw-east',
          provider,
          region: 'US-EAST-04',
          prometheusUrl: 'http://prometheus:9090',
          nodePoolLabel: 'pool',
          gpuTypeLabel: 'gpu',
          addons,
          connectedAt: new Date(),
          lastSeenAt: new Date(),
        })
        .returning({ id: clusters.id });
      if (!cluster) throw new Error('setup: no cluster');
      await tx.insert(clusterReports).values({
        clusterId: cluster.id,
        components: [{ id: 'gpu-operator', managedByFleetdeck: false, evidence: 'CRD clusterpolicies.nvidia.com' }],
        preflight: [{ id: 'kubernetes-version', status: 'pass', detail: 'v1.30' }],
      });
      return cluster.id;
    });
    return { store, id };
  }

  async function storedCluster(store: Store, id: number) {
    const { clusters } = store.tables;
    const [row] = await store.db.select().from(clusters).where(eq(clusters.id, id));
    return row;
  }

  const now = new Date('2026-11-23T07:00:00Z');

  it('marks a CoreWeave cluster with the GPU Operator turned on Degraded, naming the addon, and stamps the change', async () => {
    const { store, id } = await setup('coreweave-cks', { 'gpu-operator': true });
    const derived = await store.transaction((tx) => refreshClusterStatus(tx, id, now));
    const row = await storedCluster(store, id);
    expect(derived?.status).toBe('degraded');
    expect(row?.status).toBe('degraded');
    expect(row?.statusReasons).toHaveLength(1);
    expect(row?.statusReasons[0]).toMatch(/^NVIDIA GPU Operator: .*already running outside Fleetdeck/);
    expect(row?.updatedAt).toEqual(now);
  });

  it('leaves a CoreWeave cluster that keeps the GPU Operator off (the default) Connected', async () => {
    const { store, id } = await setup('coreweave-cks', {});
    await expect(store.transaction((tx) => refreshClusterStatus(tx, id, now))).resolves.toEqual({ status: 'connected', reasons: [], changed: true });
    expect((await storedCluster(store, id))?.status).toBe('connected');
  });

  it('does not write when the derived status is what is stored', async () => {
    const { store, id } = await setup('coreweave-cks', {});
    await store.transaction((tx) => refreshClusterStatus(tx, id, now));
    const later = new Date('2026-11-23T08:00:00Z');
    await store.transaction((tx) => refreshClusterStatus(tx, id, later));
    expect((await storedCluster(store, id))?.updatedAt).toEqual(now);
  });

  /** Connection events at these minutes before `now` (negative: earlier). */
  async function connectionHistory(store: Store, id: number, events: [kind: 'connected' | 'disconnected', minutesBeforeNow: number][]) {
    const { connectionEvents } = store.tables;
    await store.transaction(async (tx) => {
      await tx.insert(connectionEvents).values(
        events.map(([kind, minutes]) => ({ clusterId: id, kind, at: new Date(now.getTime() - minutes * 60_000), reason: '' })),
      );
    });
  }

  it('reads reconnects from the connection history: more than three in 15 minutes is an unstable connection', async () => {
    const { store, id } = await setup('coreweave-cks', {});
    await connectionHistory(store, id, [
      ['connected', 60],
      ['disconnected', 14],
      ['connected', 14],
      ['disconnected', 10],
      ['connected', 10],
      ['disconnected', 6],
      ['connected', 6],
      ['disconnected', 1],
      ['connected', 1],
    ]);
    const derived = await store.transaction((tx) => refreshClusterStatus(tx, id, now));
    expect(derived).toMatchObject({ status: 'degraded', reasons: ['Unstable connection: 4 reconnects in the last 15 min.'], changed: true });
    expect((await storedCluster(store, id))?.statusReasons).toEqual(['Unstable connection: 4 reconnects in the last 15 min.']);

    // Once the oldest of them leaves the window, three are left: the flag clears by itself.
    const quieter = new Date(now.getTime() + 2 * 60_000);
    await expect(store.transaction((tx) => refreshClusterStatus(tx, id, quieter))).resolves.toEqual({
      status: 'connected',
      reasons: [],
      changed: true,
    });
  });

  it('does not count a new cluster\'s first connection as a reconnect', async () => {
    const { store, id } = await setup('coreweave-cks', {});
    await connectionHistory(store, id, [
      ['connected', 12],
      ['disconnected', 9],
      ['connected', 9],
      ['disconnected', 6],
      ['connected', 6],
      ['disconnected', 3],
      ['connected', 3],
    ]);
    await expect(store.transaction((tx) => refreshClusterStatus(tx, id, now))).resolves.toMatchObject({ status: 'connected' });
    await connectionHistory(store, id, [
      ['disconnected', 1],
      ['connected', 1],
    ]);
    await expect(store.transaction((tx) => refreshClusterStatus(tx, id, now))).resolves.toMatchObject({
      status: 'degraded',
      reasons: ['Unstable connection: 4 reconnects in the last 15 min.'],
    });
  });

  it('names NotReady nodes from the stored nodes, the first two by name and the rest counted', async () => {
    const { store, id } = await setup('coreweave-cks', {});
    const { clusterNodes } = store.tables;
    const node = (name: string, ready: boolean) => ({ clusterId: id, name, ready });
    await store.transaction(async (tx) => {
      await tx.insert(clusterNodes).values([node('gpu-c', false), node('gpu-a', false), node('cpu-1', true), node('gpu-d', false), node('gpu-b', false)]);
    });
    await expect(store.transaction((tx) => refreshClusterStatus(tx, id, now))).resolves.toMatchObject({
      status: 'degraded',
      reasons: ['Nodes gpu-a, gpu-b and 2 more are NotReady'],
    });
    await store.transaction(async (tx) => {
      await tx.update(clusterNodes).set({ ready: true }).where(eq(clusterNodes.clusterId, id));
      await tx.update(clusterNodes).set({ ready: false }).where(eq(clusterNodes.name, 'gpu-d'));
    });
    await expect(store.transaction((tx) => refreshClusterStatus(tx, id, now))).resolves.toMatchObject({
      status: 'degraded',
      reasons: ['Node gpu-d is NotReady'],
    });
  });

  it('returns null for a cluster that no longer exists', async () => {
    const { store } = await setup('aws-eks', {});
    await expect(store.transaction((tx) => refreshClusterStatus(tx, 999, now))).resolves.toBeNull();
  });
});
