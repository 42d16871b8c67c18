import { and, asc, eq } from 'drizzle-orm';
import { afterEach, expect, it } from 'vitest';
import { DEMO_FLEET } from '@/demo/fleet';
import { SimulatedCluster } from '@/demo/simulated-cluster';
import { insertCluster, startGateway, type GatewayHarness } from '@/testing/gateway-fixtures';
import { waitFor } from '@/testing/wait-for';

let h: GatewayHarness | undefined;
let simulated: SimulatedCluster | undefined;
afterEach(async () => {
  await simulated?.stop();
  await h?.close();
});

it('the demo\'s flaky cluster turns Degraded, "Unstable connection", its drops in the connection history', async () => {
  const flaky = DEMO_FLEET.find((cluster) => cluster.flaky);
  if (!flaky) throw new Error('the demo fleet has no flaky cluster');
  h = await startGateway();
  const labelKeys = { nodePool: 'fleetdeck.io/node-pool', gpuType: 'fleetdeck.io/gpu-type' };
  const { clusterId, token } = await insertCluster(h.store, { name: flaky.name, provider: flaky.provider, nodePoolLabel: labelKeys.nodePool, gpuTypeLabel: labelKeys.gpuType });
  // The demo drops the link every 20–40 s; here every second or so, to see the same in seconds.
  simulated = await SimulatedCluster.start({
    cluster: flaky,
    labelKeys,
    controlPlaneUrl: h.baseUrl,
    token,
    registryHosts: [new URL(h.baseUrl).host],
    logWrite: () => undefined,
    flapEveryMs: { least: 800, most: 1_200 },
    agentReconnect: { healthyAfterMs: 500 },
  });

  const { clusters, connectionEvents } = h.store.tables;
  const row = await waitFor(
    async () => {
      const [cluster] = await h!.store.db.select().from(clusters).where(eq(clusters.id, clusterId));
      return cluster?.status === 'degraded' ? cluster : undefined;
    },
    45_000,
    'the flaky cluster Degraded',
  );
  expect(row.statusReasons[0]).toMatch(/^Unstable connection: \d+ reconnects in the last 15 min\.$/);
  const drops = await h.store.db
    .select({ reason: connectionEvents.reason })
    .from(connectionEvents)
    .where(and(eq(connectionEvents.clusterId, clusterId), eq(connectionEvents.kind, 'disconnected')))
    .orderBy(asc(connectionEvents.id));
  expect(drops.length).toBeGreaterThanOrEqual(4);
  expect(drops.every(({ reason }) => reason.startsWith('Connection lost: no close frame (1006)'))).toBe(true);
}, 60_000);
