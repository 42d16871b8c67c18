import { expect, type Locator, type Page } from '@playwright/test';

export interface WorkspaceFormInput {
  name?: string;
  cluster?: string;
  environment?: string;
  labels?: [string, string][];
  tolerations?: { key: string; operator: 'Equal' | 'Exists'; value?: string; effect?: string }[];
  quota?: { cpu?: string; memory?: string; gpus?: string };
}

/** The Workspaces list, the workspace form and a workspace's page, by role and accessible name. */
export class WorkspacesPage {
  readonly table: Locator;
  readonly form: Locator;

  constructor(readonly page: Page) {
    this.table = page.getByRole('table', { name: 'Workspaces' });
    this.form = page.locator('form').filter({ has: page.getByRole('button', { name: /Create workspace|Save changes/ }) });
  }

  async goto(query = '') {
    await this.page.goto(`/workspaces${query}`);
    await expect(this.page.getByRole('heading', { name: 'Workspaces', level: 1 })).toBeVisible();
  }

  async gotoNew(cluster?: string) {
    await this.page.goto(cluster ? `/workspaces/new?cluster=${cluster}` : '/workspaces/new');
    await expect(this.page.getByRole('heading', { name: 'New workspace', level: 1 })).toBeVisible();
    await expect(this.clusterSelect).toBeVisible();
  }

  get nameInput(): Locator {
    return this.form.getByRole('textbox', { name: 'Workspace name' });
  }

  get clusterSelect(): Locator {
    return this.page.getByRole('combobox', { name: 'Cluster', exact: true });
  }

  get environmentSelect(): Locator {
    return this.form.getByRole('combobox', { name: 'Environment', exact: true });
  }

  /** The environments the form offers (placeholder excluded), once the cluster's are loaded. */
  async offeredEnvironments(): Promise<string[]> {
    await expect(this.environmentSelect).toBeEnabled();
    const labels = await this.environmentSelect.locator('option').allTextContents();
    return labels.filter((label) => !label.endsWith('…')).map((label) => label.replace(/ \(production\)$/, ''));
  }

  async fill(values: WorkspaceFormInput) {
    if (values.name !== undefined) await this.nameInput.fill(values.name);
    if (values.cluster !== undefined) await this.clusterSelect.selectOption({ label: values.cluster });
    if (values.environment !== undefined) {
      await expect(this.environmentSelect).toBeEnabled();
      // A production environment's option reads "prod (production)".
      const option = this.environmentSelect.locator('option').filter({ hasText: new RegExp(`^${values.environment}( \\(production\\))?$`) });
      await this.environmentSelect.selectOption((await option.getAttribute('value')) ?? '');
    }
    for (const [key, value] of values.labels ?? []) {
      await this.form.getByRole('button', { name: 'Add label' }).click();
      const n = await this.form.getByLabel(/^Label \d+ key$/).count();
      await this.form.getByLabel(`Label ${n} key`).fill(key);
      await this.form.getByLabel(`Label ${n} value`).fill(value);
    }
    for (const toleration of values.tolerations ?? []) {
      await this.form.getByRole('button', { name: 'Add toleration' }).click();
      const n = await this.form.getByLabel(/^Toleration \d+ key$/).count();
      await this.form.getByLabel(`Toleration ${n} key`).fill(toleration.key);
      await this.form.getByLabel(`Toleration ${n} operator`).selectOption(toleration.operator);
      if (toleration.value !== undefined) await this.form.getByLabel(`Toleration ${n} value`).fill(toleration.value);
      if (toleration.effect !== undefined) await this.form.getByLabel(`Toleration ${n} effect`).selectOption(toleration.effect);
    }
    if (values.quota?.cpu !== undefined) await this.form.getByLabel('CPU').fill(values.quota.cpu);
    if (values.quota?.memory !== undefined) await this.form.getByLabel('Memory').fill(values.quota.memory);
    if (values.quota?.gpus !== undefined) await this.form.getByLabel('GPUs').fill(values.quota.gpus);
  }

  async submitCreate() {
    await this.form.getByRole('button', { name: 'Create workspace' }).click();
  }

  /** A group of rows (Labels, Tolerations, Resource quota); its message is in its accessible description. */
  section(title: string): Locator {
    return this.form.getByRole('group', { name: title });
  }

  row(fqn: string): Locator {
    return this.table.getByRole('row').filter({ hasText: fqn });
  }

  copyButton(fqn: string): Locator {
    return this.page.getByRole('button', { name: `Copy ${fqn}`, exact: true });
  }

  environmentFilter(name: string): Locator {
    return this.page.getByRole('group', { name: 'Environment' }).getByRole('button', { name, exact: true });
  }

  get search(): Locator {
    return this.page.getByRole('searchbox', { name: 'Search workspaces' });
  }

  /** Opens a workspace's page and waits for its FQN. */
  async gotoWorkspace(cluster: string, name: string) {
    await this.page.goto(`/workspaces/${cluster}/${name}`);
    await expect(this.page.getByRole('heading', { name, level: 1 })).toBeVisible();
  }
}
