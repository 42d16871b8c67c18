/**
 * The fleet list for triage: several statuses and environments at once, "needs
 * attention", and Back stepping through filters, sort and page; an impossible page
 * number in the URL is corrected; the Overview's cards open the filtered list.
 */
import type { APIRequestContext } from '@playwright/test';
import { E2E_ADMIN } from './env';
import { expect, test, trpc } from './fixtures';
import { FleetPage } from './pages/clusters-pages';

const PREFIX = 'triage-e2e';
/** One more than a page of 25, so there is a page 2. */
const COUNT = 26;

async function environmentIds(request: APIRequestContext): Promise<Record<string, number>> {
  const environments = await trpc<{ id: number; name: string }[]>(request, 'environments.list', undefined, 'query');
  return Object.fromEntries(environments.map((env) => [env.name, env.id]));
}

test.describe('fleet list for triage', () => {
  test.beforeAll(async ({ playwright }, workerInfo) => {
    const request = await playwright.request.newContext({ baseURL: workerInfo.project.use.baseURL });
    await trpc(request, 'auth.signIn', E2E_ADMIN);
    const ids = await environmentIds(request);
    const existing = await trpc<{ total: number }>(request, 'clusters.list', { search: PREFIX }, 'query');
    const envOf = (i: number) => (i === 0 ? 'prod' : i === 1 ? 'staging' : 'dev');
    for (let i = existing.total; i < COUNT; i++) {
      const name = `${PREFIX}-${String(i).padStart(2, '0')}`;
      await trpc(request, 'clusters.attach', { name, provider: 'generic', region: 'lab-1', environmentIds: [ids[envOf(i)]] });
    }
    await request.dispose();
  });

  test('multi-select filters, needs attention, and Back through filters, sort and page', async ({ adminPage }) => {
    const fleet = new FleetPage(adminPage);
    await fleet.goto(`?q=${PREFIX}`);
    await expect(adminPage.getByText(`1–25 of ${COUNT} clusters`)).toBeVisible();

    // Page 2, then Back to page 1.
    await adminPage.getByRole('button', { name: 'Next' }).click();
    await expect(adminPage).toHaveURL(/page=2/);
    await expect(fleet.table.getByRole('row')).toHaveCount(2);
    await adminPage.goBack();
    await expect(adminPage).not.toHaveURL(/page=2/);
    await expect(adminPage.getByText(`1–25 of ${COUNT} clusters`)).toBeVisible();

    // Two environments at once.
    await fleet.toggleFilter('Environment', ['prod']);
    await expect(adminPage).toHaveURL(/env=prod(&|$)/);
    await expect.poll(() => fleet.names()).toEqual([`${PREFIX}-00`]);
    await fleet.toggleFilter('Environment', ['staging']);
    await expect(adminPage).toHaveURL(/env=prod%2Cstaging/);
    await expect(fleet.table.getByRole('row')).toHaveCount(3);

    // Sort by name, descending.
    await fleet.table.getByRole('button', { name: 'Name' }).click();
    await expect(adminPage).toHaveURL(/dir=desc/);
    await expect.poll(() => fleet.names()).toEqual([`${PREFIX}-01`, `${PREFIX}-00`]);

    // Several statuses, and needs attention (none of these has an agent yet).
    await fleet.toggleFilter('Status', ['Awaiting agent']);
    await expect(adminPage).toHaveURL(/status=awaiting_agent(&|$)/);
    await fleet.toggleFilter('Status', ['Degraded']);
    await expect(adminPage).toHaveURL(/status=awaiting_agent%2Cdegraded/);
    await expect(fleet.table.getByRole('row')).toHaveCount(3);
    await fleet.needsAttention().click();
    await expect(fleet.needsAttention()).toBeChecked();
    await expect(adminPage).toHaveURL(/attention=1/);
    await expect(adminPage.getByText('No cluster matches these filters')).toBeVisible();

    // Back undoes one step at a time.
    await adminPage.goBack();
    await expect(adminPage).not.toHaveURL(/attention=1/);
    await expect(fleet.needsAttention()).not.toBeChecked();
    await expect(fleet.table.getByRole('row')).toHaveCount(3);
    await adminPage.goBack();
    await expect(adminPage).toHaveURL(/status=awaiting_agent(&|$)/);
    await adminPage.goBack();
    await expect(adminPage).not.toHaveURL(/status=/);
    await adminPage.goBack();
    await expect(adminPage).not.toHaveURL(/dir=desc/);
    await expect.poll(() => fleet.names()).toEqual([`${PREFIX}-00`, `${PREFIX}-01`]);
    await adminPage.goBack();
    await expect(adminPage).toHaveURL(/env=prod(&|$)/);
    await expect(fleet.table.getByRole('row')).toHaveCount(2);
    await adminPage.goBack();
    await expect(adminPage).not.toHaveURL(/env=/);
    await expect(adminPage.getByText(`1–25 of ${COUNT} clusters`)).toBeVisible();
  });

  test('an impossible page number is corrected to the last page', async ({ adminPage }) => {
    const fleet = new FleetPage(adminPage);
    await fleet.goto(`?q=${PREFIX}&page=999`);
    await expect(adminPage).toHaveURL(/[?&]page=2(&|$)/);
    await expect(adminPage.getByText(`26–${COUNT} of ${COUNT} clusters`)).toBeVisible();
    // Corrected in place: Back leaves the list rather than returning to page 999.
    expect(await adminPage.evaluate(() => window.location.search)).not.toContain('999');
  });

  test('the Overview’s cards open the filtered list', async ({ adminPage }) => {
    await adminPage.goto('/');
    await adminPage.getByRole('link', { name: /Need attention/ }).click();
    await expect(adminPage).toHaveURL(/\/clusters\?status=awaiting_agent%2Cdegraded%2Cdisconnected&sort=status/);
    await expect(adminPage.locator('details[data-filter="Status"] summary')).toContainText('Awaiting agent, Degraded, Disconnected');
  });
});
