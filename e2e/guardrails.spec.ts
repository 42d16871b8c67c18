/**
 * Issue 9, findings 9, 10 and 13 (the parts on environments, users and the attach form):
 * production is marked and its deletion asks for the name; any colour reads, and a
 * colour that vanishes against the page is warned about; what cannot be deleted says
 * so up front; role changes and provider switches say what they do; typed input is not
 * lost to a stray click.
 */
import { expect, test, trpc } from './fixtures';
import { AttachClusterPage } from './pages/clusters-pages';
import { EnvironmentsPage } from './pages/environments-page';

test.describe('environments', () => {
  test('a white environment gets dark chip text and the form warns about its contrast', async ({ adminPage }) => {
    const envs = new EnvironmentsPage(adminPage);
    await envs.goto();
    await adminPage.getByRole('button', { name: 'New environment' }).click();
    await envs.fillForm({ name: 'snow-e2e', color: '#ef4444' });
    await expect(envs.dialog().getByTestId('contrast-warning')).toHaveCount(0);
    await envs.fillForm({ color: '#ffffff' });
    await expect(envs.dialog().getByTestId('contrast-warning')).toContainText('light theme (1.0:1)');
    await envs.dialog().getByRole('button', { name: 'Create environment' }).click();
    await expect(envs.dialog()).toBeHidden();

    const chip = envs.row('snow-e2e').locator('[data-environment="snow-e2e"] > span').first();
    await expect(chip).toHaveCSS('background-color', 'rgb(255, 255, 255)');
    await expect(chip).toHaveCSS('color', 'rgb(0, 0, 0)');
    await envs.delete('snow-e2e');
  });

  test('an environment in use cannot be deleted, and says so before anyone tries', async ({ adminPage }) => {
    const request = adminPage.context().request;
    const env = await trpc<{ id: number }>(request, 'environments.create', { name: 'in-use-e2e', color: '#0ea5e9', isProduction: false, optimizeFor: 'cost' });
    await trpc(request, 'clusters.attach', { name: 'guard-e2e', provider: 'generic', region: 'lab-1', environmentIds: [env.id] });
    const envs = new EnvironmentsPage(adminPage);
    await envs.goto();
    await expect(envs.row('in-use-e2e')).toContainText('Used by 1 cluster: remove it from them to delete');
    await expect(envs.deleteButton('in-use-e2e')).toBeDisabled();
    // The server still refuses on its own.
    await expect(trpc(request, 'environments.delete', { id: env.id })).rejects.toThrow('is in use by clusters guard-e2e');
  });

  test('production carries a badge, says what it does, and its deletion asks for the name', async ({ adminPage }) => {
    const envs = new EnvironmentsPage(adminPage);
    await envs.goto();
    await adminPage.getByRole('button', { name: 'New environment' }).click();
    await expect(envs.dialog()).toContainText('deleting it asks for its name to be typed');
    await expect(envs.dialog()).toContainText('Will drive placement advice');
    await envs.fillForm({ name: 'prod-e2e', color: '#b91c1c', production: true });
    await envs.dialog().getByRole('button', { name: 'Create environment' }).click();
    await expect(envs.row('prod-e2e')).toContainText('Production');
    await envs.delete('prod-e2e', { production: true });
  });
});

test('a role change asks first, naming the user and the new role', async ({ adminPage }) => {
  const request = adminPage.context().request;
  const users = await trpc<{ email: string }[]>(request, 'users.list', undefined, 'query');
  if (!users.some((u) => u.email === 'role-e2e@e2e.test')) {
    await trpc(request, 'users.create', { email: 'role-e2e@e2e.test', name: 'Riley Role', role: 'member', password: 'riley-role-password' });
  }
  await adminPage.goto('/settings');
  const role = adminPage.getByLabel('Role of role-e2e@e2e.test');
  await role.selectOption('admin');
  const dialog = adminPage.getByRole('dialog');
  await expect(dialog).toContainText('Make Riley Role an admin?');
  await expect(dialog).toContainText('role-e2e@e2e.test: member → admin');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(role).toHaveValue('member');
  const listed = await trpc<{ email: string; role: string }[]>(request, 'users.list', undefined, 'query');
  expect(listed.find((u) => u.email === 'role-e2e@e2e.test')?.role).toBe('member');

  await role.selectOption('admin');
  await dialog.getByRole('button', { name: 'Make admin' }).click();
  await expect(dialog).toBeHidden();
  await expect(role).toHaveValue('admin');
  await role.selectOption('member');
  await dialog.getByRole('button', { name: 'Make member' }).click();
  await expect(role).toHaveValue('member');
});

test.describe('attach form', () => {
  test('switching provider keeps the addon choices it can and names the ones it cannot', async ({ adminPage }) => {
    const attach = new AttachClusterPage(adminPage);
    await attach.goto();
    await attach.fill({ provider: 'AWS EKS' });
    await attach.addonSwitch('KEDA').click();
    await attach.addonSwitch('AWS EFS CSI driver').click();
    await expect(attach.addonSwitch('KEDA')).toHaveAttribute('aria-checked', 'true');

    await attach.fill({ provider: 'CoreWeave CKS' });
    await expect(attach.addonSwitch('KEDA')).toHaveAttribute('aria-checked', 'true');
    await expect(adminPage.getByTestId('provider-switch-notes')).toContainText('AWS EFS CSI driver (on) is not offered on CoreWeave CKS.');
  });

  test('typed input is not lost to a click on another page’s link without asking', async ({ adminPage }) => {
    const attach = new AttachClusterPage(adminPage);
    await attach.goto();
    await attach.fill({ name: 'half-typed' });
    const link = adminPage.getByRole('navigation').getByRole('link', { name: 'Environments' });

    adminPage.once('dialog', (dialog) => void dialog.dismiss());
    await link.click();
    await expect(adminPage).toHaveURL(/\/clusters\/attach$/);
    await expect(adminPage.getByLabel('Cluster name')).toHaveValue('half-typed');

    adminPage.once('dialog', (dialog) => void dialog.accept());
    await link.click();
    await expect(adminPage).toHaveURL(/\/environments$/);
  });
});
