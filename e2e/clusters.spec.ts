import type { APIRequestContext } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';
import { E2E_DIR, E2E_MEMBER } from './env';
import { expect, test, trpc } from './fixtures';
import { AttachClusterPage, ClusterPage, FleetPage } from './pages/clusters-pages';

const GPU_OPERATOR_REASON = 'CoreWeave manages the NVIDIA GPU Operator on CKS; a second install is unsupported';

interface FleetList {
  total: number;
  rows: { name: string }[];
}

async function environmentId(request: APIRequestContext, name: string): Promise<number> {
  const environments = await trpc<{ id: number; name: string }[]>(request, 'environments.list', undefined, 'query');
  const found = environments.find((env) => env.name === name);
  if (!found) throw new Error(`no environment ${name}`);
  return found.id;
}

/** Everything the server has persisted or logged, to prove a secret is in none of it. */
function storedAndLogged(): string {
  return ['fleetdeck.db', 'fleetdeck.db-wal', 'server.log']
    .map((file) => path.join(E2E_DIR, file))
    .filter((file) => fs.existsSync(file))
    .map((file) => fs.readFileSync(file).toString('latin1'))
    .join('\n');
}

test.describe('attach a cluster', () => {
  test('CoreWeave CKS: the GPU Operator defaults off with its reason; EKS offers Karpenter', async ({ adminPage }) => {
    const attach = new AttachClusterPage(adminPage);
    await attach.goto();

    await attach.fill({ provider: 'CoreWeave CKS' });
    await expect(attach.addonSwitch('NVIDIA GPU Operator')).toHaveAttribute('aria-checked', 'false');
    await expect(adminPage.getByText(GPU_OPERATOR_REASON)).toBeVisible();
    await expect(attach.addonSwitch('Argo CD')).toHaveAttribute('aria-checked', 'true');
    await expect(attach.addonSwitch('Karpenter')).toHaveCount(0);

    // Turning it on anyway asks first, with the provider's reason.
    await attach.addonSwitch('NVIDIA GPU Operator').click();
    await expect(adminPage.getByRole('dialog')).toContainText('does not support a second install');
    await adminPage.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
    await expect(attach.addonSwitch('NVIDIA GPU Operator')).toHaveAttribute('aria-checked', 'false');

    // Turning off an essential addon warns explicitly.
    await attach.addonSwitch('Argo CD').click();
    await expect(adminPage.getByRole('dialog')).toContainText('Without Argo CD');
    await adminPage.getByRole('dialog').getByRole('button', { name: 'Turn off Argo CD' }).click();
    await expect(attach.addonSwitch('Argo CD')).toHaveAttribute('aria-checked', 'false');

    await attach.fill({ provider: 'AWS EKS' });
    await expect(attach.addonSwitch('Karpenter')).toHaveAttribute('aria-checked', 'true');
    await expect(attach.addonSwitch('AWS Load Balancer Controller')).toBeVisible();
    await expect(attach.addonSwitch('NVIDIA GPU Operator')).toHaveAttribute('aria-checked', 'true');
    await expect(adminPage.getByText('kubectl label nodes <node> fleetdeck.io/node-pool=<pool>')).toBeVisible();
  });

  test('invalid names, a duplicate name and no environment show field errors and write nothing', async ({ adminPage }) => {
    const request = adminPage.context().request;
    await trpc(request, 'clusters.attach', { name: 'taken-e2e', provider: 'generic', region: 'lab-1', environmentIds: [await environmentId(request, 'dev')] });
    const before = await trpc<FleetList>(request, 'clusters.list', { pageSize: 100 }, 'query');

    const attach = new AttachClusterPage(adminPage);
    await attach.goto();
    await attach.submit();
    await expect(adminPage.getByText('Cluster name must be at least 3 characters')).toBeVisible();
    await expect(adminPage.getByText('Choose a provider', { exact: true })).toBeVisible();
    await expect(adminPage.getByText('Choose at least one environment')).toBeVisible();

    await attach.fill({ name: 'Gpu_West', provider: 'Generic Kubernetes', region: 'lab-1' });
    await attach.submit();
    await expect(adminPage.getByText('Cluster name must start with a lower-case letter')).toBeVisible();
    await expect(adminPage.getByLabel('Cluster name')).toHaveAttribute('aria-invalid', 'true');

    await attach.fill({ name: 'gpu west' });
    await attach.submit();
    await expect(adminPage.getByText('Use only lower-case letters, digits and "-"')).toBeVisible();

    await attach.fill({ name: 'taken-e2e', environments: ['dev'] });
    await attach.submit();
    await expect(adminPage.getByText('Cluster "taken-e2e" already exists')).toBeVisible();
    await expect(attach.tokenField()).toHaveCount(0);

    const after = await trpc<FleetList>(request, 'clusters.list', { pageSize: 100 }, 'query');
    expect(after.total).toBe(before.total);
  });

  test('the token is shown once with the install commands, then never again; rotation; fleet filters; detach', async ({ adminPage }) => {
    const name = 'cw-e2e-west';
    const attach = new AttachClusterPage(adminPage);
    await attach.goto();
    await attach.fill({ name, provider: 'CoreWeave CKS', region: 'US-EAST-04', environments: ['prod'], baseDomains: '*.apps.example.com' });
    await attach.submit();

    await expect(attach.tokenField()).toHaveValue(/^fdct_/);
    const token = await attach.tokenField().inputValue();
    await adminPage.getByRole('button', { name: 'Copy cluster token' }).click();
    expect(await adminPage.evaluate(() => navigator.clipboard.readText())).toBe(token);
    await expect(adminPage.getByText(/helm upgrade --install fleetdeck-agent/)).toBeVisible();
    await expect(adminPage.getByText(`clusterName=${name}`)).toBeVisible();
    for (const step of ['Create the namespace and the token Secret', 'Install the agent with Helm', 'Or apply the plain manifest instead of Helm', 'Or run the agent from a checkout, for a trial']) {
      await expect(adminPage.getByRole('button', { name: `Copy: ${step}` })).toBeVisible();
    }
    // No command carries the token (the Secret reads it from stdin); helm installs the chart this control plane serves.
    for (const block of await adminPage.locator('pre code').allTextContents()) expect(block).not.toContain(token);
    await expect(adminPage.getByText(/--from-file=token=\/dev\/stdin/)).toBeVisible();
    const chartRepo = new URL('/charts', adminPage.url()).toString();
    await expect(adminPage.getByText(`--repo ${chartRepo}`)).toBeVisible();
    // Agents are told to dial 127.0.0.1 here: the page says clusters elsewhere will not reach it, and how to fix it.
    await expect(adminPage.getByRole('alert').filter({ hasText: 'FLEETDECK_PUBLIC_URL' })).toBeVisible();
    // Served without a session, as helm fetches it.
    const index = await adminPage.request.fetch(`${chartRepo}/index.yaml`, { headers: { cookie: '' } });
    expect(index.status()).toBe(200);
    expect(await index.text()).toContain('fleetdeck-agent');
    await expect(adminPage.getByRole('heading', { name: 'Live status' })).toBeVisible();
    await expect(adminPage.getByText('Awaiting agent').first()).toBeVisible();

    await adminPage.reload();
    await expect(adminPage.getByText('The cluster token is no longer shown')).toBeVisible();
    await expect(attach.tokenField()).toHaveCount(0);
    await expect(adminPage.getByText(token)).toHaveCount(0);
    expect(storedAndLogged()).not.toContain(token);

    // Rotate: a new token, shown once.
    const cluster = new ClusterPage(adminPage);
    await cluster.goto(name);
    await adminPage.getByRole('button', { name: 'Rotate token' }).click();
    // A production cluster: rotation asks for the name to be typed.
    const rotateConfirm = cluster.dialog().getByRole('button', { name: 'Rotate token' });
    await expect(rotateConfirm).toBeDisabled();
    await cluster.dialog().getByLabel(`Type ${name} to confirm`).fill(name);
    await rotateConfirm.click();
    await expect(attach.tokenField()).toHaveValue(/^fdct_/);
    const rotated = await attach.tokenField().inputValue();
    expect(rotated).not.toBe(token);
    await expect(adminPage.getByText(`${rotated.slice(0, 11)}…`)).toBeVisible();
    await cluster.tab('Audit').click();
    await expect(adminPage.getByRole('table', { name: 'Audit events' })).toContainText('cluster.token.rotate');
    await adminPage.reload();
    await expect(attach.tokenField()).toHaveCount(0);
    expect(storedAndLogged()).not.toContain(rotated);

    // Find it in the fleet view by filter and search; the URL reproduces the view.
    const fleet = new FleetPage(adminPage);
    await fleet.goto();
    await adminPage.getByLabel('Provider').selectOption('coreweave-cks');
    await expect(adminPage).toHaveURL(/provider=coreweave-cks/);
    await fleet.toggleFilter('Environment', ['prod']);
    await adminPage.getByRole('searchbox', { name: 'Search clusters' }).fill('e2e-west');
    await expect(adminPage).toHaveURL(/q=e2e-west/);
    await expect(fleet.row(name)).toBeVisible();
    await expect(fleet.row(name)).toContainText('Awaiting agent');
    await expect(fleet.row(name)).toContainText('—');
    await expect(fleet.table.getByRole('row')).toHaveCount(2);
    await adminPage.reload();
    await expect(fleet.row(name)).toBeVisible();
    await adminPage.getByLabel('Provider').selectOption('aws-eks');
    await expect(adminPage.getByText('No cluster matches these filters')).toBeVisible();

    // Detach: type the name to confirm.
    await cluster.goto(name);
    await adminPage.getByRole('button', { name: 'Detach cluster' }).click();
    const confirm = cluster.dialog().getByRole('button', { name: 'Detach cluster' });
    await expect(confirm).toBeDisabled();
    // The uninstall commands, before the page goes away.
    await expect(cluster.dialog()).toContainText('helm uninstall fleetdeck-agent --namespace fleetdeck-agent');
    await expect(cluster.dialog()).toContainText('kubectl delete namespace fleetdeck-agent');
    await cluster.dialog().getByLabel(`Type ${name} to confirm`).fill(name);
    await confirm.click();
    await expect(adminPage).toHaveURL(/\/clusters$/);
    await expect(fleet.row(name)).toHaveCount(0);
    const list = await trpc<FleetList>(adminPage.context().request, 'clusters.list', { search: name }, 'query');
    expect(list.total).toBe(0);
  });
});

