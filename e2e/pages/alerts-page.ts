import { expect, type Locator, type Page } from '@playwright/test';

/** The Alerts page, by role and accessible name. */
export class AlertsPage {
  constructor(readonly page: Page) {}

  async goto() {
    await this.page.goto('/alerts');
    await expect(this.page.getByRole('heading', { name: 'Alerts', level: 1 })).toBeVisible();
  }

  dialog(): Locator {
    return this.page.getByRole('dialog');
  }

  firing(): Locator {
    return this.page.getByRole('table', { name: 'Firing alerts' });
  }

  resolved(): Locator {
    return this.page.getByRole('table', { name: 'Resolved alerts' });
  }

  channels(): Locator {
    return this.page.getByRole('table', { name: 'Notification channels' });
  }

  deliveries(): Locator {
    return this.page.getByRole('table', { name: 'Delivery log' });
  }

  async createChannel(values: { name: string; kind: 'Webhook (JSON)' | 'Slack'; url: string }) {
    await this.page.getByRole('button', { name: 'New channel' }).click();
    const dialog = this.dialog();
    await dialog.getByLabel('Name').fill(values.name);
    await dialog.getByLabel('Format').selectOption({ label: values.kind });
    await dialog.getByLabel('Webhook URL').fill(values.url);
    await dialog.getByRole('button', { name: 'Create channel' }).click();
    await expect(dialog).toHaveCount(0);
  }

  /** Presses the channel's Test button and returns its result line. */
  async testChannel(name: string): Promise<Locator> {
    await this.page.getByRole('button', { name: `Test ${name}`, exact: true }).click();
    return this.page.getByTestId(`test-result-${name}`);
  }

  async createRule(values: { name: string; environment: string; condition: 'Disconnected' | 'Degraded' | 'NotReady nodes'; minutes?: number; channels: string[] }) {
    await this.page.getByRole('button', { name: 'New rule' }).click();
    const dialog = this.dialog();
    await dialog.getByLabel('Name').fill(values.name);
    await dialog.getByLabel('Environment').selectOption({ label: values.environment });
    await dialog.getByLabel('Condition').selectOption({ label: values.condition });
    if (values.minutes !== undefined) await dialog.getByLabel('For minutes').fill(String(values.minutes));
    for (const channel of values.channels) await dialog.getByRole('checkbox', { name: channel }).check();
    await dialog.getByRole('button', { name: 'Create rule' }).click();
    await expect(dialog).toHaveCount(0);
  }
}
