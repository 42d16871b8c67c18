/**
 * Workspaces in the browser: created in two clusters with different environments (the
 * form offers only the chosen cluster's), refusals that write nothing, the FQN shown and
 * copyable, the list filtered by environment and searched by FQN, a production workspace
 * deleted only with its FQN typed, the cluster's Workspaces tab, editing; with a real agent
 * on a simulated cluster a GPU node's taint as a one-click toleration, Synced, quota use,
 * drift and Re-apply on the open page; and a member who sees only what a role gives.
 */
import type { APIRequestContext } from '@playwright/test';
import { DEMO_FLEET, type DemoCluster } from '@/demo/fleet';
import { SimulatedCluster } from '@/demo/simulated-cluster';
import { QUOTA_NAME } from '@/lib/workspaces';
import { DEFAULT_GPU_TYPE_LABEL, DEFAULT_NODE_POOL_LABEL } from '@/testing/kube-objects';
import { E2E_ADMIN, E2E_MEMBER, E2E_PORT } from './env';
import { expect, test, trpc } from './fixtures';
import { WorkspacesPage } from './pages/workspaces-page';

/** A cluster carrying dev and staging, and one carrying only prod (a production environment). */
const DEV_CLUSTER = 'ws-e2e-dev';
const PROD_CLUSTER = 'ws-e2e-prod';

interface Listed {
  total: number;
  rows: { id: number; fqn: string }[];
}

async function environmentIds(request: APIRequestContext, names: string[]): Promise<number[]> {
  const environments = await trpc<{ id: number; name: string }[]>(request, 'environments.list', undefined, 'query');
  return names.map((name) => {
    const found = environments.find((env) => env.name === name);
    if (!found) throw new Error(`no environment ${name}`);
    return found.id;
  });
}

async function clusterId(request: APIRequestContext, name: string): Promise<number> {
  const listed = await trpc<{ rows: { id: number; name: string }[] }>(request, 'clusters.list', { search: name }, 'query');
  const found = listed.rows.find((c) => c.name === name);
  if (!found) throw new Error(`no cluster ${name}`);
  return found.id;
}

/** Every workspace stored in `cluster`, by FQN, straight from the API (what "nothing written" is checked against). */
async function storedFqns(request: APIRequestContext, cluster: string): Promise<string[]> {
  const listed = await trpc<Listed>(request, 'workspaces.list', { clusterId: await clusterId(request, cluster), pageSize: 100 }, 'query');
  return listed.rows.map((row) => row.fqn).sort();
}

test.describe.configure({ mode: 'serial' });

