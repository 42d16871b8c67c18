/**
 * Alerting end to end below the UI: rules judged against stored cluster state, one
 * firing notification per incident, retries on the injected clock, resolve
 * notifications, Slack's format, errors in our words. Notifications go to a real HTTP
 * receiver on loopback; on both engines (the postgres project runs this file too).
 */
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '@/server/logger';
import { routerHarness, type RouterHarness } from '@/testing/router-harness';
import { startWebhookReceiver, type WebhookReceiver } from '@/testing/webhook-receiver';
import { MAX_ATTEMPTS, RETRY_DELAYS_MS } from './dispatcher';

describe('alerts', () => {
  let h: RouterHarness;
  let receiver: WebhookReceiver;
  let now: Date;
  const logLines: string[] = [];

  beforeEach(async () => {
    now = new Date('2026-11-23T15:00:00Z');
    logLines.length = 0;
    receiver = await startWebhookReceiver();
    h = await routerHarness({
      log: createLogger('debug', (_level, line) => void logLines.push(line)),
      alerts: { clock: () => now, tickMs: 0, deliveryTimeoutMs: 300 },
    });
  });
  afterEach(async () => {
    await h.cp.close();
    await receiver.close();
  });

  const advance = (ms: number) => (now = new Date(now.getTime() + ms));

  async function attachCluster(name: string, environmentIds?: number[]) {
    if (!environmentIds) {
      const [lab] = (await h.asAdmin.environments.list()).filter((env) => env.name === 'lab');
      environmentIds = [lab?.id ?? (await h.asAdmin.environments.create({ name: 'lab', color: '#0ea5e9', isProduction: false, optimizeFor: 'cost' })).id];
    }
    await h.asAdmin.clusters.attach({ name, provider: 'aws-eks', region: 'us-east-1', environmentIds });
    const { clusters } = h.store.tables;
    const [row] = await h.store.db.select({ id: clusters.id }).from(clusters).where(eq(clusters.name, name));
    return row!.id;
  }

  /** Writes the cluster's state as the gateway would, and tells the bus. */
  async function setCluster(id: number, patch: Partial<typeof h.store.tables.clusters.$inferInsert>) {
    const { clusters } = h.store.tables;
    await h.store.transaction((tx) => tx.update(clusters).set(patch).where(eq(clusters.id, id)));
    h.cp.bus.publish({ type: 'cluster.changed', clusterIds: [id] });
  }

  /** Evaluation and delivery settled: what a test asserts on. */
  async function settle() {
    await h.cp.alerts.evaluate();
    await h.cp.alerts.sendDue();
  }

  async function deliveries() {
    const { alertDeliveries } = h.store.tables;
    return h.store.db.select().from(alertDeliveries).orderBy(alertDeliveries.id);
  }

  async function webhookRule(options: { condition?: 'disconnected' | 'degraded' | 'node_not_ready'; forMinutes?: number; environmentId?: number | null; kind?: 'webhook' | 'slack' } = {}) {
    const channel = await h.asAdmin.alerts.channels.create({ name: 'on-call', kind: options.kind ?? 'webhook', url: `${receiver.url}/hooks/T0/B0/secret-token-abcd` });
    const rule = await h.asAdmin.alerts.rules.create({
      name: 'cluster-away',
      environmentId: options.environmentId ?? null,
      condition: options.condition ?? 'disconnected',
      forMinutes: options.forMinutes ?? 0,
      channelIds: [channel.id],
      enabled: true,
    });
    return { channel, rule };
  }

  it('when a cluster disconnects, then one firing notification is sent, none more while it stays down, and one resolve when it is back', async () => {
    const id = await attachCluster('gpu-west');
    const { rule } = await webhookRule();
    await settle();
    expect(receiver.requests).toHaveLength(0);

    await setCluster(id, { status: 'disconnected', disconnectedAt: now, lastSeenAt: now });
    await settle();
    expect(receiver.requests).toHaveLength(1);
    const firing = receiver.requests[0]!;
    expect(firing.path).toBe('/hooks/T0/B0/secret-token-abcd');
    expect(firing.headers['content-type']).toBe('application/json');
    expect(firing.headers['x-fleetdeck-event']).toBe('firing');
    expect(firing.body).toMatchObject({
      version: 1,
      event: 'firing',
      alert: { state: 'firing', summary: expect.stringContaining('gpu-west is disconnected'), resolvedAt: null },
      rule: { id: rule.id, name: 'cluster-away', condition: 'disconnected', forMinutes: 0 },
      cluster: { id, name: 'gpu-west' },
      channel: { name: 'on-call' },
    });

    // The condition holds through more changes and ticks: deduplicated.
    for (let i = 0; i < 3; i++) {
      advance(60_000);
      await setCluster(id, { lastSeenAt: now });
      await settle();
    }
    expect(receiver.requests).toHaveLength(1);
    expect((await h.asAdmin.alerts.list()).firing.map((alert) => alert.cluster.name)).toEqual(['gpu-west']);

    await setCluster(id, { status: 'connected', disconnectedAt: null, connectedAt: now });
    await settle();
    expect(receiver.requests).toHaveLength(2);
    expect(receiver.requests[1]!.body).toMatchObject({ event: 'resolved', alert: { state: 'resolved', resolvedAt: now.toISOString() } });
    const listed = await h.asAdmin.alerts.list();
    expect(listed.firing).toHaveLength(0);
    expect(listed.resolved.map((alert) => alert.cluster.name)).toEqual(['gpu-west']);
    expect((await deliveries()).map((d) => [d.event, d.status, d.attempts])).toEqual([
      ['firing', 'delivered', 1],
      ['resolved', 'delivered', 1],
    ]);
  });

  it('when the cluster is down for less than the rule’s minutes, then nothing fires until the tick after they pass', async () => {
    const id = await attachCluster('gpu-west');
    await webhookRule({ forMinutes: 5 });
    await setCluster(id, { status: 'disconnected', disconnectedAt: now });
    await settle();
    advance(4 * 60_000);
    await settle();
    expect(receiver.requests).toHaveLength(0);
    advance(60_000);
    await settle();
    expect(receiver.requests).toHaveLength(1);
  });

  it('when the receiver answers 500, then the notification is retried on the backoff schedule until it is delivered', async () => {
    const id = await attachCluster('gpu-west');
    await webhookRule();
    receiver.failNext(3, 500);
    await setCluster(id, { status: 'disconnected', disconnectedAt: now });
    await settle();
    expect(receiver.requests).toHaveLength(1);
    let [delivery] = await deliveries();
    expect(delivery).toMatchObject({ status: 'pending', attempts: 1, lastError: 'HTTP 500', responseStatus: 500 });
    expect(delivery!.nextAttemptAt!.getTime() - now.getTime()).toBe(RETRY_DELAYS_MS[0]);

    // Not before it is due.
    advance(RETRY_DELAYS_MS[0]! - 1_000);
    await settle();
    expect(receiver.requests).toHaveLength(1);

    advance(1_000);
    await settle();
    advance(RETRY_DELAYS_MS[1]!);
    await settle();
    expect(receiver.requests).toHaveLength(3);
    [delivery] = await deliveries();
    expect(delivery).toMatchObject({ status: 'pending', attempts: 3 });
    advance(RETRY_DELAYS_MS[2]!);
    await settle();
    expect(receiver.requests).toHaveLength(4);
    [delivery] = await deliveries();
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 4, lastError: null, responseStatus: 200 });
    // Every attempt carried the same delivery id: a receiver can drop repeats.
    expect(new Set(receiver.requests.map((r) => (r.body as { deliveryId: number }).deliveryId)).size).toBe(1);
  });

  it('when the receiver keeps failing, then the fifth failure marks the delivery failed and no more are tried', async () => {
    const id = await attachCluster('gpu-west');
    await webhookRule();
    receiver.failNext(10, 503);
    await setCluster(id, { status: 'disconnected', disconnectedAt: now });
    await settle();
    for (const delay of RETRY_DELAYS_MS) {
      advance(delay);
      await settle();
    }
    advance(60 * 60_000);
    await settle();
    expect(receiver.requests).toHaveLength(MAX_ATTEMPTS);
    expect((await deliveries())[0]).toMatchObject({ status: 'failed', attempts: MAX_ATTEMPTS, lastError: 'HTTP 503', nextAttemptAt: null });
  });

  it('when pending retries are left by a stopped control plane, then a new dispatcher on the same store sends them', async () => {
    const id = await attachCluster('gpu-west');
    await webhookRule();
    receiver.failNext(1, 500);
    await setCluster(id, { status: 'disconnected', disconnectedAt: now });
    await settle();
    await h.cp.alerts.stop();
    const { createAlertEngine } = await import('./index');
    advance(RETRY_DELAYS_MS[0]!);
    const restarted = createAlertEngine({ store: h.store, log: h.cp.log, bus: h.cp.bus, secrets: h.cp.secrets, publicUrl: undefined, clock: () => now, tickMs: 0 });
    try {
      await restarted.sendDue();
      expect(receiver.requests).toHaveLength(2);
      expect((await deliveries())[0]).toMatchObject({ status: 'delivered', attempts: 2 });
    } finally {
      await restarted.stop();
    }
  });

  it('records failures in our own words, never the receiver’s body', async () => {
    const id = await attachCluster('gpu-west');
    const { channel } = await webhookRule();
    receiver.hangNext(1);
    await setCluster(id, { status: 'disconnected', disconnectedAt: now });
    await settle();
    expect((await deliveries())[0]).toMatchObject({ lastError: 'timed out after 0.3 s', responseStatus: null });

    receiver.redirectNext(1);
    const redirected = await h.asAdmin.alerts.channels.test({ id: channel.id });
    expect(redirected).toEqual({ delivered: false, status: 302, error: 'HTTP 302: redirect not followed' });

    const refused = await h.asAdmin.alerts.channels.create({ name: 'nobody-home', kind: 'webhook', url: 'http://127.0.0.1:9/hook' });
    expect(await h.asAdmin.alerts.channels.test({ id: refused.id })).toEqual({ delivered: false, status: null, error: 'connection refused' });

    receiver.failNext(1, 500);
    await h.asAdmin.alerts.channels.test({ id: channel.id });
    const log = await h.asMember.alerts.deliveries();
    expect(JSON.stringify(log)).not.toContain('SECRET-ECHO');
    expect(logLines.join('\n')).not.toContain('SECRET-ECHO');
    expect(log.filter((d) => d.event === 'test').map((d) => [d.status, d.attempts])).toEqual([
      ['failed', 1],
      ['failed', 1],
      ['failed', 1],
    ]);
  });

  it('when the channel is Slack, then the message is Slack’s incoming-webhook format', async () => {
    const id = await attachCluster('gpu-west');
    await webhookRule({ kind: 'slack', condition: 'degraded' });
    await setCluster(id, { status: 'degraded', statusReasons: ['unstable connection: 5 reconnects in 15 min'] });
    await settle();
    const body = receiver.requests[0]!.body as { text: string; blocks: { type: string; text?: { type: string; text: string }; elements?: unknown[] }[] };
    expect(Object.keys(body).sort()).toEqual(['blocks', 'text']);
    expect(body.text).toBe('[FIRING] gpu-west is degraded: unstable connection: 5 reconnects in 15 min (rule "cluster-away")');
    expect(body.blocks[0]).toEqual({ type: 'section', text: { type: 'mrkdwn', text: ':red_circle: *Firing* gpu-west is degraded: unstable connection: 5 reconnects in 15 min' } });
    expect(body.blocks[1]?.type).toBe('context');

    const test = await h.asAdmin.alerts.channels.test({ id: (await h.asAdmin.alerts.channels.list())[0]!.id });
    expect(test).toEqual({ delivered: true, status: 200 });
    expect(receiver.requests[1]!.body).toEqual({
      text: 'Fleetdeck test message for channel "on-call": notifications will arrive here.',
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'Fleetdeck test message for channel "on-call": notifications will arrive here.' } }],
    });
  });

  it('watches only its environment’s clusters, and resolves when a cluster leaves it or the rule is disabled', async () => {
    const prod = await h.asAdmin.environments.create({ name: 'prod', color: '#ef4444', isProduction: true, optimizeFor: 'availability' });
    const dev = await h.asAdmin.environments.create({ name: 'dev', color: '#22c55e', isProduction: false, optimizeFor: 'cost' });
    const prodCluster = await attachCluster('gpu-prod', [prod.id]);
    const devCluster = await attachCluster('gpu-dev', [dev.id]);
    const { rule, channel } = await webhookRule({ environmentId: prod.id, condition: 'node_not_ready' });
    await setCluster(prodCluster, { status: 'connected', nodeCount: 4, readyNodeCount: 3 });
    await setCluster(devCluster, { status: 'connected', nodeCount: 4, readyNodeCount: 0 });
    await settle();
    expect(receiver.requests.map((r) => (r.body as { cluster: { name: string } }).cluster.name)).toEqual(['gpu-prod']);

    await h.asAdmin.alerts.rules.update({ id: rule.id, name: 'cluster-away', environmentId: prod.id, condition: 'node_not_ready', forMinutes: 0, channelIds: [channel.id], enabled: false });
    await settle();
    expect(receiver.requests.map((r) => (r.body as { event: string }).event)).toEqual(['firing', 'resolved']);

    // Enabled again on every cluster: both fire, once each.
    await h.asAdmin.alerts.rules.update({ id: rule.id, name: 'cluster-away', environmentId: null, condition: 'node_not_ready', forMinutes: 0, channelIds: [channel.id], enabled: true });
    await settle();
    await settle();
    expect(receiver.requests.slice(2).map((r) => (r.body as { cluster: { name: string } }).cluster.name).sort()).toEqual(['gpu-dev', 'gpu-prod']);
  });

  it('when a cluster is detached, then its alerts and their deliveries go with it', async () => {
    const id = await attachCluster('gpu-west');
    await webhookRule();
    await setCluster(id, { status: 'disconnected', disconnectedAt: now });
    await settle();
    // What detach does to the rows (its form and audit are the clusters suite's).
    const { clusters } = h.store.tables;
    await h.store.transaction((tx) => tx.delete(clusters).where(eq(clusters.id, id)));
    h.cp.bus.publish({ type: 'cluster.changed', clusterIds: [id] });
    await settle();
    expect((await h.asAdmin.alerts.list()).firing).toEqual([]);
    expect(await deliveries()).toEqual([]);
    expect(receiver.requests).toHaveLength(1);
  });
});