test.describe('the cluster page', () => {
  test('an admin changes environments and addons later; each change is audited', async ({ adminPage }) => {
    const name = 'gke-settings-e2e';
    const request = adminPage.context().request;
    await trpc(request, 'clusters.attach', { name, provider: 'gcp-gke', region: 'us-central1', environmentIds: [await environmentId(request, 'dev')] });
    const page = new ClusterPage(adminPage);
    await page.goto(name);

    await adminPage.getByRole('button', { name: 'Edit environments' }).click();
    await adminPage.getByRole('group', { name: 'Environments' }).getByRole('checkbox', { name: 'staging', exact: true }).check();
    await adminPage.getByRole('button', { name: 'Save environments' }).click();
    const environments = adminPage.getByRole('region', { name: 'Environments' });
    await expect(environments.getByText('staging', { exact: true })).toBeVisible();
    await expect(adminPage.getByRole('button', { name: 'Edit environments' })).toBeVisible();

    // GKE ships metrics-server: turning ours on asks first.
    await page.tab('Addons').click();
    await expect(adminPage.getByRole('switch', { name: 'metrics-server' })).toHaveAttribute('aria-checked', 'false');
    await adminPage.getByRole('switch', { name: 'KEDA' }).click();
    await adminPage.getByRole('switch', { name: 'metrics-server' }).click();
    await expect(page.dialog()).toContainText('GKE already runs metrics-server');
    await page.dialog().getByRole('button', { name: 'Turn on metrics-server' }).click();
    await adminPage.getByRole('button', { name: 'Save addon changes' }).click();
    await expect(adminPage.getByRole('button', { name: 'Save addon changes' })).toHaveCount(0);
    await expect(adminPage.getByRole('switch', { name: 'KEDA' })).toHaveAttribute('aria-checked', 'true');

    await page.tab('Audit').click();
    const audit = adminPage.getByRole('table', { name: 'Audit events' });
    await expect(audit).toContainText('cluster.environments.update');
    await expect(audit).toContainText('cluster.addons.update');
  });
});

