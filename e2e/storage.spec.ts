/**
 * Issue 11, item 1: an admin adds an S3-compatible integration on the e2e s3rver
 * (e2e/serve-s3.ts) and Test connection writes, reads and deletes a probe; a wrong secret
 * fails the write step with "access denied", and replacing it fixes the integration; a
 * bad root URI of each kind is refused beside its field; the secret is in no page and
 * not in the server log; members see no Storage tab and the server refuses them.
 */
import fs from 'node:fs';
import type { Locator, Page } from '@playwright/test';
import { E2E_DIR, E2E_S3_PORT } from './env';
import { expect, test, trpc } from './fixtures';

const ENDPOINT = `http://127.0.0.1:${E2E_S3_PORT}`;

async function openNewIntegration(page: Page): Promise<Locator> {
  await page.getByRole('button', { name: 'New integration' }).click();
  const dialog = page.getByRole('dialog', { name: 'New storage integration' });
  await expect(dialog).toBeVisible();
  return dialog;
}

async function createS3Compatible(page: Page, name: string, rootUri: string, secret: string) {
  const dialog = await openNewIntegration(page);
  await dialog.getByLabel('Kind').selectOption({ label: 'S3-compatible' });
  await dialog.getByLabel('Name').fill(name);
  await dialog.getByLabel('Endpoint URL').fill(ENDPOINT);
  await dialog.getByLabel('Root URI').fill(rootUri);
  await dialog.getByLabel('Access key ID').fill('S3RVER');
  await dialog.getByLabel('Secret access key').fill(secret);
  await expect(dialog.getByLabel('Secret access key')).toHaveAttribute('type', 'password');
  await dialog.getByRole('button', { name: 'Create integration' }).click();
  await expect(dialog).toBeHidden();
}

function step(dialog: Locator, label: string): Locator {
  return dialog.getByRole('list', { name: 'Connection test steps' }).getByRole('listitem').filter({ hasText: label });
}

test('an admin adds S3-compatible storage, tests it step by step, and never sees a secret again', async ({ adminPage: page }) => {
  const suffix = Date.now().toString(36);
  const wrongSecret = `e2e-wrong-secret-${suffix}-Zq9`;
  const good = `s3rver-good-${suffix}`;
  const wrong = `s3rver-wrong-${suffix}`;

  await page.goto('/settings');
  await page.getByRole('navigation', { name: 'Settings sections' }).getByRole('link', { name: 'Storage' }).click();
  await expect(page.getByRole('heading', { name: 'Storage integrations' })).toBeVisible();

  await createS3Compatible(page, good, `s3://ml-artifacts/e2e-${suffix}`, 'S3RVER');
  const table = page.getByRole('table', { name: 'Storage integrations' });
  const goodRow = table.getByRole('row', { name: new RegExp(good) });
  await expect(goodRow).toContainText('access key …RVER');
  await expect(goodRow).toContainText('Not tested');

  await goodRow.getByRole('button', { name: `Test connection of ${good}` }).click();
  const testDialog = page.getByRole('dialog', { name: `Test connection: ${good}` });
  for (const label of ['Write a probe object', 'Read it back', 'Delete it']) {
    await expect(step(testDialog, label)).toContainText('✓');
    await expect(step(testDialog, label)).toContainText(`${label}: passed`);
  }
  await testDialog.getByRole('button', { name: 'Close' }).click();
  await expect(goodRow).toContainText('Passed');

  // A wrong secret: the write step says access denied, the rest do not run.
  await createS3Compatible(page, wrong, `s3://ml-artifacts/e2e-${suffix}`, wrongSecret);
  const wrongRow = table.getByRole('row', { name: new RegExp(wrong) });
  await wrongRow.getByRole('button', { name: `Test connection of ${wrong}` }).click();
  const failedDialog = page.getByRole('dialog', { name: `Test connection: ${wrong}` });
  await expect(step(failedDialog, 'Write a probe object')).toContainText('✗');
  await expect(step(failedDialog, 'Write a probe object')).toContainText('Access denied');
  await expect(step(failedDialog, 'Read it back')).toContainText('Not run');
  await failedDialog.getByRole('button', { name: 'Close' }).click();
  await expect(wrongRow).toContainText('Failed: write');

  // The secret is in no page: not after creation, not after a reload.
  expect(await page.content()).not.toContain(wrongSecret);
  await page.reload();
  await expect(wrongRow).toBeVisible();
  expect(await page.content()).not.toContain(wrongSecret);
  const listed = await trpc(page.context().request, 'storage.list', undefined, 'query');
  expect(JSON.stringify(listed)).not.toContain(wrongSecret);

  // Replacing the credentials fixes it; the old ones are never shown.
  await wrongRow.getByRole('button', { name: `Replace credentials of ${wrong}` }).click();
  const replaceDialog = page.getByRole('dialog', { name: `Replace credentials: ${wrong}` });
  await expect(replaceDialog.getByLabel('Secret access key')).toHaveValue('');
  await replaceDialog.getByLabel('Access key ID').fill('S3RVER');
  await replaceDialog.getByLabel('Secret access key').fill('S3RVER');
  await replaceDialog.getByRole('button', { name: 'Replace credentials' }).click();
  await expect(replaceDialog).toBeHidden();
  await expect(wrongRow).toContainText('Not tested');
  await wrongRow.getByRole('button', { name: `Test connection of ${wrong}` }).click();
  await expect(step(page.getByRole('dialog', { name: `Test connection: ${wrong}` }), 'Delete it')).toContainText('✓');

  expect(fs.readFileSync(`${E2E_DIR}/server.log`, 'utf8')).not.toContain(wrongSecret);
});

