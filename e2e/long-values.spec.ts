/**
 * Issue 9, findings 3 and 5: a very long value in every text field of every form is
 * refused with a short message beside its field and the page does not grow sideways;
 * a message stays only while it is true (one per field, gone when the field is edited),
 * and a refused submit puts the cursor on the first field to fix.
 */
import type { Locator, Page } from '@playwright/test';
import { expect, test, trpc } from './fixtures';
import { AttachClusterPage } from './pages/clusters-pages';
import { EnvironmentsPage } from './pages/environments-page';
import { E2E_ADMIN } from './env';

const LONG = 5_000;
/** "What is wrong and the limit" fits in this; an echoed value does not. */
const SHORT_MESSAGE = 200;

const long = (prefix = '') => prefix + 'a'.repeat(LONG - prefix.length);

async function expectNoSidewaysScroll(page: Page) {
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({
    scrollWidth: document.scrollingElement?.scrollWidth ?? 0,
    innerWidth: window.innerWidth,
  }));
  expect(scrollWidth, 'the page is wider than the window').toBeLessThanOrEqual(innerWidth);
}

/** Every error message in `scope` is short; returns them for further checks. */
async function expectShortMessages(scope: Locator, atLeast: number): Promise<string[]> {
  const alerts = scope.getByRole('alert');
  await expect(alerts.first()).toBeVisible();
  const messages = await alerts.allInnerTexts();
  expect(messages.length).toBeGreaterThanOrEqual(atLeast);
  for (const message of messages) {
    expect(message.length, `"${message.slice(0, 80)}…"`).toBeLessThan(SHORT_MESSAGE);
    expect(message).not.toContain('a'.repeat(50));
  }
  return messages;
}

/** The one message shown for the field labelled `label` (via its aria-describedby). */
async function messageOf(page: Page, control: Locator): Promise<string> {
  const ids = ((await control.getAttribute('aria-describedby')) ?? '').split(' ').filter((id) => id.endsWith('-error'));
  if (ids.length === 0) return '';
  return page.locator(`[id="${ids[0]}"]`).innerText();
}

test.describe('a 5,000-character value in every text field', () => {
  test('sign-in', async ({ page }) => {
    await page.goto('/sign-in');
    await page.getByLabel('Email').fill(long('x@') + '.com');
    await page.getByLabel('Password').fill(long());
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expectShortMessages(page.locator('form'), 2);
    await expect(page.getByText('Email must be at most 254 characters')).toBeVisible();
    await expect(page.getByText('Password must be at most 512 characters')).toBeVisible();
    await expect(page.getByLabel('Email')).toBeFocused();
    await expectNoSidewaysScroll(page);
  });

  test('attach cluster', async ({ adminPage }) => {
    const attach = new AttachClusterPage(adminPage);
    await attach.goto();
    await attach.fill({ name: long('gpu'), provider: 'AWS EKS', region: long(), baseDomains: long('apps.') + '.com', environments: ['dev'] });
    await adminPage.getByLabel('Prometheus URL').fill(long('http://prom.example.com/'));
    await adminPage.getByLabel('Node pool label').fill(long('fleetdeck.io/'));
    await adminPage.getByLabel('GPU type label').fill(long());
    await attach.submit();
    const form = adminPage.getByRole('form', { name: 'Attach Existing Cluster' });
    const messages = await expectShortMessages(form, 6);
    expect(messages).toEqual(
      expect.arrayContaining([
        'Cluster name must be at most 35 characters',
        'Region must be at most 64 characters',
        'A base domain must be at most 253 characters',
        'The URL must be at most 2048 characters',
      ]),
    );
    await expect(adminPage.getByLabel('Cluster name')).toBeFocused();
    await expectNoSidewaysScroll(adminPage);
  });

  test('environment', async ({ adminPage }) => {
    const envs = new EnvironmentsPage(adminPage);
    await envs.goto();
    await adminPage.getByRole('button', { name: 'New environment' }).click();
    await envs.fillForm({ name: long(), color: long('#') });
    await envs.dialog().getByRole('button', { name: 'Create environment' }).click();
    await expectShortMessages(envs.dialog(), 2);
    await expect(envs.dialog().getByText('Name must be at most 32 characters')).toBeVisible();
    await expect(envs.dialog().getByLabel('Name')).toBeFocused();
    await expectNoSidewaysScroll(adminPage);
  });

  test('new user and change password', async ({ adminPage }) => {
    await adminPage.goto('/settings');
    await adminPage.getByRole('button', { name: 'New user' }).click();
    const dialog = adminPage.getByRole('dialog');
    await dialog.getByLabel('Email').fill(long('a@') + '.com');
    await dialog.getByLabel('Name').fill(long());
    await dialog.getByLabel('Initial password').fill(long());
    await dialog.getByRole('button', { name: 'Create user' }).click();
    await expectShortMessages(dialog, 3);
    await expect(dialog.getByText('Name must be at most 100 characters')).toBeVisible();
    await expectNoSidewaysScroll(adminPage);
    await dialog.getByRole('button', { name: 'Cancel' }).click();

    await adminPage.getByLabel('Current password').fill(long());
    await adminPage.getByLabel('New password').fill(long());
    await adminPage.getByRole('button', { name: 'Change password' }).click();
    const messages = await expectShortMessages(adminPage.locator('form').filter({ has: adminPage.getByLabel('Current password') }), 2);
    expect(messages).toEqual(['Password must be at most 512 characters', 'Password must be at most 512 characters']);
    await expect(adminPage.getByLabel('Current password')).toBeFocused();
    await expectNoSidewaysScroll(adminPage);
  });

  test('the server refuses what a form would, without echoing the value', async ({ adminPage }) => {
    const request = adminPage.context().request;
    const response = await request.post('/api/trpc/clusters.attach', {
      data: {
        json: {
          name: 'long-url',
          provider: 'generic',
          region: 'lab-1',
          environmentIds: [1],
          prometheusUrl: 'http://' + 'a'.repeat(10_000) + '.example.com',
          baseDomains: ['b'.repeat(10_000) + '.com'],
        },
      },
    });
    expect(response.status()).toBe(400);
    const body = await response.text();
    expect(body.length).toBeLessThan(2_000);
    expect(body).not.toContain('a'.repeat(50));
    expect(body).not.toContain('b'.repeat(50));
    expect(body).toContain('The URL must be at most 2048 characters');
  });
});

