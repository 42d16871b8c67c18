/**
 * The frame around every page: deep links through sign-in, the stale-connection banner,
 * the nav a role may use, the theme, the favicon and the 404 page.
 */
import type { APIRequestContext } from '@playwright/test';
import { DEMO_FLEET, type DemoCluster } from '@/demo/fleet';
import { SimulatedCluster } from '@/demo/simulated-cluster';
import { DEFAULT_GPU_TYPE_LABEL, DEFAULT_NODE_POOL_LABEL } from '@/testing/kube-objects';
import { E2E_ADMIN, E2E_PORT } from './env';
import { expect, test, trpc } from './fixtures';
import { FleetPage } from './pages/clusters-pages';

async function environmentId(request: APIRequestContext, name: string): Promise<number> {
  const environments = await trpc<{ id: number; name: string }[]>(request, 'environments.list', undefined, 'query');
  const found = environments.find((env) => env.name === name);
  if (!found) throw new Error(`no environment ${name}`);
  return found.id;
}

test.describe('deep links', () => {
  test('a signed-out visit to a cluster page returns there after sign-in; another origin never', async ({ adminPage, page }) => {
    const name = 'deep-link-e2e';
    await trpc(adminPage.context().request, 'clusters.attach', {
      name,
      provider: 'generic',
      region: 'lab-1',
      environmentIds: [await environmentId(adminPage.context().request, 'dev')],
    });

    await page.goto(`/clusters/${name}?tab=overview`);
    await expect(page).toHaveURL(/\/sign-in\?next=/);
    await page.getByLabel('Email').fill(E2E_ADMIN.email);
    await page.getByLabel('Password').fill(E2E_ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page).toHaveURL(new RegExp(`/clusters/${name}\\?tab=overview$`));
    await expect(page.getByRole('heading', { name, level: 1 })).toBeVisible();

    // A crafted link to another site lands on the overview instead.
    await page.context().clearCookies();
    await page.goto('/sign-in?next=//evil.example/steal');
    await page.getByLabel('Email').fill(E2E_ADMIN.email);
    await page.getByLabel('Password').fill(E2E_ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('heading', { name: 'Overview', level: 1 })).toBeVisible();
    expect(new URL(page.url()).origin).toBe(`http://127.0.0.1:${E2E_PORT}`);
  });
});

test.describe('a live page that loses its connection', () => {
  test('says so with a banner, shows the status as of when it was fresh, and recovers on reconnect; search finds the GPU type', async ({
    adminPage,
    baseURL,
  }) => {
    const name = 'offline-e2e';
    const request = adminPage.context().request;
    const attached = await trpc<{ token: string }>(request, 'clusters.attach', {
      name,
      provider: 'coreweave-cks',
      region: 'US-EAST-04',
      environmentIds: [await environmentId(request, 'dev')],
    });
    const coreweave = DEMO_FLEET.find((c) => c.provider === 'coreweave-cks');
    if (!coreweave) throw new Error('the demo fleet has no CoreWeave cluster');
    const cluster: DemoCluster = { ...coreweave, name, pools: [{ name: 'b200', count: 2, gpuType: 'B200-E2E', gpusPerNode: 8 }] };
    const simulated = await SimulatedCluster.start({
      cluster,
      labelKeys: { nodePool: DEFAULT_NODE_POOL_LABEL, gpuType: DEFAULT_GPU_TYPE_LABEL },
      controlPlaneUrl: baseURL ?? `http://127.0.0.1:${E2E_PORT}`,
      token: attached.token,
      registryHosts: [`127.0.0.1:${E2E_PORT}`],
      logWrite: () => undefined,
    });
    try {
      const fleet = new FleetPage(adminPage);
      // Found by its GPU type, not its name.
      await fleet.goto('?q=b200-e2e');
      const row = fleet.row(name);
      await expect(row).toContainText('Connected', { timeout: 20_000 });
      await expect(row).toContainText('last seen');
      const banner = adminPage.getByRole('alert').filter({ hasText: /offline|live connection/ });
      await expect(banner).toHaveCount(0);

      await adminPage.context().setOffline(true);
      await expect(banner).toBeVisible();
      await expect(banner).toContainText(/Showing data as of \d\d:\d\d:\d\d/);
      // The row no longer claims to be fresh.
      await expect(row).toContainText('Last known: Connected');
      await expect(row).toContainText(/as of \d\d:\d\d:\d\d/);
      await expect(row).not.toContainText('last seen');

      await adminPage.context().setOffline(false);
      await expect(banner).toHaveCount(0, { timeout: 20_000 });
      await expect(row).toContainText('last seen');
      await expect(row).not.toContainText('Last known');
    } finally {
      await adminPage.context().setOffline(false);
      await simulated.stop();
    }
  });
});

