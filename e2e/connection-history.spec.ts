/**
 * Connection history in the browser: a cluster whose link keeps dropping (the demo's
 * flaky cluster, its link cut every couple of seconds instead of every 15–30 s) turns
 * Degraded, "Unstable connection", on a page that is already open, and its history lists
 * the drops and the reconnects.
 */
import { DEFAULT_GPU_TYPE_LABEL, DEFAULT_NODE_POOL_LABEL } from '@/testing/kube-objects';
import { DEMO_FLEET } from '@/demo/fleet';
import { SimulatedCluster } from '@/demo/simulated-cluster';
import { E2E_PORT } from './env';
import { expect, test } from './fixtures';
import { AttachClusterPage, ClusterPage } from './pages/clusters-pages';

test('a flapping cluster turns Degraded, "Unstable connection", and its history lists the reconnects', async ({ adminPage, baseURL }) => {
  test.setTimeout(120_000);
  const flaky = DEMO_FLEET.find((cluster) => cluster.flaky);
  if (!flaky) throw new Error('the demo fleet has no flaky cluster');
  const name = 'fs-flap-e2e';
  const attach = new AttachClusterPage(adminPage);
  await attach.goto();
  await attach.fill({ name, provider: 'Fluidstack', region: 'eu-north', environments: ['dev'] });
  await attach.submit();
  await expect(attach.tokenField()).toHaveValue(/^fdct_/);
  const token = await attach.tokenField().inputValue();

  // The page is open before the agent exists: everything after arrives pushed.
  const page = new ClusterPage(adminPage);
  await page.goto(name);
  const history = adminPage.getByRole('region', { name: 'Connection history' });
  await expect(history.getByText('No connections yet')).toBeVisible();
  await adminPage.evaluate(() => Object.assign(window, { fleetdeckNoReload: true }));

  const simulated = await SimulatedCluster.start({
    cluster: { ...flaky, name },
    labelKeys: { nodePool: DEFAULT_NODE_POOL_LABEL, gpuType: DEFAULT_GPU_TYPE_LABEL },
    controlPlaneUrl: baseURL ?? `http://127.0.0.1:${E2E_PORT}`,
    token,
    registryHosts: [`127.0.0.1:${E2E_PORT}`],
    logWrite: () => undefined,
    flapEveryMs: { least: 1_500, most: 2_500 },
    agentReconnect: { healthyAfterMs: 1_000 },
  });
  try {
    // More than three reconnects within 15 minutes: the flag, with the count, in the history panel…
    await expect(history.getByRole('status')).toContainText(/Unstable connection: \d+ reconnects in the last 15 min/, { timeout: 90_000 });
    // …and the cluster's own status, Degraded with that reason, in the page's header.
    await expect(adminPage.getByText('Degraded', { exact: true }).first()).toBeVisible();
    await expect(adminPage.getByText(/^Unstable connection: \d+ reconnects in the last 15 min\.$/).first()).toBeVisible();

    const events = history.getByRole('list', { name: 'Connects and disconnects, newest first' }).getByRole('listitem');
    await expect.poll(() => events.filter({ hasText: 'Connection lost: no close frame (1006)' }).count()).toBeGreaterThanOrEqual(4);
    // A connect after each drop (the first connect is not a reconnect).
    await expect.poll(() => events.filter({ hasText: /Agent .* connected/ }).count()).toBeGreaterThanOrEqual(5);
    // Times in the one readable format, never raw ISO.
    await expect(events.first().locator('time')).toHaveText(/^\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2}:\d{2} UTC$/);
    await expect(history.getByRole('definition').first()).toHaveText(/%$/);
    expect(await adminPage.evaluate(() => 'fleetdeckNoReload' in window), 'the page never reloaded').toBe(true);
  } finally {
    await simulated.stop();
  }
});
