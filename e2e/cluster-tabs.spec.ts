/**
 * The cluster page's tabs, each its own URL, and the Nodes tab against the real agent
 * on a simulated Kubernetes API (as in agent-live.spec.ts): kubelet versions,
 * conditions, taints, server-side filtering, and the exact fix for unlabelled GPU nodes.
 */
import type { APIRequestContext } from '@playwright/test';
import { DEMO_FLEET, type DemoCluster } from '@/demo/fleet';
import { SimulatedCluster } from '@/demo/simulated-cluster';
import { DEFAULT_GPU_TYPE_LABEL, DEFAULT_NODE_POOL_LABEL } from '@/testing/kube-objects';
import { E2E_MEMBER, E2E_PORT } from './env';
import { expect, test, trpc } from './fixtures';
import { ClusterTabsPage } from './pages/cluster-tabs-page';

async function environmentId(request: APIRequestContext, name: string): Promise<number> {
  const environments = await trpc<{ id: number; name: string }[]>(request, 'environments.list', undefined, 'query');
  const found = environments.find((env) => env.name === name);
  if (!found) throw new Error(`no environment ${name}`);
  return found.id;
}

/** Members see a cluster only through a workspace role in it: a workspace there, and a viewer role on it. */
async function letMemberSee(request: APIRequestContext, clusterId: number, environmentId: number): Promise<void> {
  const workspace = await trpc<{ id: number }>(request, 'workspaces.create', { name: 'member-sees', clusterId, environmentId });
  const users = await trpc<{ id: number; email: string }[]>(request, 'users.list', undefined, 'query');
  const member = users.find((user) => user.email === E2E_MEMBER.email);
  if (!member) throw new Error('no member account');
  await trpc(request, 'workspaces.roles.grant', { id: workspace.id, userId: member.id, role: 'viewer' });
}