test.describe('workspaces', () => {
  test.beforeAll(async ({ playwright }, workerInfo) => {
    const request = await playwright.request.newContext({ baseURL: workerInfo.project.use.baseURL });
    await trpc(request, 'auth.signIn', E2E_ADMIN);
    for (const [name, envs] of [
      [DEV_CLUSTER, ['dev', 'staging']],
      [PROD_CLUSTER, ['prod']],
    ] as const) {
      const existing = await trpc<{ total: number }>(request, 'clusters.list', { search: name }, 'query');
      if (existing.total === 0) {
        await trpc(request, 'clusters.attach', { name, provider: 'aws-eks', region: 'us-east-1', environmentIds: await environmentIds(request, [...envs]) });
      }
    }
    await request.dispose();
  });

  test('created in two clusters; the form offers only the cluster’s environments; refusals write nothing', async ({ adminPage }) => {
    const request = adminPage.context().request;
    const workspaces = new WorkspacesPage(adminPage);

    await workspaces.gotoNew();
    await workspaces.fill({ cluster: DEV_CLUSTER });
    expect(await workspaces.offeredEnvironments()).toEqual(['dev', 'staging']);
    await workspaces.fill({ cluster: PROD_CLUSTER });
    expect(await workspaces.offeredEnvironments()).toEqual(['prod']);

    // Created in the dev cluster, with labels, a toleration and a quota.
    await workspaces.fill({
      name: 'team-ml',
      cluster: DEV_CLUSTER,
      environment: 'dev',
      labels: [['team', 'ml']],
      tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
      quota: { cpu: '8', memory: '32Gi', gpus: '2' },
    });
    await expect(adminPage.getByText(`FQN: ${DEV_CLUSTER}:team-ml`)).toBeVisible();
    await workspaces.submitCreate();
    await expect(adminPage).toHaveURL(`/workspaces/${DEV_CLUSTER}/team-ml`);
    await expect(adminPage.getByRole('heading', { name: 'team-ml', level: 1 })).toBeVisible();
    await expect(adminPage.getByText(`${DEV_CLUSTER}:team-ml`, { exact: true }).first()).toBeVisible();
    // The cluster has no agent yet: the desired state waits as Pending.
    await expect(adminPage.getByRole('region', { name: 'Sync' })).toContainText('Pending');
    await expect(adminPage.getByRole('region', { name: 'Settings' })).toContainText('team=ml');
    await expect(adminPage.getByRole('region', { name: 'Settings' })).toContainText('nvidia.com/gpu Exists : NoSchedule');
    await expect(adminPage.getByRole('table', { name: 'Quota use' })).toContainText('32Gi');
    expect(await storedFqns(request, DEV_CLUSTER)).toEqual([`${DEV_CLUSTER}:team-ml`]);

    // An invalid name: a field message on the name, the cursor on it, nothing written.
    await workspaces.gotoNew();
    await workspaces.fill({ name: '9-lives', cluster: DEV_CLUSTER, environment: 'dev' });
    await workspaces.submitCreate();
    await expect(workspaces.nameInput).toHaveAccessibleDescription(/start with a lower-case letter/);
    await expect(workspaces.nameInput).toBeFocused();
    await expect(adminPage).toHaveURL('/workspaces/new');

    // A duplicate in the same cluster: refused by the server, on the name field.
    await workspaces.fill({ name: 'team-ml' });
    await workspaces.submitCreate();
    await expect(workspaces.nameInput).toHaveAccessibleDescription(new RegExp(`^Cluster "${DEV_CLUSTER}" already has a workspace named "team-ml"`));
    await expect(adminPage).toHaveURL('/workspaces/new');

    // A bad toleration (an Equal value Kubernetes refuses): one message on the Tolerations group, naming the row.
    await workspaces.fill({ name: 'team-cv', tolerations: [{ key: 'gpu', operator: 'Equal', value: 'not a label value!', effect: 'NoExecute' }] });
    await workspaces.submitCreate();
    await expect(workspaces.section('Tolerations')).toHaveAccessibleDescription(/Toleration 1: A label value may hold letters/);
    await expect(adminPage).toHaveURL('/workspaces/new');
    expect(await storedFqns(request, DEV_CLUSTER)).toEqual([`${DEV_CLUSTER}:team-ml`]);
    // Leaving a refused form asks first (typed input would be lost); agreeing leaves.
    adminPage.once('dialog', (dialog) => void dialog.accept());
    await adminPage.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Workspaces' }).click();
    await expect(adminPage).toHaveURL('/workspaces');

    // The same name in another cluster is allowed.
    await workspaces.gotoNew(PROD_CLUSTER);
    await expect(workspaces.clusterSelect).toHaveValue(String(await clusterId(request, PROD_CLUSTER)));
    await workspaces.fill({ name: 'team-ml', environment: 'prod' });
    await workspaces.submitCreate();
    await expect(adminPage).toHaveURL(`/workspaces/${PROD_CLUSTER}/team-ml`);
    expect(await storedFqns(request, PROD_CLUSTER)).toEqual([`${PROD_CLUSTER}:team-ml`]);
  });

  test('the list shows the FQN with a copy button, filters by environment and finds by FQN', async ({ adminPage }) => {
    const workspaces = new WorkspacesPage(adminPage);
    const devFqn = `${DEV_CLUSTER}:team-ml`;
    const prodFqn = `${PROD_CLUSTER}:team-ml`;
    await workspaces.goto();
    await expect(workspaces.row(devFqn)).toBeVisible();
    await expect(workspaces.row(prodFqn)).toContainText('Production');
    await expect(workspaces.row(devFqn)).toContainText('Pending');

    await workspaces.copyButton(devFqn).click();
    await expect(workspaces.copyButton(devFqn)).toHaveText('Copied');
    expect(await adminPage.evaluate(() => navigator.clipboard.readText())).toBe(devFqn);

    // Filter by environment: each choice is a history entry.
    await workspaces.environmentFilter('prod').click();
    await expect(adminPage).toHaveURL(/\/workspaces\?env=prod$/);
    await expect(workspaces.environmentFilter('prod')).toHaveAttribute('aria-pressed', 'true');
    await expect(workspaces.row(prodFqn)).toBeVisible();
    await expect(workspaces.row(devFqn)).toHaveCount(0);
    await workspaces.environmentFilter('dev').click();
    await expect(workspaces.row(devFqn)).toBeVisible();
    await adminPage.goBack();
    await expect(workspaces.row(devFqn)).toHaveCount(0);
    await adminPage.goBack();
    await expect(workspaces.row(devFqn)).toBeVisible();

    // The search box finds by FQN (the cluster half tells the two team-ml apart).
    await workspaces.search.fill(prodFqn);
    await expect(adminPage).toHaveURL(/q=ws-e2e-prod%3Ateam-ml/);
    await expect(workspaces.row(prodFqn)).toBeVisible();
    await expect(workspaces.row(devFqn)).toHaveCount(0);

    // The Environments page counts them and links to the filtered list.
    await adminPage.goto('/environments');
    await adminPage.getByRole('link', { name: /^\d+ workspaces? in prod$/ }).click();
    await expect(adminPage).toHaveURL('/workspaces?env=prod');
    await expect(workspaces.environmentFilter('prod')).toHaveAttribute('aria-pressed', 'true');
    await expect(workspaces.row(prodFqn)).toBeVisible();
  });

  test('the cluster’s Workspaces tab lists its workspaces and creates one preset to it', async ({ adminPage }) => {
    await adminPage.goto(`/clusters/${DEV_CLUSTER}/workspaces`);
    const tabs = adminPage.getByRole('navigation', { name: 'Cluster sections' });
    await expect(tabs.getByRole('link', { name: 'Workspaces', exact: true })).toHaveAttribute('aria-current', 'page');
    const table = adminPage.getByRole('table', { name: 'Workspaces' });
    await expect(table.getByRole('row').filter({ hasText: `${DEV_CLUSTER}:team-ml` })).toBeVisible();
    await expect(table.getByRole('row').filter({ hasText: `${PROD_CLUSTER}:team-ml` })).toHaveCount(0);
    await adminPage.getByRole('link', { name: 'New workspace' }).first().click();
    await expect(adminPage).toHaveURL(`/workspaces/new?cluster=${DEV_CLUSTER}`);
    const workspaces = new WorkspacesPage(adminPage);
    expect(await workspaces.offeredEnvironments()).toEqual(['dev', 'staging']);
  });

  test('editing changes the environment, labels and quota but not the name or cluster', async ({ adminPage }) => {
    const workspaces = new WorkspacesPage(adminPage);
    await workspaces.gotoWorkspace(DEV_CLUSTER, 'team-ml');
    await adminPage.getByRole('link', { name: 'Edit', exact: true }).click();
    await expect(adminPage).toHaveURL(`/workspaces/${DEV_CLUSTER}/team-ml/edit`);
    await expect(workspaces.form.getByRole('textbox', { name: 'Workspace name' })).toHaveCount(0);
    await expect(workspaces.form).toContainText(`${DEV_CLUSTER}:team-ml`);
    await expect(workspaces.form.getByLabel('Label 1 key')).toHaveValue('team');
    await workspaces.fill({ environment: 'staging', labels: [['tier', 'gold']], quota: { gpus: '4' } });
    await workspaces.form.getByRole('button', { name: 'Save changes' }).click();
    await expect(adminPage).toHaveURL(`/workspaces/${DEV_CLUSTER}/team-ml`);
    const settings = adminPage.getByRole('region', { name: 'Settings' });
    await expect(settings.locator('[data-environment="staging"]')).toBeVisible();
    await expect(settings).toContainText('tier=gold');
    await expect(adminPage.getByRole('table', { name: 'Quota use' }).getByRole('row').filter({ hasText: 'GPUs' })).toContainText('4');
  });

  test('a production workspace is deleted only after its FQN is typed', async ({ adminPage }) => {
    const request = adminPage.context().request;
    const fqn = `${PROD_CLUSTER}:team-ml`;
    const workspaces = new WorkspacesPage(adminPage);
    await workspaces.gotoWorkspace(PROD_CLUSTER, 'team-ml');
    await adminPage.getByRole('button', { name: `Delete ${fqn}` }).click();
    const dialog = adminPage.getByRole('dialog');
    await expect(dialog).toContainText('production environment');
    const confirm = dialog.getByRole('button', { name: 'Delete workspace' });
    await expect(confirm).toBeDisabled();
    await dialog.getByLabel(`Type ${fqn} to confirm`).fill('team-ml');
    await expect(confirm).toBeDisabled();
    expect(await storedFqns(request, PROD_CLUSTER)).toEqual([fqn]);
    await dialog.getByLabel(`Type ${fqn} to confirm`).fill(fqn);
    await confirm.click();
    await expect(adminPage).toHaveURL('/workspaces');
    await expect(workspaces.row(fqn)).toHaveCount(0);
    expect(await storedFqns(request, PROD_CLUSTER)).toEqual([]);
    // The server checks the FQN too, not only the dialog.
    await trpc(request, 'workspaces.create', {
      name: 'svc-api',
      clusterId: await clusterId(request, PROD_CLUSTER),
      environmentId: (await environmentIds(request, ['prod']))[0],
    });
    const [created] = (await trpc<Listed>(request, 'workspaces.list', { search: `${PROD_CLUSTER}:svc-api` }, 'query')).rows;
    await expect(trpc(request, 'workspaces.delete', { id: created?.id })).rejects.toThrow(/type its FQN to confirm/);
    expect(await storedFqns(request, PROD_CLUSTER)).toEqual([`${PROD_CLUSTER}:svc-api`]);
  });

  test('with a real agent: a GPU node’s taint becomes a toleration in one click; Synced, quota use, drift and Re-apply show on the page', async ({
    adminPage,
    baseURL,
  }) => {
    const name = 'ws-e2e-gpu';
    const request = adminPage.context().request;
    const attached = await trpc<{ token: string }>(request, 'clusters.attach', {
      name,
      provider: 'aws-eks',
      region: 'us-east-1',
      environmentIds: await environmentIds(request, ['dev']),
    });
    const eks = DEMO_FLEET.find((c) => c.provider === 'aws-eks');
    if (!eks) throw new Error('the demo fleet has no EKS cluster');
    const demo: DemoCluster = { ...eks, name, pools: [{ name: 'h100', count: 2, gpuType: 'H100', gpusPerNode: 8 }] };
    const simulated = await SimulatedCluster.start({
      cluster: demo,
      labelKeys: { nodePool: DEFAULT_NODE_POOL_LABEL, gpuType: DEFAULT_GPU_TYPE_LABEL },
      controlPlaneUrl: baseURL ?? `http://127.0.0.1:${E2E_PORT}`,
      token: attached.token,
      registryHosts: [`127.0.0.1:${E2E_PORT}`],
      logWrite: () => undefined,
    });
    try {
      // The form is opened once the agent has reported its nodes, as someone would after attaching.
      await expect
        .poll(async () => (await trpc<{ cluster: { nodeCount: number | null } }>(request, 'clusters.get', { name }, 'query')).cluster.nodeCount, {
          timeout: 20_000,
        })
        .toBe(2);
      const workspaces = new WorkspacesPage(adminPage);
      await workspaces.gotoNew(name);
      await expect(workspaces.section('Tolerations')).toHaveAccessibleDescription(/apply to every job submitted to this workspace/);
      const offer = adminPage.getByRole('button', { name: 'Tolerate nvidia.com/gpu=present:NoSchedule' });
      await expect(offer).toBeVisible();
      await offer.click();
      await expect(adminPage.getByRole('button', { name: 'Tolerated: nvidia.com/gpu=present:NoSchedule' })).toBeDisabled();
      await expect(workspaces.form.getByLabel('Toleration 1 key')).toHaveValue('nvidia.com/gpu');
      await expect(workspaces.form.getByLabel('Toleration 1 value')).toHaveValue('present');
      await workspaces.fill({ name: 'train', environment: 'dev', quota: { gpus: '8' } });
      await workspaces.submitCreate();
      await expect(adminPage).toHaveURL(`/workspaces/${name}/train`);
      // The agent applies it; the page follows without a reload.
      await expect(adminPage.getByRole('region', { name: 'Sync' })).toContainText('Synced', { timeout: 30_000 });
      await expect(adminPage.getByRole('region', { name: 'Sync' })).toContainText('last synced');

      // Quota use as the agent reports it: used against hard, where "not reported yet" stood.
      simulated.kube.setQuotaUsed('train', QUOTA_NAME, { 'requests.nvidia.com/gpu': '4' });
      const gpus = adminPage.getByRole('table', { name: 'Quota use' }).getByRole('row').filter({ hasText: 'GPUs' });
      await expect(gpus).toHaveText(/^GPUs\s*4\s*8$/, { timeout: 30_000 });

      // The namespace deleted by hand shows as drift; one click re-applies it.
      simulated.kube.deleteNamespace('train');
      const reapply = adminPage.getByRole('button', { name: `Re-apply ${name}:train` });
      await expect(reapply).toBeVisible({ timeout: 30_000 });
      await expect(adminPage.getByRole('region', { name: 'Sync' })).toContainText('Drift:');
      await reapply.click();
      await expect(reapply).toHaveCount(0, { timeout: 30_000 });
      await expect(adminPage.getByRole('region', { name: 'Sync' })).toContainText('Synced');
    } finally {
      await simulated.stop();
    }
  });

  test('a member with a viewer role sees that workspace and its cluster only', async ({ adminPage, memberPage }) => {
    const name = 'ws-e2e-member';
    const request = adminPage.context().request;
    await trpc(request, 'clusters.attach', { name, provider: 'generic', region: 'dc-1', environmentIds: await environmentIds(request, ['staging']) });
    await trpc(request, 'workspaces.create', { name: 'shared', clusterId: await clusterId(request, name), environmentId: (await environmentIds(request, ['staging']))[0] });

    // The admin grants the role on the workspace's page.
    const admin = new WorkspacesPage(adminPage);
    await admin.gotoWorkspace(name, 'shared');
    const roles = adminPage.getByRole('region', { name: 'Roles' });
    await roles.getByLabel('User').selectOption({ label: `Morgan Member (${E2E_MEMBER.email})` });
    await roles.getByLabel('Role').selectOption('viewer');
    await roles.getByRole('button', { name: 'Grant role' }).click();
    await expect(roles.getByRole('list', { name: 'Role holders' })).toContainText('Viewer');

    const member = new WorkspacesPage(memberPage);
    await member.goto();
    await expect(member.row(`${name}:shared`)).toBeVisible();
    await expect(member.row(`${DEV_CLUSTER}:team-ml`)).toHaveCount(0);
    await expect(memberPage.getByRole('link', { name: 'New workspace' })).toHaveCount(0);
    // A viewer is offered no changes.
    await expect(member.row(`${name}:shared`).getByRole('button', { name: /^Delete / })).toHaveCount(0);

    await memberPage.goto('/clusters');
    const fleet = memberPage.getByRole('table', { name: 'Clusters' });
    await expect(fleet.getByRole('link', { name, exact: true })).toBeVisible();
    await expect(fleet.getByRole('link', { name: DEV_CLUSTER, exact: true })).toHaveCount(0);

    // Another workspace's page is refused by the server.
    await memberPage.goto(`/workspaces/${DEV_CLUSTER}/team-ml`);
    await expect(memberPage.getByRole('main').getByRole('alert')).toContainText('does not allow');
    await expect(memberPage.getByRole('region', { name: 'Settings' })).toHaveCount(0);
  });
});