/** Members see a cluster only through a workspace role in it: a workspace there, and a viewer role on it. */
async function letMemberSee(request: APIRequestContext, clusterId: number, environmentId: number): Promise<void> {
  const workspace = await trpc<{ id: number }>(request, 'workspaces.create', { name: 'member-sees', clusterId, environmentId });
  const users = await trpc<{ id: number; email: string }[]>(request, 'users.list', undefined, 'query');
  const member = users.find((user) => user.email === E2E_MEMBER.email);
  if (!member) throw new Error('no member account');
  await trpc(request, 'workspaces.roles.grant', { id: workspace.id, userId: member.id, role: 'viewer' });
}

test.describe('members', () => {
  test('see a cluster they hold a workspace role in, but no attach, rotate or detach controls', async ({ adminPage, memberPage }) => {
    const name = 'member-view-e2e';
    const request = adminPage.context().request;
    const dev = await environmentId(request, 'dev');
    const { cluster: attached } = await trpc<{ cluster: { id: number } }>(request, 'clusters.attach', {
      name,
      provider: 'aws-eks',
      region: 'us-east-1',
      environmentIds: [dev],
    });
    await letMemberSee(request, attached.id, dev);

    const fleet = new FleetPage(memberPage);
    await fleet.goto();
    await expect(fleet.row(name)).toBeVisible();
    await expect(memberPage.getByRole('link', { name: 'Attach Existing Cluster' })).toHaveCount(0);

    const cluster = new ClusterPage(memberPage);
    await cluster.goto(name);
    await expect(memberPage.getByText('Active token')).toBeVisible();
    await expect(memberPage.getByRole('button', { name: 'Rotate token' })).toHaveCount(0);
    await expect(memberPage.getByRole('button', { name: 'Detach cluster' })).toHaveCount(0);
    await cluster.tab('Addons').click();
    await expect(memberPage.getByRole('switch', { name: 'Karpenter' })).toBeDisabled();

    await memberPage.goto('/clusters/attach');
    await expect(memberPage.getByText('Only admins can attach clusters')).toBeVisible();
    await expect(memberPage.getByRole('button', { name: 'Attach cluster' })).toHaveCount(0);

    // The server refuses too, whatever the UI shows.
    await expect(trpc(memberPage.context().request, 'clusters.rotateToken', { name })).rejects.toThrow(/not allow/);
  });
});