test.describe('the cluster page tabs', () => {
  test('each tab has its own URL: direct loads, keyboard, Back and Forward', async ({ adminPage }) => {
    const name = 'tabs-urls-e2e';
    const request = adminPage.context().request;
    await trpc(request, 'clusters.attach', { name, provider: 'aws-eks', region: 'us-east-1', environmentIds: [await environmentId(request, 'dev')] });
    const cluster = new ClusterTabsPage(adminPage, name);

    // Direct loads land on their tab.
    await cluster.goto('audit');
    await cluster.expectCurrent('Audit');
    await expect(adminPage.getByRole('table', { name: 'Audit events' })).toContainText('cluster.attach');
    await cluster.goto('addons');
    await cluster.expectCurrent('Addons');
    await expect(adminPage.getByRole('switch', { name: 'Karpenter' })).toBeVisible();
    await cluster.goto();
    await cluster.expectCurrent('Overview');

    // Keyboard: the tabs are links in the tab order; Enter follows one.
    await cluster.tab('Nodes').focus();
    await adminPage.keyboard.press('Enter');
    await expect(adminPage).toHaveURL(cluster.url('nodes'));
    await cluster.expectCurrent('Nodes');
    await cluster.tab('Audit').click();
    await expect(adminPage).toHaveURL(cluster.url('audit'));

    await adminPage.goBack();
    await expect(adminPage).toHaveURL(cluster.url('nodes'));
    await cluster.expectCurrent('Nodes');
    await adminPage.goBack();
    await expect(adminPage).toHaveURL(cluster.url());
    await cluster.expectCurrent('Overview');
    await adminPage.goForward();
    await cluster.expectCurrent('Nodes');

    // A tab that does not exist is the 404 page, not an empty frame. (Its status is 200:
    // the signed-in layout has started streaming before the tab segment is resolved.)
    await adminPage.goto(cluster.url('nope'));
    await expect(adminPage.getByRole('heading', { name: 'Page not found', level: 1 })).toBeVisible();
    await expect(cluster.tabs).toHaveCount(0);
  });

  test('members see no Audit tab', async ({ adminPage, memberPage }) => {
    const name = 'tabs-member-e2e';
    const request = adminPage.context().request;
    const dev = await environmentId(request, 'dev');
    const { cluster: attached } = await trpc<{ cluster: { id: number } }>(request, 'clusters.attach', { name, provider: 'generic', region: 'dc-1', environmentIds: [dev] });
    await letMemberSee(request, attached.id, dev);
    const cluster = new ClusterTabsPage(memberPage, name);
    await cluster.goto();
    await expect(cluster.tab('Nodes')).toBeVisible();
    await expect(cluster.tab('Audit')).toHaveCount(0);
  });

  test('the Nodes tab shows a real agent\'s nodes with kubelet version, conditions and taints, filtered on the server', async ({
    adminPage,
    baseURL,
  }) => {
    const name = 'nodes-tab-e2e';
    const request = adminPage.context().request;
    const attached = await trpc<{ token: string }>(request, 'clusters.attach', {
      name,
      provider: 'aws-eks',
      region: 'us-east-1',
      environmentIds: [await environmentId(request, 'dev')],
    });
    const eks = DEMO_FLEET.find((c) => c.provider === 'aws-eks');
    if (!eks) throw new Error('the demo fleet has no EKS cluster');
    const demo: DemoCluster = {
      ...eks,
      name,
      kubernetesVersion: 'v1.31.2-eks-7f9249a',
      pools: [
        { name: 'system', count: 2, cpu: 16, memoryGi: 64 },
        // gpu-01 NotReady; gpu-03 lacks the GPU-type label.
        { name: 'h100', count: 3, gpuType: 'H100', gpusPerNode: 8, notReady: 1, missingGpuTypeLabel: 1 },
      ],
    };
    const simulated = await SimulatedCluster.start({
      cluster: demo,
      labelKeys: { nodePool: DEFAULT_NODE_POOL_LABEL, gpuType: DEFAULT_GPU_TYPE_LABEL },
      controlPlaneUrl: baseURL ?? `http://127.0.0.1:${E2E_PORT}`,
      token: attached.token,
      registryHosts: [`127.0.0.1:${E2E_PORT}`],
      logWrite: () => undefined,
    });
    try {
      const cluster = new ClusterTabsPage(adminPage, name);
      await cluster.goto('nodes');
      await cluster.expectCurrent('Nodes');
      await expect(cluster.nodesTable.getByRole('row')).toHaveCount(1 + 5, { timeout: 20_000 });

      // NotReady first, with its condition and since when.
      const notReady = cluster.nodeRow(`${name}-h100-01`);
      await expect(cluster.nodesTable.getByRole('row').nth(1)).toContainText(`${name}-h100-01`);
      await expect(notReady).toContainText('NotReady');
      await expect(notReady).toContainText('Ready=False (KubeletNotReady)');
      await expect(notReady).toContainText('nvidia.com/gpu=present:NoSchedule');
      await expect(notReady).toContainText('v1.31.2-eks-7f9249a');
      const healthy = cluster.nodeRow(`${name}-system-01`);
      await expect(healthy).toContainText('Ready=True');
      await expect(healthy).toContainText('none');
      await expect(healthy).toContainText(/\d+ d ago/);

      // A pressure condition turning True shows up on the open tab, with its reason.
      simulated.kube.updateNode(`${name}-system-01`, (node) => {
        const memory = node.status?.conditions?.find((condition) => condition.type === 'MemoryPressure');
        if (memory) Object.assign(memory, { status: 'True', reason: 'KubeletHasInsufficientMemory', lastTransitionTime: new Date() });
      });
      await expect(healthy).toContainText('MemoryPressure=True (KubeletHasInsufficientMemory)', { timeout: 15_000 });

      // The cluster is under attention with the node named.
      await expect(adminPage.getByRole('status').filter({ hasText: 'Why this cluster needs attention' })).toContainText(`${name}-h100-01`);

      // Filter on the server; each change is a history entry.
      await cluster.readinessFilter('NotReady').click();
      await expect(adminPage).toHaveURL(/ready=notReady/);
      await expect(cluster.nodesTable.getByRole('row')).toHaveCount(1 + 1);
      await cluster.readinessFilter('All').click();
      await adminPage.getByRole('searchbox', { name: 'Search nodes' }).fill('SYSTEM');
      await expect(adminPage).toHaveURL(/q=SYSTEM/);
      await expect(cluster.nodesTable.getByRole('row')).toHaveCount(1 + 2);
      await adminPage.goBack();
      await expect(adminPage).toHaveURL(/ready=notReady/);
      await expect(cluster.nodesTable.getByRole('row')).toHaveCount(1 + 1);

      // A node turning NotReady reaches the open tab through watch → delta → gateway → event.
      simulated.kube.setNodeReady(`${name}-system-02`, false);
      await expect(cluster.nodesTable.getByRole('row')).toHaveCount(1 + 2, { timeout: 15_000 });

      // The unlabelled GPU node's fix names it and the GPU type its pool carries, ready to copy.
      await cluster.tab('Overview').click();
      const command = `kubectl label nodes ${name}-h100-03 ${DEFAULT_GPU_TYPE_LABEL}=H100`;
      await expect(adminPage.getByText(command, { exact: true })).toBeVisible({ timeout: 15_000 });
      await adminPage.getByRole('button', { name: 'Copy the kubectl label command' }).click();
      expect(await adminPage.evaluate(() => navigator.clipboard.readText())).toBe(command);

      // A live agent's report is live, not "Snapshot … ago".
      await expect(adminPage.getByRole('region', { name: 'Reported by the agent' })).toContainText('Live');

      // Settings stay editable: the change is saved, and the audit shows only what changed.
      await adminPage.getByRole('button', { name: 'Edit settings' }).click();
      await adminPage.getByLabel('Region').fill('us-west-2');
      await adminPage.getByRole('button', { name: 'Save settings' }).click();
      await expect(adminPage.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
      await cluster.tab('Audit').click();
      const audit = adminPage.getByRole('table', { name: 'Audit events' });
      await expect(audit).toContainText('cluster.settings.update');
      await expect(audit).toContainText('us-west-2');
    } finally {
      await simulated.stop();
    }
  });
});
