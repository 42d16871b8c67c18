import { expect, type Locator, type Page } from '@playwright/test';

/** The ML repo form and a repo's tabs (Access, Artifacts, Audit), by role and accessible name. */
export class MlReposPage {
  constructor(readonly page: Page) {}

  async create(values: { name: string; description?: string; storage: string }) {
    await this.page.goto('/ml-repos/new');
    await expect(this.page.getByRole('heading', { name: 'New ML repo', level: 1 })).toBeVisible();
    await this.page.getByRole('textbox', { name: 'Repo name' }).fill(values.name);
    if (values.description) await this.page.getByRole('textbox', { name: 'Description' }).fill(values.description);
    const storage = this.page.getByRole('combobox', { name: 'Storage integration' });
    await storage.selectOption({ label: await storage.locator('option', { hasText: values.storage }).innerText() });
    await this.page.getByRole('button', { name: 'Create ML repo' }).click();
    await expect(this.page).toHaveURL(`/ml-repos/${values.name}`);
    await expect(this.page.getByRole('heading', { name: values.name, level: 1 })).toBeVisible();
  }

  async openTab(repo: string, tab: 'Access' | 'Artifacts' | 'Audit') {
    await this.page.goto(`/ml-repos/${repo}`);
    await this.page.getByRole('navigation', { name: 'ML repo sections' }).getByRole('link', { name: tab }).click();
    await expect(this.page).toHaveURL(`/ml-repos/${repo}/${tab.toLowerCase()}`);
  }

  get addGrantForm(): Locator {
    return this.page.getByRole('form', { name: 'Add grant' });
  }

  get grants(): Locator {
    return this.page.getByRole('table', { name: 'Grants' });
  }

  get whoCanAccess(): Locator {
    return this.page.getByRole('table', { name: 'Who can access this repo' });
  }

  /** The row of `subject` (an email, a team name or an FQN) in a table. */
  rowOf(table: Locator, subject: string): Locator {
    return table.getByRole('row').filter({ hasText: subject });
  }

  async grant(kind: 'User' | 'Team' | 'Workspace', subject: string, role: 'viewer' | 'editor' | 'admin') {
    const form = this.addGrantForm;
    await form.getByRole('combobox', { name: 'Subject kind' }).selectOption({ label: kind });
    await form.getByRole('searchbox', { name: /^Find a/ }).fill(subject);
    await form.getByRole('radio', { name: subject }).check();
    await form.getByRole('combobox', { name: 'Role to grant' }).selectOption(role);
    await form.getByRole('button', { name: 'Add grant' }).click();
    await expect(this.rowOf(this.grants, subject)).toBeVisible();
  }

  async changeRole(subject: string, role: 'viewer' | 'editor' | 'admin') {
    const select = this.grants.getByRole('combobox', { name: `Role of ${subject}` });
    await select.selectOption(role);
    await expect(select).toHaveValue(role);
  }

  async revoke(subject: string) {
    await this.grants.getByRole('button', { name: `Revoke ${subject}` }).click();
    const dialog = this.page.getByRole('dialog', { name: 'Revoke this grant?' });
    await dialog.getByRole('button', { name: 'Revoke grant' }).click();
    await expect(dialog).toBeHidden();
    await expect(this.rowOf(this.grants, subject)).toHaveCount(0);
  }

  get auditEvents(): Locator {
    return this.page.getByRole('table', { name: 'Repo audit events' });
  }
}
