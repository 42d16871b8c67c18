/**
 * The cluster Metrics tab on the real path: a real agent (on a simulated Kubernetes API)
 * whose Prometheus is a fake on loopback answering every chart but one, which fails with
 * Prometheus' own error. The tab charts the rest for 1 h and for 7 d, shows the failing
 * chart's reason with Retry, and reads a chart as a table with units.
 */
import type { APIRequestContext } from '@playwright/test';
import { startAgent } from '@/agent/agent';
import type { PrometheusMatrix } from '@/lib/agent-protocol';
import { FakeKubeApi } from '@/testing/fake-kube-api';
import { emptyResult, FakePrometheus, type FakePrometheusAnswer } from '@/testing/fake-prometheus';
import { E2E_PORT } from './env';
import { expect, test, trpc } from './fixtures';
import { ClusterTabsPage } from './pages/cluster-tabs-page';

async function environmentId(request: APIRequestContext, name: string): Promise<number> {
  const environments = await trpc<{ id: number; name: string }[]>(request, 'environments.list', undefined, 'query');
  const found = environments.find((env) => env.name === name);
  if (!found) throw new Error(`no environment ${name}`);
  return found.id;
}

const TEMPERATURE_ERROR = 'query processing would load too many samples into memory in query execution';

/** Two series on the query's own grid (42 and 58), except the temperature chart, which Prometheus refuses. */
function answer(path: string, params: URLSearchParams): FakePrometheusAnswer {
  if (path !== '/api/v1/query_range') return { data: emptyResult(path) };
  if (params.get('query')?.includes('DCGM_FI_DEV_GPU_TEMP')) return { status: 422, errorType: 'execution', error: TEMPERATURE_ERROR };
  const start = Number(params.get('start'));
  const end = Number(params.get('end'));
  const step = Number(params.get('step'));
  const series = (labels: Record<string, string>, value: string) => {
    const values: [number, string][] = [];
    for (let t = start; t <= end; t += step) values.push([t, value]);
    return { metric: labels, values };
  };
  const data: PrometheusMatrix = {
    resultType: 'matrix',
    result: [series({ modelName: 'NVIDIA H100 80GB HBM3', node: 'gpu-a', instance: 'gpu-a' }, '42'), series({ modelName: 'NVIDIA L4', node: 'gpu-b', instance: 'gpu-b' }, '58')],
  };
  return { data };
}

test.describe('the cluster Metrics tab', () => {
  test('charts a connected cluster for 1 h and 7 d, and one failing chart shows its reason and Retry', async ({ adminPage }) => {
    const name = 'metrics-e2e';
    const request = adminPage.context().request;
    const prometheus = await new FakePrometheus({ answer }).start();
    const kube = await new FakeKubeApi().start();
    const { token } = await trpc<{ token: string }>(request, 'clusters.attach', {
      name,
      provider: 'generic',
      region: 'lab-1',
      environmentIds: [await environmentId(request, 'dev')],
    });
    const agent = startAgent({
      controlPlaneUrl: `http://127.0.0.1:${E2E_PORT}`,
      token,
      kubeconfigPath: kube.kubeconfigFile(),
      prometheusUrl: prometheus.url,
      registryHosts: [`127.0.0.1:${E2E_PORT}`],
      logWrite: () => undefined,
    });
    try {
      const cluster = new ClusterTabsPage(adminPage, name);
      await expect.poll(async () => (await trpc<{ status: string }>(request, 'clusters.attachStatus', { name }, 'query')).status, { timeout: 20_000 }).toMatch(/^(connected|degraded)$/);
      await cluster.goto();
      await cluster.tab('Metrics').click();
      await cluster.expectCurrent('Metrics');

      await expect(adminPage.getByRole('heading', { name: 'Cluster health', level: 3 })).toBeVisible();
      await expect(adminPage.getByRole('heading', { name: 'GPU', level: 3 })).toBeVisible();
      const utilisation = adminPage.getByRole('article', { name: 'GPU utilisation by model' });
      const temperature = adminPage.getByRole('article', { name: 'GPU temperature' });

      // 1 h: the chart draws (recharts' SVG, with its legend), the failing one says why.
      await expect(utilisation.locator('svg.recharts-surface').first()).toBeVisible({ timeout: 15_000 });
      await expect(utilisation.getByText('NVIDIA H100 80GB HBM3').first()).toBeVisible();
      await expect(temperature.getByRole('alert')).toContainText(`Prometheus execution: ${TEMPERATURE_ERROR}`);
      await expect(temperature.getByRole('button', { name: 'Retry' })).toBeVisible();
      // One chart failing blocks no other.
      await expect(adminPage.getByRole('article', { name: 'GPU power' }).locator('svg.recharts-surface').first()).toBeVisible();

      // The same numbers as a table, with their unit.
      await utilisation.getByRole('button', { name: 'Show as table' }).click();
      const table = utilisation.getByRole('table', { name: 'GPU utilisation by model (%)' });
      await expect(table.getByRole('columnheader', { name: 'NVIDIA L4' })).toBeVisible();
      await expect(table.getByRole('cell', { name: '58 %' }).first()).toBeVisible();

      // 7 d: the range is in the URL, and Prometheus is asked for seven days.
      await adminPage.getByRole('button', { name: '7d', exact: true }).click();
      await expect(adminPage).toHaveURL(/\/metrics\?range=7d$/);
      await expect(adminPage.getByRole('article', { name: 'GPU power' }).locator('svg.recharts-surface').first()).toBeVisible();
      await expect(temperature.getByRole('alert')).toContainText(TEMPERATURE_ERROR);
      const sevenDays = prometheus.queries.filter((q) => q.path === '/api/v1/query_range' && Number(q.params.end) - Number(q.params.start) >= 7 * 86_400 - 3_600);
      expect(sevenDays.length).toBeGreaterThan(0);
      for (const q of sevenDays) expect((Number(q.params.end) - Number(q.params.start)) / Number(q.params.step)).toBeLessThanOrEqual(11_000);

      // A custom range the server would refuse is refused beside the field.
      await adminPage.getByRole('button', { name: 'Custom' }).click();
      const form = adminPage.getByRole('form', { name: 'Custom time range' });
      await form.getByLabel('Start (UTC)').fill('2026-01-02T10:00');
      await form.getByLabel('End (UTC)').fill('2026-01-02T09:00');
      await form.getByRole('button', { name: 'Apply' }).click();
      await expect(form.getByText('End must be after start')).toBeVisible();
    } finally {
      await agent.stop();
      await kube.stop();
      await prometheus.stop();
    }
  });
});
