/**
 * Notification channels. A channel's URL is a credential: it is sealed with the control
 * plane's secret key on the way in and never leaves again. Lists, answers, audit rows and
 * logs carry only its hint (host and last four characters).
 */
import { asc, eq } from 'drizzle-orm';
import type { ChannelKind } from '@/lib/alerts';
import type { ChannelInput } from '@/lib/schemas/alerts';
import { NotFoundError, PreconditionError } from '@/server/errors';
import type { SecretBox } from '@/server/secrets/secret-box';
import { recordAudit, type Actor } from '@/server/services/audit';
import { tablesOf, type Db, type Store } from '@/server/store';

/** A channel as anyone may see it: never the URL. */
export interface ChannelView {
  id: number;
  name: string;
  kind: ChannelKind;
  urlHint: string;
  enabled: boolean;
  createdAt: Date;
  /** Rules sending to it, by name. */
  rules: string[];
}

/** "hooks.slack.com …x9Qz": enough to recognise a URL, not to use it. */
export function urlHint(url: string): string {
  const host = new URL(url).host;
  return `${host} …${url.slice(-4)}`;
}

function auditable(channel: { name: string; kind: ChannelKind; urlHint: string; enabled: boolean }) {
  return { name: channel.name, kind: channel.kind, url: channel.urlHint, enabled: channel.enabled };
}

export async function listChannels(store: Store): Promise<ChannelView[]> {
  const { alertRuleChannels, alertRules, notificationChannels } = store.tables;
  const [rows, links] = await Promise.all([
    store.db
      .select({
        id: notificationChannels.id,
        name: notificationChannels.name,
        kind: notificationChannels.kind,
        urlHint: notificationChannels.urlHint,
        enabled: notificationChannels.enabled,
        createdAt: notificationChannels.createdAt,
      })
      .from(notificationChannels)
      .orderBy(asc(notificationChannels.name)),
    store.db
      .select({ channelId: alertRuleChannels.channelId, rule: alertRules.name })
      .from(alertRuleChannels)
      .innerJoin(alertRules, eq(alertRules.id, alertRuleChannels.ruleId))
      .orderBy(asc(alertRules.name)),
  ]);
  return rows.map((row) => ({ ...row, rules: links.filter((link) => link.channelId === row.id).map((link) => link.rule) }));
}

async function channelById(tx: Db, id: number) {
  const { notificationChannels } = tablesOf(tx);
  const [row] = await tx.select().from(notificationChannels).where(eq(notificationChannels.id, id)).limit(1);
  if (!row) throw new NotFoundError('That channel no longer exists');
  return row;
}

export async function createChannel(store: Store, secrets: SecretBox, actor: Actor, input: ChannelInput): Promise<ChannelView> {
  return store.transaction(async (tx) => {
    const { notificationChannels } = tablesOf(tx);
    const [row] = await tx
      .insert(notificationChannels)
      .values({ name: input.name, kind: input.kind, urlSealed: secrets.seal(input.url, 'notification-channel.url'), urlHint: urlHint(input.url) })
      .returning();
    if (!row) throw new Error('createChannel: the insert returned no row');
    await recordAudit(tx, actor, { action: 'notification_channel.create', target: { type: 'notification_channel', id: row.id, label: row.name }, after: auditable(row) });
    return { id: row.id, name: row.name, kind: row.kind, urlHint: row.urlHint, enabled: row.enabled, createdAt: row.createdAt, rules: [] };
  });
}

export async function setChannelEnabled(store: Store, actor: Actor, input: { id: number; enabled: boolean }): Promise<void> {
  await store.transaction(async (tx) => {
    const { notificationChannels } = tablesOf(tx);
    const before = await channelById(tx, input.id);
    if (before.enabled === input.enabled) return;
    await tx.update(notificationChannels).set({ enabled: input.enabled, updatedAt: new Date() }).where(eq(notificationChannels.id, input.id));
    await recordAudit(tx, actor, {
      action: input.enabled ? 'notification_channel.enable' : 'notification_channel.disable',
      target: { type: 'notification_channel', id: before.id, label: before.name },
      before: { enabled: before.enabled },
      after: { enabled: input.enabled },
    });
  });
}

/** Refused while a rule sends to it: a rule left with no channel would fire into silence. */
export async function deleteChannel(store: Store, actor: Actor, id: number): Promise<void> {
  await store.transaction(async (tx) => {
    const { alertRuleChannels, alertRules, notificationChannels } = tablesOf(tx);
    const channel = await channelById(tx, id);
    const rules = (
      await tx
        .select({ name: alertRules.name })
        .from(alertRuleChannels)
        .innerJoin(alertRules, eq(alertRules.id, alertRuleChannels.ruleId))
        .where(eq(alertRuleChannels.channelId, id))
        .orderBy(asc(alertRules.name))
    ).map((rule) => rule.name);
    if (rules.length > 0) {
      throw new PreconditionError(
        `Channel "${channel.name}" is used by ${rules.length === 1 ? 'rule' : 'rules'} ${rules.map((name) => `"${name}"`).join(', ')}. Remove it from ${rules.length === 1 ? 'that rule' : 'those rules'} first.`,
      );
    }
    await tx.delete(notificationChannels).where(eq(notificationChannels.id, id));
    await recordAudit(tx, actor, { action: 'notification_channel.delete', target: { type: 'notification_channel', id, label: channel.name }, before: auditable(channel) });
  });
}
