/**
 * An alert end to end: a webhook channel and a Disconnected rule made in the UI, a real
 * agent that connects and then stops, the firing notification at a receiver on loopback
 * and on the page, then the agent back and the resolve notification.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DEMO_FLEET, type DemoCluster } from '@/demo/fleet';
import { SimulatedCluster } from '@/demo/simulated-cluster';
import { DEFAULT_GPU_TYPE_LABEL, DEFAULT_NODE_POOL_LABEL } from '@/testing/kube-objects';
import { startWebhookReceiver, type ReceivedRequest } from '@/testing/webhook-receiver';
import { E2E_DIR, E2E_PORT } from './env';
import { expect, test, trpc } from './fixtures';
import { AlertsPage } from './pages/alerts-page';

interface WebhookBody {
  event: string;
  cluster: { name: string } | null;
  alert: { state: string; summary: string } | null;
}
const bodyOf = (request: ReceivedRequest) => request.body as WebhookBody;

test('a Disconnected rule notifies a webhook when the agent drops, once, and again when it is back; the page follows', async ({ adminPage, baseURL }) => {
  test.setTimeout(120_000);
  const receiver = await startWebhookReceiver();
  const controlPlaneUrl = baseURL ?? `http://127.0.0.1:${E2E_PORT}`;
  const name = 'alerts-e2e';
  // An environment of its own: other specs' agents come and go, and must not trip this rule.
  const env = await trpc<{ id: number }>(adminPage.request, 'environments.create', { name: 'alerts-e2e', color: '#6366f1', isProduction: false, optimizeFor: 'cost' });
  // The demo's first cluster, smaller: the real agent against a simulated Kubernetes API.
  const demo = DEMO_FLEET[0]!;
  const cluster: DemoCluster = { ...demo, name, environments: ['alerts-e2e'], pools: [{ name: 'cpu', count: 2, cpu: 16, memoryGi: 64 }] };
  const attached = await trpc<{ token: string }>(adminPage.request, 'clusters.attach', { name, provider: demo.provider, region: demo.region, environmentIds: [env.id] });
  const secretPath = '/hooks/e2e/s3cr3t-t0ken-WXYZ';

  const page = new AlertsPage(adminPage);
  await page.goto();
  await expect(adminPage.getByText('No channels yet')).toBeVisible();
  await page.createChannel({ name: 'e2e-hook', kind: 'Webhook (JSON)', url: `${receiver.url}${secretPath}` });
  // Only the hint is ever shown again.
  const port = new URL(receiver.url).port;
  await expect(page.channels()).toContainText(`127.0.0.1:${port} …WXYZ`);
  await expect(adminPage.getByText('s3cr3t-t0ken')).toHaveCount(0);
  await expect(await page.testChannel('e2e-hook')).toHaveText('Delivered (HTTP 200)');
  expect(bodyOf(receiver.requests[0]!).event).toBe('test');

  await page.createRule({ name: 'e2e-away', environment: 'alerts-e2e', condition: 'Disconnected', minutes: 0, channels: ['e2e-hook'] });
  await expect(adminPage.getByRole('table', { name: 'Alert rules' })).toContainText('e2e-away');

  const startAgent = () =>
    SimulatedCluster.start({
      cluster,
      labelKeys: { nodePool: DEFAULT_NODE_POOL_LABEL, gpuType: DEFAULT_GPU_TYPE_LABEL },
      controlPlaneUrl,
      token: attached.token,
      registryHosts: [new URL(controlPlaneUrl).host],
      logWrite: () => undefined,
    });

  let agent = await startAgent();
  try {
    // Connected (or Degraded by its preflight): either way the agent is there.
    await expect
      .poll(async () => (await trpc<{ cluster: { status: string } }>(adminPage.request, 'clusters.get', { name }, 'query')).cluster.status, { timeout: 20_000 })
      .toMatch(/^(connected|degraded)$/);
  } finally {
    await agent.stop();
  }

  const firing = await receiver.waitFor((r) => bodyOf(r).event === 'firing', 30_000);
  expect(bodyOf(firing)).toMatchObject({ cluster: { name }, alert: { state: 'firing', summary: expect.stringContaining(`${name} is disconnected`) } });
  expect(firing.path).toBe(secretPath);
  const firingRow = page.firing().getByRole('row').filter({ hasText: name });
  await expect(firingRow).toContainText('Firing');
  await expect(page.deliveries()).toContainText('Delivered');

  agent = await startAgent();
  try {
    const resolved = await receiver.waitFor((r) => bodyOf(r).event === 'resolved', 30_000);
    expect(bodyOf(resolved)).toMatchObject({ cluster: { name }, alert: { state: 'resolved' } });
    await expect(page.resolved().getByRole('row').filter({ hasText: name })).toContainText('Resolved');
    await expect(page.firing()).toHaveCount(0);
    // Deduplicated: one firing and one resolve for the one incident.
    expect(receiver.requests.map((r) => bodyOf(r).event)).toEqual(['test', 'firing', 'resolved']);
  } finally {
    await agent.stop();
    await receiver.close();
  }

  // The URL's secret path was never logged or stored in the clear.
  const logged = ['fleetdeck.db', 'fleetdeck.db-wal', 'server.log']
    .map((file) => path.join(E2E_DIR, file))
    .filter((file) => fs.existsSync(file))
    .map((file) => fs.readFileSync(file).toString('latin1'))
    .join('\n');
  expect(logged).not.toContain('s3cr3t-t0ken');
});

test('a member reads alerts, rules and channels but is offered no changes', async ({ memberPage }) => {
  await memberPage.goto('/');
  await memberPage.getByRole('link', { name: 'Alerts', exact: true }).click();
  await expect(memberPage.getByRole('heading', { name: 'Alerts', level: 1 })).toBeVisible();
  await expect(memberPage.getByRole('heading', { name: 'Delivery log' })).toBeVisible();
  for (const action of ['New channel', 'New rule']) await expect(memberPage.getByRole('button', { name: action })).toHaveCount(0);
  await expect(memberPage.getByRole('button', { name: /^(Test|Delete|Edit) / })).toHaveCount(0);
});