test.describe('navigation and chrome', () => {
  test('the Audit link is only for those who may open it', async ({ adminPage, memberPage }) => {
    await adminPage.goto('/');
    await expect(adminPage.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit' })).toBeVisible();
    await memberPage.goto('/');
    const memberNav = memberPage.getByRole('navigation', { name: 'Main' });
    await expect(memberNav.getByRole('link', { name: 'Clusters' })).toBeVisible();
    await expect(memberNav.getByRole('link', { name: 'Audit' })).toHaveCount(0);
  });

  test('the theme toggle switches to dark, and a reload paints dark at once', async ({ adminPage }) => {
    await adminPage.goto('/environments');
    const background = () => adminPage.evaluate(() => getComputedStyle(document.body).backgroundColor);
    await adminPage.getByLabel('Theme').selectOption('light');
    await expect(adminPage.locator('html')).toHaveClass(/\blight\b/);
    const light = await background();

    await adminPage.getByLabel('Theme').selectOption('dark');
    await expect(adminPage.locator('html')).toHaveClass(/\bdark\b/);
    expect(await background()).not.toBe(light);
    // The server writes the class, so the very first paint is dark (no script needed).
    const html = await (await adminPage.request.get('/environments')).text();
    expect(html).toMatch(/<html[^>]*class="dark"/);
    await adminPage.reload();
    await expect(adminPage.getByLabel('Theme')).toHaveValue('dark');
    expect(await background()).not.toBe(light);

    await adminPage.getByLabel('Theme').selectOption('system');
    await expect(adminPage.locator('html')).not.toHaveClass(/\b(dark|light)\b/);
  });

  test('a favicon is served and linked', async ({ adminPage }) => {
    await adminPage.goto('/');
    const href = await adminPage.locator('link[rel="icon"]').first().getAttribute('href');
    expect(href).toBeTruthy();
    const icon = await adminPage.request.get(href ?? '/icon.svg');
    expect(icon.status()).toBe(200);
    expect(icon.headers()['content-type']).toContain('image/svg+xml');
  });

  test('an unknown address shows the branded 404 with ways back, and a missing cluster offers no Try again', async ({ adminPage }) => {
    const response = await adminPage.goto('/no-such-page-e2e');
    expect(response?.status()).toBe(404);
    await expect(adminPage.getByRole('heading', { name: 'Page not found' })).toBeVisible();
    await expect(adminPage.getByRole('link', { name: 'Fleetdeck' })).toBeVisible();
    await adminPage.getByRole('navigation', { name: 'Ways back' }).getByRole('link', { name: 'Clusters' }).click();
    await expect(adminPage.getByRole('heading', { name: 'Clusters', level: 1 })).toBeVisible();

    await adminPage.goto('/clusters/no-such-cluster-e2e');
    await expect(adminPage.getByRole('alert').filter({ hasText: 'no-such-cluster-e2e' })).toBeVisible();
    await expect(adminPage.getByRole('button', { name: 'Try again' })).toHaveCount(0);
  });
});
