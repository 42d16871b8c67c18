/**
 * Every main page at 390 × 844 (a phone): no sideways page scroll, the product name in
 * the header, tables as cards with the Status line visible, long values cut rather than
 * widening the page, and row actions still reachable.
 */
import type { Page } from '@playwright/test';
import { E2E_ADMIN } from './env';
import { expect, test, trpc } from './fixtures';

test.use({ viewport: { width: 390, height: 844 } });

/** 35 characters, the longest cluster name allowed. */
const CLUSTER = 'narrow-screen-cluster-35-characters';
/** 32 characters, the longest workspace name allowed: its FQN is 68 characters. */
const WORKSPACE = 'narrow-screen-workspace-32-chars';
/** A 254-character address, the longest the schema allows. */
const LONG_EMAIL = `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(56)}.test`;

/** The page is no wider than the window: anything wider scrolls inside its own box. */
async function expectNoSidewaysScroll(page: Page, where: string) {
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({
    scrollWidth: document.scrollingElement?.scrollWidth ?? Number.POSITIVE_INFINITY,
    innerWidth: window.innerWidth,
  }));
  expect(scrollWidth, `${where}: page is ${scrollWidth}px wide in a ${innerWidth}px window`).toBeLessThanOrEqual(innerWidth);
}

test.describe('narrow screens (390 px)', () => {
  test.beforeAll(async ({ playwright }, workerInfo) => {
    const request = await playwright.request.newContext({ baseURL: workerInfo.project.use.baseURL });
    await trpc(request, 'auth.signIn', E2E_ADMIN);
    const environments = await trpc<{ id: number; name: string }[]>(request, 'environments.list', undefined, 'query');
    const clusters = await trpc<{ total: number }>(request, 'clusters.list', { search: CLUSTER }, 'query');
    if (clusters.total === 0) {
      await trpc(request, 'clusters.attach', { name: CLUSTER, provider: 'aws-eks', region: 'us-east-1', environmentIds: environments.map((env) => env.id) });
    }
    const cluster = (await trpc<{ rows: { id: number; name: string }[] }>(request, 'clusters.list', { search: CLUSTER }, 'query')).rows[0];
    const workspaces = await trpc<{ total: number }>(request, 'workspaces.list', { search: `${CLUSTER}:${WORKSPACE}` }, 'query');
    if (cluster && workspaces.total === 0) {
      const prod = environments.find((env) => env.name === 'prod') ?? environments[0];
      await trpc(request, 'workspaces.create', { name: WORKSPACE, clusterId: cluster.id, environmentId: prod?.id, labels: { team: 'ml' } });
    }
    const users = await trpc<{ email: string }[]>(request, 'users.list', undefined, 'query');
    if (!users.some((user) => user.email === LONG_EMAIL)) {
      await trpc(request, 'users.create', { email: LONG_EMAIL, name: 'N'.repeat(100), role: 'member', password: 'a-long-enough-password' });
    }
    await request.dispose();
  });

  test('every main page fits the width, with the product name in the header', async ({ adminPage }) => {
    const pages: [string, string][] = [
      ['/', 'Overview'],
      ['/clusters', 'Clusters'],
      [`/clusters/${CLUSTER}`, CLUSTER],
      ['/clusters/attach', 'Attach Existing Cluster'],
      ['/alerts', 'Alerts'],
      ['/environments', 'Environments'],
      ['/audit', 'Audit trail'],
      ['/settings', 'Settings'],
      ['/workspaces', 'Workspaces'],
      ['/workspaces/new', 'New workspace'],
      [`/workspaces/${CLUSTER}/${WORKSPACE}`, WORKSPACE],
      [`/clusters/${CLUSTER}/workspaces`, CLUSTER],
      ['/ml-repos', 'ML repos'],
      ['/ml-repos/new', 'New ML repo'],
      ['/settings/teams', 'Settings'],
      ['/settings/storage', 'Settings'],
      ['/gpu', 'GPU Fleet'],
    ];
    for (const [path, heading] of pages) {
      await adminPage.goto(path);
      await expect(adminPage.getByRole('heading', { level: 1 }).first()).toContainText(heading);
      await expect(adminPage.getByRole('banner').getByRole('link', { name: 'Fleetdeck' })).toBeVisible();
      await expectNoSidewaysScroll(adminPage, path);
    }
    await adminPage.goto('/no-such-page');
    await expectNoSidewaysScroll(adminPage, '404');
  });

  test('the fleet shows each cluster as a card with its Status; the nav opens as a drawer', async ({ adminPage }) => {
    await adminPage.goto(`/clusters?q=${CLUSTER}`);
    const card = adminPage.getByRole('cell').filter({ hasText: 'Awaiting agent' }).first();
    await expect(card).toBeInViewport();
    const statusLabel = await card.evaluate((cell) => getComputedStyle(cell, '::before').content);
    expect(statusLabel).toBe('"Status"');

    const nav = adminPage.getByRole('navigation', { name: 'Main' });
    await expect(nav.getByRole('link', { name: 'Environments' })).toBeHidden();
    await adminPage.getByRole('button', { name: 'Toggle navigation' }).click();
    await nav.getByRole('link', { name: 'Environments' }).click();
    await expect(adminPage).toHaveURL(/\/environments$/);
    await expect(nav.getByRole('link', { name: 'Environments' })).toBeHidden();
  });

  test('workspaces are cards: the 68-character FQN wraps, its copy button and the Sync line stay on screen', async ({ adminPage }) => {
    const fqn = `${CLUSTER}:${WORKSPACE}`;
    await adminPage.goto(`/workspaces?q=${encodeURIComponent(fqn)}`);
    const copy = adminPage.getByRole('button', { name: `Copy ${fqn}`, exact: true });
    await copy.scrollIntoViewIfNeeded();
    await expect(copy).toBeInViewport();
    const sync = adminPage.getByRole('cell').filter({ hasText: 'Pending' }).first();
    await sync.scrollIntoViewIfNeeded();
    await expect(sync).toBeInViewport();
    expect(await sync.evaluate((cell) => getComputedStyle(cell, '::before').content)).toBe('"Sync"');
    await expectNoSidewaysScroll(adminPage, '/workspaces with a 68-character FQN');
  });

  test('a 254-character email keeps the Users table usable: cut with a tooltip, actions reachable', async ({ adminPage }) => {
    await adminPage.goto('/settings');
    const email = adminPage.getByTitle(LONG_EMAIL, { exact: true }).first();
    await expect(email).toBeVisible();
    const box = await email.boundingBox();
    expect(box?.width ?? Number.POSITIVE_INFINITY).toBeLessThan(390);
    await expectNoSidewaysScroll(adminPage, '/settings with a long email');
    const row = adminPage.getByRole('row').filter({ has: email });
    const action = row.getByRole('button', { name: 'Deactivate' });
    await action.scrollIntoViewIfNeeded();
    await expect(action).toBeInViewport();
  });
});
