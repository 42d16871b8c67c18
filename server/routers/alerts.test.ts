import { TRPCError } from '@trpc/server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '@/server/logger';
import { routerHarness, type RouterHarness } from '@/testing/router-harness';
import { startWebhookReceiver, type WebhookReceiver } from '@/testing/webhook-receiver';

async function rejection(promise: Promise<unknown>): Promise<TRPCError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TRPCError);
  return error as TRPCError;
}

describe('alerts router', () => {
  let h: RouterHarness;
  let receiver: WebhookReceiver;
  const logLines: string[] = [];
  /** A URL whose every distinctive part would show if any of it leaked. */
  let secretUrl: string;

  beforeEach(async () => {
    logLines.length = 0;
    receiver = await startWebhookReceiver();
    secretUrl = `${receiver.url}/services/T0AAAA/B0BBBB/pV9sEcReTtOkEnQz7`;
    h = await routerHarness({ log: createLogger('debug', (_level, line) => void logLines.push(line)), alerts: { tickMs: 0 } });
  });
  afterEach(async () => {
    await h.cp.close();
    await receiver.close();
  });

  it('when an admin creates a channel, then the URL is stored sealed and never returned, listed, audited or logged; only its hint is', async () => {
    const created = await h.asAdmin.alerts.channels.create({ name: 'on-call', kind: 'slack', url: secretUrl });
    const port = new URL(receiver.url).port;
    expect(created.urlHint).toBe(`127.0.0.1:${port} …nQz7`);

    const { notificationChannels, auditEvents } = h.store.tables;
    const [stored] = await h.store.db.select().from(notificationChannels);
    expect(stored!.urlSealed.startsWith('v1:')).toBe(true);
    expect(stored!.urlSealed).not.toContain('pV9sEcReT');
    expect(h.cp.secrets.open(stored!.urlSealed, 'notification-channel.url')).toBe(secretUrl);

    const rule = await h.asAdmin.alerts.rules.create({ name: 'away', environmentId: null, condition: 'disconnected', forMinutes: 5, channelIds: [created.id], enabled: true });
    await h.asAdmin.alerts.channels.test({ id: created.id });
    await h.asAdmin.alerts.channels.setEnabled({ id: created.id, enabled: false });
    await h.asAdmin.alerts.rules.delete({ id: rule.id });
    const answers = [
      created,
      await h.asAdmin.alerts.channels.list(),
      await h.asMember.alerts.channels.list(),
      await h.asMember.alerts.rules.list(),
      await h.asMember.alerts.deliveries(),
      await h.asMember.alerts.list(),
      await h.store.db.select().from(auditEvents),
    ];
    await h.asAdmin.alerts.channels.delete({ id: created.id });
    answers.push(await h.store.db.select().from(auditEvents));
    const everything = JSON.stringify(answers) + logLines.join('\n');
    for (const part of ['pV9sEcReT', 'B0BBBB', 'T0AAAA', secretUrl]) expect(everything).not.toContain(part);
    // The test message did reach the real URL.
    expect(receiver.requests.map((r) => r.path)).toEqual(['/services/T0AAAA/B0BBBB/pV9sEcReTtOkEnQz7']);
    const audit = await h.store.db.select().from(auditEvents);
    expect(audit.map((row) => row.action)).toEqual([
      'notification_channel.create',
      'alert_rule.create',
      'notification_channel.disable',
      'alert_rule.delete',
      'notification_channel.delete',
    ]);
    expect(audit[0]!.after).toEqual({ name: 'on-call', kind: 'slack', url: created.urlHint, enabled: true });
  });

  it('lets members read alerts, channels, rules and deliveries, and only admins change or test them', async () => {
    const channel = await h.asAdmin.alerts.channels.create({ name: 'hook', kind: 'webhook', url: secretUrl });
    await expect(h.asMember.alerts.list()).resolves.toEqual({ firing: [], resolved: [] });
    await expect(h.asMember.alerts.channels.list()).resolves.toHaveLength(1);
    for (const call of [
      () => h.asMember.alerts.channels.create({ name: 'x', kind: 'webhook', url: secretUrl }),
      () => h.asMember.alerts.channels.test({ id: channel.id }),
      () => h.asMember.alerts.channels.setEnabled({ id: channel.id, enabled: false }),
      () => h.asMember.alerts.channels.delete({ id: channel.id }),
      () => h.asMember.alerts.rules.create({ name: 'r', environmentId: null, condition: 'degraded', forMinutes: 0, channelIds: [channel.id], enabled: true }),
    ]) {
      expect((await rejection(call())).code).toBe('FORBIDDEN');
    }
    expect((await rejection(h.anonymous.alerts.list())).code).toBe('UNAUTHORIZED');
    expect(receiver.requests).toHaveLength(0);
  });

  it.each([
    ['an ftp URL', { url: 'ftp://example.com/hook' }, 'url', 'Enter an http:// or https:// URL'],
    ['a URL past 2,048 characters', { url: `https://example.com/${'a'.repeat(2_100)}` }, 'url', 'URL must be at most 2048 characters'],
    ['a 65-character name', { name: 'n'.repeat(65) }, 'name', 'Channel name must be at most 64 characters'],
  ])('when a channel has %s, then it is refused on that field without echoing the value', async (_case, change, field, message) => {
    const error = await rejection(h.asAdmin.alerts.channels.create({ name: 'hook', kind: 'webhook', url: secretUrl, ...change }));
    expect(error.code).toBe('BAD_REQUEST');
    const issues = (error.cause as unknown as { issues: { path: string[]; message: string }[] }).issues;
    expect(issues.find((issue) => issue.path[0] === field)?.message).toBe(message);
    expect(JSON.stringify(issues)).not.toContain('aaaaaaaaaa');
  });

  it('when a channel name is taken, then create is refused on the name field', async () => {
    await h.asAdmin.alerts.channels.create({ name: 'hook', kind: 'webhook', url: secretUrl });
    const error = await rejection(h.asAdmin.alerts.channels.create({ name: 'hook', kind: 'slack', url: secretUrl }));
    expect(error.code).toBe('CONFLICT');
    expect((error.cause as unknown as { fieldErrors: Record<string, string[]> }).fieldErrors.name).toEqual(['A notification channel with this name already exists']);
  });

  it('when a channel is used by a rule, then deleting it is refused naming the rule', async () => {
    const channel = await h.asAdmin.alerts.channels.create({ name: 'hook', kind: 'webhook', url: secretUrl });
    await h.asAdmin.alerts.rules.create({ name: 'prod-away', environmentId: null, condition: 'disconnected', forMinutes: 10, channelIds: [channel.id], enabled: true });
    const error = await rejection(h.asAdmin.alerts.channels.delete({ id: channel.id }));
    expect(error.code).toBe('PRECONDITION_FAILED');
    expect(error.message).toBe('Channel "hook" is used by rule "prod-away". Remove it from that rule first.');
  });

  it('stores minutes only for Disconnected, checks the environment and channels exist, and audits edits with before and after', async () => {
    const channel = await h.asAdmin.alerts.channels.create({ name: 'hook', kind: 'webhook', url: secretUrl });
    const prod = await h.asAdmin.environments.create({ name: 'prod', color: '#ef4444', isProduction: true, optimizeFor: 'availability' });
    const { id } = await h.asAdmin.alerts.rules.create({ name: 'nodes', environmentId: prod.id, condition: 'node_not_ready', forMinutes: 15, channelIds: [channel.id, channel.id], enabled: true });
    expect(await h.asMember.alerts.rules.list()).toEqual([
      { id, name: 'nodes', environment: { id: prod.id, name: 'prod' }, condition: 'node_not_ready', forMinutes: 0, enabled: true, channels: [{ id: channel.id, name: 'hook' }], firing: 0 },
    ]);
    const missingEnv = await rejection(h.asAdmin.alerts.rules.create({ name: 'x', environmentId: 99_999, condition: 'degraded', forMinutes: 0, channelIds: [channel.id], enabled: true }));
    expect(missingEnv.message).toBe('That environment no longer exists');
    const missingChannel = await rejection(h.asAdmin.alerts.rules.create({ name: 'x', environmentId: null, condition: 'degraded', forMinutes: 0, channelIds: [99_999], enabled: true }));
    expect(missingChannel.message).toBe('A chosen channel no longer exists');

    await h.asAdmin.alerts.rules.update({ id, name: 'nodes', environmentId: null, condition: 'disconnected', forMinutes: 15, channelIds: [channel.id], enabled: true });
    const { auditEvents } = h.store.tables;
    const update = (await h.store.db.select().from(auditEvents)).find((row) => row.action === 'alert_rule.update');
    expect(update?.before).toMatchObject({ environment: 'prod', condition: 'node_not_ready', forMinutes: 0, channels: 'hook' });
    expect(update?.after).toMatchObject({ environment: 'all clusters', condition: 'disconnected', forMinutes: 15 });
  });
});
