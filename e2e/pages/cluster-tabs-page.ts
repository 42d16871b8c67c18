import { expect, type Locator, type Page } from '@playwright/test';

/** One cluster's page and its tabs (Overview, Nodes, Addons, Audit), by role and accessible name. */
export class ClusterTabsPage {
  readonly tabs: Locator;
  readonly nodesTable: Locator;

  constructor(
    readonly page: Page,
    readonly name: string,
  ) {
    // Scoped to the cluster's own tab bar: the app's navigation has an "Audit" link too.
    this.tabs = page.getByRole('navigation', { name: 'Cluster sections' });
    this.nodesTable = page.getByRole('table', { name: 'Nodes' });
  }

  url(segment = ''): string {
    return segment ? `/clusters/${this.name}/${segment}` : `/clusters/${this.name}`;
  }

  async goto(segment = '') {
    await this.page.goto(this.url(segment));
    await expect(this.page.getByRole('heading', { name: this.name, level: 1 })).toBeVisible();
  }

  tab(label: string): Locator {
    return this.tabs.getByRole('link', { name: label, exact: true });
  }

  async expectCurrent(label: string) {
    await expect(this.tab(label)).toHaveAttribute('aria-current', 'page');
    await expect(this.tabs.locator('[aria-current="page"]')).toHaveCount(1);
  }

  nodeRow(nodeName: string): Locator {
    return this.nodesTable.getByRole('row').filter({ hasText: nodeName });
  }

  readinessFilter(label: string): Locator {
    return this.page.getByRole('button', { name: new RegExp(`^${label}( \\(\\d[\\d,]*\\))?$`) });
  }
}
