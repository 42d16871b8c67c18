/**
 * The agent on the real path, seen from the browser: attach in the UI, run the real
 * agent with the token shown, against a simulated Kubernetes API on loopback, and watch
 * the page follow the cluster live.
 */
import { buildGpuNode, DEFAULT_GPU_TYPE_LABEL, DEFAULT_NODE_POOL_LABEL } from '@/testing/kube-objects';
import { DEMO_FLEET, type DemoCluster } from '@/demo/fleet';
import { SimulatedCluster } from '@/demo/simulated-cluster';
import { E2E_PORT } from './env';
import { expect, test } from './fixtures';
import { AttachClusterPage, ClusterPage } from './pages/clusters-pages';

test.describe('live attach progress', () => {
  test('a real agent dials in: the panel goes Awaiting agent → Connected → snapshot → preflight without a reload; stale once it stops', async ({
    adminPage,
    baseURL,
  }) => {
    const name = 'cw-live-e2e';
    const attach = new AttachClusterPage(adminPage);
    await attach.goto();
    await attach.fill({ name, provider: 'CoreWeave CKS', region: 'US-EAST-04', environments: ['dev'] });
    const statusRequests: string[] = [];
    const subscriptions: string[] = [];
    adminPage.on('request', (request) => {
      const url = request.url();
      if (!url.includes('/api/trpc/')) return;
      if (url.includes('clusters.onChange')) subscriptions.push(url);
      else if (/clusters\.(attachStatus|get)\b/.test(url)) statusRequests.push(url);
    });
    await attach.submit();
    await expect(attach.tokenField()).toHaveValue(/^fdct_/);
    const token = await attach.tokenField().inputValue();
    const panel = adminPage.getByRole('complementary').filter({ has: adminPage.getByRole('heading', { name: 'Live status' }) });
    await expect(panel.getByText('Agent connected: in progress')).toBeAttached();
    // A reload would wipe this mark; it must survive until the panel shows Connected.
    await adminPage.evaluate(() => Object.assign(window, { fleetdeckNoReload: true }));

    // The panel is pushed, not polled: it holds an event stream open, and while nothing
    // happens it asks the server for nothing. (A quiet interval is the only way to observe
    // an absence: a 1-second poll would make three requests in it; the stream's opening
    // message may cause one refetch.)
    await expect.poll(() => subscriptions.length).toBeGreaterThan(0);
    statusRequests.length = 0;
    await adminPage.waitForTimeout(3_000);
    expect(statusRequests.length, 'no status polling while nothing changes').toBeLessThanOrEqual(1);

    // The real agent against a simulated Kubernetes API: the demo's CoreWeave cluster, smaller.
    const coreweave = DEMO_FLEET.find((c) => c.provider === 'coreweave-cks');
    if (!coreweave) throw new Error('the demo fleet has no CoreWeave cluster');
    const cluster: DemoCluster = {
      ...coreweave,
      name,
      pools: [
        { name: 'cpu', count: 2, cpu: 64, memoryGi: 256 },
        { name: 'h200', count: 4, gpuType: 'H200', gpusPerNode: 8 },
      ],
    };
    const simulated = await SimulatedCluster.start({
      cluster,
      labelKeys: { nodePool: DEFAULT_NODE_POOL_LABEL, gpuType: DEFAULT_GPU_TYPE_LABEL },
      controlPlaneUrl: baseURL ?? `http://127.0.0.1:${E2E_PORT}`,
      token,
      registryHosts: [`127.0.0.1:${E2E_PORT}`],
      logWrite: () => undefined,
    });
    try {
      await expect(panel.getByText('Agent connected: done')).toBeAttached({ timeout: 20_000 });
      await expect(panel.getByText('Snapshot received: done')).toBeAttached({ timeout: 20_000 });
      // Turned by pushed events: refetches followed them, and the page never reloaded.
      expect(statusRequests.length, 'the panel refetched when told').toBeGreaterThan(0);
      expect(await adminPage.evaluate(() => 'fleetdeckNoReload' in window), 'the page never reloaded').toBe(true);
      await expect(panel.getByText('6 / 6 Ready; GPUs: H200 × 32.')).toBeVisible();
      await expect(panel.getByText('Kubernetes 1.28 or newer (Verified by the agent)')).toBeAttached();
      await expect(panel.getByText('Connected', { exact: true })).toBeVisible();

      // The provider's GPU Operator is found running and ours is off: no conflict.
      const page = new ClusterPage(adminPage);
      await page.goto(name);
      await page.tab('Addons').click();
      await expect(adminPage.getByText('Provider-managed')).toBeVisible();
      await page.tab('Overview').click();
      const pools = adminPage.getByRole('table', { name: 'Node pools' });
      await expect(pools).toContainText('H200');

      // Changes on the cluster reach the page through watch → delta → gateway, without a reload.
      simulated.kube.addNode(
        buildGpuNode({ name: `${name}-h200-05`, nodePool: 'h200', gpuType: 'H200', gpus: 8 }),
      );
      const h200 = pools.getByRole('row').filter({ hasText: 'H200' });
      // Columns: pool, GPU type, nodes, ready, GPUs, …
      await expect(h200.getByRole('cell').nth(2)).toHaveText('5', { timeout: 15_000 });
      await expect(h200.getByRole('cell').nth(4)).toHaveText('40');
      simulated.kube.setNodeLabels(`${name}-cpu-01`, { [DEFAULT_NODE_POOL_LABEL]: 'cpu-highmem' });
      await expect(pools.getByRole('row').filter({ hasText: 'cpu-highmem' })).toBeVisible({ timeout: 15_000 });
    } finally {
      await simulated.stop();
    }
    // The header's status comes first; the Overview's connection history says Disconnected too.
    await expect(adminPage.getByText('Disconnected', { exact: true }).first()).toBeVisible({ timeout: 20_000 });
    await expect(adminPage.getByRole('table', { name: 'Node pools' })).toContainText('(stale)');
  });
});
