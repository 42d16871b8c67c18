import { expect, type Locator, type Page } from '@playwright/test';

export interface AttachFormValues {
  name?: string;
  provider?: string;
  region?: string;
  environments?: string[];
  baseDomains?: string;
}

/** Clusters → Attach Existing Cluster, by role and accessible name. */
export class AttachClusterPage {
  constructor(readonly page: Page) {}

  async goto() {
    await this.page.goto('/clusters/attach');
    await expect(this.page.getByRole('heading', { name: 'Attach Existing Cluster', level: 1 })).toBeVisible();
  }

  addonSwitch(name: string): Locator {
    return this.page.getByRole('switch', { name, exact: true });
  }

  environments(): Locator {
    return this.page.getByRole('group', { name: 'Environments' });
  }

  async fill(values: AttachFormValues) {
    if (values.name !== undefined) await this.page.getByLabel('Cluster name').fill(values.name);
    if (values.provider !== undefined) await this.page.getByLabel('Provider').selectOption({ label: values.provider });
    if (values.region !== undefined) await this.page.getByLabel('Region').fill(values.region);
    for (const env of values.environments ?? []) await this.environments().getByRole('checkbox', { name: env, exact: true }).check();
    if (values.baseDomains !== undefined) await this.page.getByLabel('Base domains').fill(values.baseDomains);
  }

  async submit() {
    await this.page.getByRole('button', { name: 'Attach cluster' }).click();
  }

  tokenField(): Locator {
    return this.page.getByRole('textbox', { name: 'Cluster token' });
  }
}

/** Clusters (the fleet view). */
export class FleetPage {
  readonly table: Locator;

  constructor(readonly page: Page) {
    this.table = page.getByRole('table', { name: 'Clusters' });
  }

  async goto(query = '') {
    await this.page.goto(`/clusters${query}`);
    await expect(this.page.getByRole('heading', { name: 'Clusters', level: 1 })).toBeVisible();
  }

  row(name: string): Locator {
    return this.table.getByRole('row').filter({ has: this.page.getByRole('link', { name, exact: true }) });
  }

  /** Names of the clusters on the current page, in order. */
  async names(): Promise<string[]> {
    return this.table.getByRole('row').getByRole('link').allTextContents();
  }

  /** Ticks (or, when ticked, unticks) each value in a multi-select filter ("Status", "Environment"). */
  async toggleFilter(filter: 'Status' | 'Environment', values: string[]) {
    const menu = this.page.locator(`details[data-filter="${filter}"]`);
    if ((await menu.getAttribute('open')) === null) await menu.locator('summary').click();
    for (const value of values) await menu.getByRole('checkbox', { name: value, exact: true }).click();
    await menu.locator('summary').click();
  }

  needsAttention(): Locator {
    return this.page.getByRole('checkbox', { name: /Needs attention/ });
  }
}

/** One cluster's page. */
export class ClusterPage {
  constructor(readonly page: Page) {}

  async goto(name: string) {
    await this.page.goto(`/clusters/${name}`);
    await expect(this.page.getByRole('heading', { name, level: 1 })).toBeVisible();
  }

  dialog(): Locator {
    return this.page.getByRole('dialog');
  }

  /** A tab of the cluster page (Overview, Nodes, Addons, Audit), in its own tab bar. */
  tab(label: string): Locator {
    return this.page.getByRole('navigation', { name: 'Cluster sections' }).getByRole('link', { name: label, exact: true });
  }
}
