/**
 * The GPU Fleet page on the real path: two real agents (each on a simulated Kubernetes
 * API) whose Prometheus is a fake on loopback answering the summary set; each agent polls
 * and pushes, the gateway stores the summaries, the page reads them. The pooled card per
 * GPU type and the fleet totals equal the sum of the per-cluster rows; stopping one agent
 * marks its row stale while the other stays current.
 */
import type { APIRequestContext } from '@playwright/test';
import { startAgent, type AgentHandle } from '@/agent/agent';
import type { PrometheusVector } from '@/lib/agent-protocol';
import { FakeKubeApi } from '@/testing/fake-kube-api';
import { emptyResult, FakePrometheus, type FakePrometheusAnswer } from '@/testing/fake-prometheus';
import { E2E_PORT } from './env';
import { expect, test, trpc } from './fixtures';

interface Pool {
  type: string;
  pool: string;
  total: number;
  allocated: number;
  idle: number;
  util: number;
}

/** Answers the summary set's GPU queries (server/metrics/summary.ts) with `pools`, by what each query sums. */
function summaryAnswer(pools: Pool[]) {
  return (path: string, params: URLSearchParams): FakePrometheusAnswer => {
    const query = params.get('query') ?? '';
    if (path !== '/api/v1/query') return { data: emptyResult(path) };
    const vector = (value: (p: Pool) => number): PrometheusVector => ({
      resultType: 'vector',
      result: pools.map((p) => ({ metric: { gpu_type: p.type, node_pool: p.pool }, value: [Date.now() / 1000, String(value(p))] })),
    });
    if (query.startsWith('sum by (gpu_type, node_pool)') && query.includes('kube_node_status_allocatable')) return { data: vector((p) => p.total) };
    if (query.startsWith('sum by (gpu_type, node_pool)')) return { data: vector((p) => p.allocated) };
    if (query.startsWith('count by (gpu_type, node_pool)')) return { data: vector((p) => p.idle) };
    if (query.startsWith('avg by (gpu_type, node_pool)')) return { data: vector((p) => p.util) };
    return { data: emptyResult(path) };
  };
}

const CLUSTERS: { name: string; pools: Pool[] }[] = [
  { name: 'gpu-e2e-alpha', pools: [{ type: 'H100', pool: 'train', total: 8, allocated: 6, idle: 2, util: 40 }] },
  {
    name: 'gpu-e2e-beta',
    pools: [
      { type: 'H100', pool: 'big', total: 16, allocated: 4, idle: 0, util: 80 },
      { type: 'L4', pool: 'infer', total: 4, allocated: 4, idle: 1, util: 20 },
    ],
  },
];

async function attach(request: APIRequestContext, name: string, environmentId: number): Promise<string> {
  const { token } = await trpc<{ token: string }>(request, 'clusters.attach', { name, provider: 'generic', region: 'lab-1', environmentIds: [environmentId] });
  return token;
}

const numberIn = async (text: Promise<string>) => Number((await text).replace(/[^\d.]/g, ''));

test.describe('the GPU Fleet page', () => {
  test('pooled totals equal the sum over the clusters; a stopped agent turns its row stale', async ({ adminPage }) => {
    const request = adminPage.context().request;
    const env = await trpc<{ id: number }>(request, 'environments.create', { name: 'gpu-e2e', color: '#6366f1', isProduction: false, optimizeFor: 'cost' });
    const running: { agent: AgentHandle; kube: FakeKubeApi; prometheus: FakePrometheus; stopped?: boolean }[] = [];
    try {
      for (const cluster of CLUSTERS) {
        const prometheus = await new FakePrometheus({ answer: summaryAnswer(cluster.pools) }).start();
        const kube = await new FakeKubeApi().start();
        const agent = startAgent({
          controlPlaneUrl: `http://127.0.0.1:${E2E_PORT}`,
          token: await attach(request, cluster.name, env.id),
          kubeconfigPath: kube.kubeconfigFile(),
          prometheusUrl: prometheus.url,
          registryHosts: [`127.0.0.1:${E2E_PORT}`],
          logWrite: () => undefined,
        });
        running.push({ agent, kube, prometheus });
      }
      // Both summaries stored (the agents poll at once on connecting).
      await expect
        .poll(async () => (await trpc<{ totals: { reporting: number } }>(request, 'gpuFleet.overview', { environments: ['gpu-e2e'] }, 'query')).totals.reporting, { timeout: 30_000 })
        .toBe(2);

      await adminPage.goto('/gpu?env=gpu-e2e');
      await expect(adminPage.getByRole('heading', { level: 1, name: 'GPU Fleet' })).toBeVisible();
      const table = adminPage.getByRole('table', { name: 'GPUs per cluster' });
      await expect(table.getByRole('row')).toHaveCount(3); // header + two clusters

      // Each type's card: its total is the sum of that type in the rows (8 + 16 H100, 4 L4).
      const h100 = adminPage.getByRole('listitem', { name: 'H100 GPUs' });
      await expect(h100.getByRole('definition').first()).toHaveText('24');
      await expect(adminPage.getByRole('listitem', { name: 'L4 GPUs' }).getByRole('definition').first()).toHaveText('4');
      // Where is a free H100: beta's "big" pool has 12.
      await expect(h100.getByText('12 free')).toBeVisible();

      // Fleet totals equal the sum of the rows' Total / Allocated / Idle / Free columns.
      const totals = adminPage.getByRole('region', { name: 'Fleet GPU totals' });
      const columnIndex = async (header: string) =>
        (await table.getByRole('columnheader').allInnerTexts()).findIndex((text) => text.trim().startsWith(header));
      for (const [header, stat, expected] of [
        ['Total', 'GPUs', 28],
        ['Allocated', 'Allocated', 14],
        ['Idle', 'Allocated but idle', 3],
        ['Free', 'Free', 14],
      ] as const) {
        const index = await columnIndex(header);
        const cells = table.getByRole('row').filter({ has: adminPage.getByRole('cell') });
        let sum = 0;
        for (let row = 0; row < 2; row++) sum += await numberIn(cells.nth(row).getByRole('cell').nth(index).innerText());
        expect(sum, header).toBe(expected);
        await expect(totals.getByText(stat, { exact: true }).locator('xpath=following-sibling::p[1]')).toHaveText(String(expected));
      }

      // One agent stops: its numbers are kept, marked stale with their age; the other row stays current.
      running[0]!.stopped = true;
      await running[0]!.agent.stop();
      await expect(table.getByRole('row', { name: /gpu-e2e-alpha/ }).getByText(/^Stale · /)).toBeVisible({ timeout: 30_000 });
      await expect(table.getByRole('row', { name: /gpu-e2e-beta/ }).getByText(/Stale/)).toHaveCount(0);
      await expect(h100.getByRole('definition').first()).toHaveText('24');
    } finally {
      for (const { agent, kube, prometheus, stopped } of running) {
        if (!stopped) await agent.stop();
        await kube.stop();
        await prometheus.stop();
      }
    }
  });
});