test.describe('form messages stay only while true', () => {
  test('an empty field shows one message, not two run together', async ({ adminPage }) => {
    const envs = new EnvironmentsPage(adminPage);
    await envs.goto();
    await adminPage.getByRole('button', { name: 'New environment' }).click();
    await envs.fillForm({ name: '' });
    await envs.dialog().getByRole('button', { name: 'Create environment' }).click();
    const name = envs.dialog().getByLabel('Name');
    await expect(name).toBeFocused();
    expect(await messageOf(adminPage, name)).toBe('Name is required');
    // Editing the field takes its old message away until the next submit.
    await name.fill('Bad Name');
    await expect(name).toHaveAttribute('aria-invalid', 'false');
    await envs.dialog().getByRole('button', { name: 'Create environment' }).click();
    expect(await messageOf(adminPage, name)).toBe('Use lower-case letters, digits and "-", starting with a letter');
  });

  test('a server error leaves its field when the value changes, and focus goes to it', async ({ adminPage }) => {
    await adminPage.goto('/settings');
    await adminPage.getByRole('button', { name: 'New user' }).click();
    const dialog = adminPage.getByRole('dialog');
    const email = dialog.getByLabel('Email');
    await email.fill(E2E_ADMIN.email);
    await dialog.getByLabel('Name').fill('Second Admin');
    await dialog.getByLabel('Initial password').fill('a-long-enough-password');
    await dialog.getByRole('button', { name: 'Create user' }).click();
    await expect(dialog.getByText(`A user with email ${E2E_ADMIN.email} already exists`)).toBeVisible();
    await expect(email).toBeFocused();
    await email.fill('someone-else@e2e.test');
    await expect(dialog.getByText('already exists')).toHaveCount(0);
    await expect(email).toHaveAttribute('aria-invalid', 'false');
    await dialog.getByRole('button', { name: 'Cancel' }).click();

    // The wrong current password: said on its field, gone once it is corrected.
    const current = adminPage.getByLabel('Current password');
    await current.fill('not-the-password');
    await adminPage.getByLabel('New password').fill('another-long-password');
    await adminPage.getByRole('button', { name: 'Change password' }).click();
    await expect(current).toHaveAttribute('aria-invalid', 'true');
    const message = await messageOf(adminPage, current);
    expect(message).not.toBe('');
    await current.fill(E2E_ADMIN.password);
    await expect(adminPage.getByText(message, { exact: true })).toHaveCount(0);
    await expect(current).toHaveAttribute('aria-invalid', 'false');
    // Nothing was changed: the admin still signs in with the original password.
    await trpc(adminPage.context().request, 'auth.signIn', E2E_ADMIN);
  });
});