test('a bad root URI of each kind is refused beside its field', async ({ adminPage: page }) => {
  await page.goto('/settings/storage');
  const dialog = await openNewIntegration(page);
  const cases = [
    { kind: 'AWS S3', root: 'gs://bucket/prefix', message: 'Enter a root like s3://bucket/prefix' },
    { kind: 'Google Cloud Storage', root: 's3://bucket/prefix', message: 'Enter a root like gs://bucket/prefix' },
    { kind: 'Azure Blob', root: 'https://acme.example.com/models', message: 'Enter a root like https://<account>.blob.core.windows.net/<container>/<prefix>' },
    { kind: 'S3-compatible', root: 's3://Not_A_Bucket/x', message: 'An S3 bucket name uses lower-case letters' },
  ];
  for (const c of cases) {
    await dialog.getByLabel('Kind').selectOption({ label: c.kind });
    await dialog.getByLabel('Name').fill('bad-root');
    await dialog.getByLabel('Root URI').fill(c.root);
    await dialog.getByRole('button', { name: 'Create integration' }).click();
    await expect(dialog.getByLabel('Root URI')).toHaveAttribute('aria-invalid', 'true');
    await expect(dialog.getByRole('alert').filter({ hasText: c.message })).toBeVisible();
  }
  // The server refuses the same on its own, on the same field.
  const response = await page.context().request.post('/api/trpc/storage.create', {
    data: { json: { kind: 'gcs', name: 'bad-root', rootUri: 's3://x/y', serviceAccountKey: '{"type":"service_account"}' } },
  });
  const body = (await response.json()) as { error: { json: { data: { fieldErrors: Record<string, string[]> } } } };
  expect(Object.keys(body.error.json.data.fieldErrors).sort()).toEqual(['rootUri', 'serviceAccountKey']);
});

test('a member sees no Storage tab and the server refuses their changes', async ({ memberPage: page }) => {
  await page.goto('/settings');
  await expect(page.getByRole('navigation', { name: 'Settings sections' }).getByRole('link', { name: 'Account and users' })).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Settings sections' }).getByRole('link', { name: 'Storage' })).toHaveCount(0);
  await expect(
    trpc(page.context().request, 'storage.create', {
      kind: 's3-compatible',
      name: 'member-attempt',
      endpoint: ENDPOINT,
      rootUri: 's3://ml-artifacts/member',
      accessKeyId: 'S3RVER',
      secretAccessKey: 'S3RVER',
    }),
  ).rejects.toThrow('Your role does not allow this');
});
