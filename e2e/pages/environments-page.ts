import { expect, type Locator, type Page } from '@playwright/test';

/** The Environments page, by role and accessible name. */
export class EnvironmentsPage {
  readonly table: Locator;

  constructor(readonly page: Page) {
    this.table = page.getByRole('table', { name: 'Environments' });
  }

  async goto() {
    await this.page.goto('/environments');
    await expect(this.page.getByRole('heading', { name: 'Environments', level: 1 })).toBeVisible();
  }

  row(name: string): Locator {
    return this.table.getByRole('row').filter({ has: this.page.getByText(name, { exact: true }) });
  }

  dialog(): Locator {
    return this.page.getByRole('dialog');
  }

  deleteButton(name: string): Locator {
    return this.page.getByRole('button', { name: `Delete ${name}`, exact: true });
  }

  /** Deletes `name` through its confirmation; a production environment's name is typed first. */
  async delete(name: string, { production = false } = {}) {
    await this.deleteButton(name).click();
    const dialog = this.dialog();
    const confirm = dialog.getByRole('button', { name: 'Delete environment' });
    if (production) {
      await expect(confirm).toBeDisabled();
      await dialog.getByLabel(`Type ${name} to confirm`).fill(name);
    }
    await confirm.click();
    await expect(this.row(name)).toHaveCount(0);
  }

  async fillForm(values: { name?: string; color?: string; optimizeFor?: 'Cost' | 'Availability'; production?: boolean }) {
    const dialog = this.dialog();
    if (values.name !== undefined) await dialog.getByLabel('Name').fill(values.name);
    if (values.color !== undefined) await dialog.getByRole('textbox', { name: 'Colour' }).fill(values.color);
    if (values.optimizeFor) await dialog.getByLabel('Optimise for').selectOption({ label: values.optimizeFor });
    if (values.production !== undefined) {
      const toggle = dialog.getByRole('switch', { name: 'Production' });
      if ((await toggle.getAttribute('aria-checked')) !== String(values.production)) await toggle.click();
    }
  }
}
