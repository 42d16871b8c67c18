/**
 * The same product on PostgreSQL (`DATABASE_URL`): sign in, attach a cluster in the UI,
 * run the real agent with the token shown, and see its nodes on the cluster page.
 * Runs in the `postgres` project against e2e/serve-on-postgres.ts.
 */
import { DEMO_FLEET, type DemoCluster } from '@/demo/fleet';
import { SimulatedCluster } from '@/demo/simulated-cluster';
import { DEFAULT_GPU_TYPE_LABEL, DEFAULT_NODE_POOL_LABEL } from '@/testing/kube-objects';
import { expect, test } from './fixtures';
import { AttachClusterPage, ClusterPage } from './pages/clusters-pages';

test('on PostgreSQL: attach, the real agent connects, and its nodes show', async ({ adminPage, baseURL }) => {
  const name = 'lambda-pg-e2e';
  const attach = new AttachClusterPage(adminPage);
  await attach.goto();
  await attach.fill({ name, provider: 'Lambda MK8s', region: 'us-east-1', environments: ['prod'] });
  await attach.submit();
  await expect(attach.tokenField()).toHaveValue(/^fdct_/);
  const token = await attach.tokenField().inputValue();

  const lambda = DEMO_FLEET.find((c) => c.provider === 'lambda-mk8s');
  if (!lambda) throw new Error('the demo fleet has no Lambda cluster');
  const cluster: DemoCluster = {
    ...lambda,
    name,
    pools: [
      { name: 'cpu', count: 1, cpu: 32, memoryGi: 128 },
      { name: 'b200', count: 3, gpuType: 'B200', gpusPerNode: 8 },
    ],
  };
  if (!baseURL) throw new Error('the postgres project has no baseURL');
  const simulated = await SimulatedCluster.start({
    cluster,
    labelKeys: { nodePool: DEFAULT_NODE_POOL_LABEL, gpuType: DEFAULT_GPU_TYPE_LABEL },
    controlPlaneUrl: baseURL,
    token,
    registryHosts: [new URL(baseURL).host],
    logWrite: () => undefined,
  });
  try {
    const panel = adminPage.getByRole('complementary').filter({ has: adminPage.getByRole('heading', { name: 'Live status' }) });
    await expect(panel.getByText('Snapshot received: done')).toBeAttached({ timeout: 20_000 });
    await expect(panel.getByText('4 / 4 Ready; GPUs: B200 × 24.')).toBeVisible();

    const page = new ClusterPage(adminPage);
    await page.goto(name);
    const pools = adminPage.getByRole('table', { name: 'Node pools' });
    const b200 = pools.getByRole('row').filter({ hasText: 'B200' });
    // Columns: pool, GPU type, nodes, ready, GPUs, …
    await expect(b200.getByRole('cell').nth(2)).toHaveText('3');
    await expect(b200.getByRole('cell').nth(4)).toHaveText('24');
  } finally {
    await simulated.stop();
  }
});
