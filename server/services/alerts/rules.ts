/**
 * Alert rules: a condition watched on every cluster of one environment (or of the whole
 * fleet), sending to one or more channels. Saving a rule asks the evaluator to look at
 * every cluster again (the router does, after the commit).
 */
import { asc, count, eq, inArray } from 'drizzle-orm';
import type { AlertCondition } from '@/lib/alerts';
import type { RuleInput, UpdateRuleInput } from '@/lib/schemas/alerts';
import { conditionTakesMinutes } from '@/server/alerts/conditions';
import { InvalidError, NotFoundError } from '@/server/errors';
import { recordAudit, type Actor } from '@/server/services/audit';
import { tablesOf, type Db, type Store } from '@/server/store';

export interface RuleView {
  id: number;
  name: string;
  environment: { id: number; name: string } | null;
  condition: AlertCondition;
  forMinutes: number;
  enabled: boolean;
  channels: { id: number; name: string }[];
  /** Alerts of this rule firing now. */
  firing: number;
}

export async function listRules(store: Store): Promise<RuleView[]> {
  const { alertRuleChannels, alertRules, alerts, environments, notificationChannels } = store.tables;
  const [rows, links, firing] = await Promise.all([
    store.db
      .select({
        id: alertRules.id,
        name: alertRules.name,
        environmentId: alertRules.environmentId,
        environmentName: environments.name,
        condition: alertRules.condition,
        forMinutes: alertRules.forMinutes,
        enabled: alertRules.enabled,
      })
      .from(alertRules)
      .leftJoin(environments, eq(environments.id, alertRules.environmentId))
      .orderBy(asc(alertRules.name)),
    store.db
      .select({ ruleId: alertRuleChannels.ruleId, id: notificationChannels.id, name: notificationChannels.name })
      .from(alertRuleChannels)
      .innerJoin(notificationChannels, eq(notificationChannels.id, alertRuleChannels.channelId))
      .orderBy(asc(notificationChannels.name)),
    store.db.select({ ruleId: alerts.ruleId, n: count() }).from(alerts).where(eq(alerts.state, 'firing')).groupBy(alerts.ruleId),
  ]);
  const firingByRule = new Map(firing.map((row) => [row.ruleId, Number(row.n)]));
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    environment: row.environmentId !== null && row.environmentName !== null ? { id: row.environmentId, name: row.environmentName } : null,
    condition: row.condition,
    forMinutes: row.forMinutes,
    enabled: row.enabled,
    channels: links.filter((link) => link.ruleId === row.id).map(({ id, name }) => ({ id, name })),
    firing: firingByRule.get(row.id) ?? 0,
  }));
}

/** What the rule stores: minutes only where the condition measures them. */
function stored(input: RuleInput) {
  return {
    name: input.name,
    environmentId: input.environmentId,
    condition: input.condition,
    forMinutes: conditionTakesMinutes(input.condition) ? input.forMinutes : 0,
    enabled: input.enabled,
  };
}

/** The rule's environment and channels exist; returns their names for the audit row. */
async function referencedNames(tx: Db, input: RuleInput): Promise<{ environment: string | null; channels: string[] }> {
  const { environments, notificationChannels } = tablesOf(tx);
  let environment: string | null = null;
  if (input.environmentId !== null) {
    const [env] = await tx.select({ name: environments.name }).from(environments).where(eq(environments.id, input.environmentId)).limit(1);
    if (!env) throw InvalidError.onField('environmentId', 'That environment no longer exists');
    environment = env.name;
  }
  const channels = await tx
    .select({ id: notificationChannels.id, name: notificationChannels.name })
    .from(notificationChannels)
    .where(inArray(notificationChannels.id, input.channelIds))
    .orderBy(asc(notificationChannels.name));
  if (channels.length !== input.channelIds.length) throw InvalidError.onField('channelIds', 'A chosen channel no longer exists');
  return { environment, channels: channels.map((channel) => channel.name) };
}

function auditable(rule: ReturnType<typeof stored>, names: { environment: string | null; channels: string[] }) {
  return {
    name: rule.name,
    environment: names.environment ?? 'all clusters',
    condition: rule.condition,
    forMinutes: rule.forMinutes,
    enabled: rule.enabled,
    channels: names.channels.join(', '),
  };
}

async function currentRule(tx: Db, id: number) {
  const { alertRuleChannels, alertRules } = tablesOf(tx);
  const [rule] = await tx.select().from(alertRules).where(eq(alertRules.id, id)).limit(1);
  if (!rule) throw new NotFoundError('That rule no longer exists');
  const channelIds = (await tx.select({ id: alertRuleChannels.channelId }).from(alertRuleChannels).where(eq(alertRuleChannels.ruleId, id))).map((row) => row.id);
  const input: RuleInput = { ...rule, channelIds };
  return { rule, names: await referencedNames(tx, input).catch(() => ({ environment: null, channels: [] })), input };
}

export async function createRule(store: Store, actor: Actor, input: RuleInput): Promise<{ id: number }> {
  return store.transaction(async (tx) => {
    const { alertRuleChannels, alertRules } = tablesOf(tx);
    const names = await referencedNames(tx, input);
    const values = stored(input);
    const [rule] = await tx.insert(alertRules).values(values).returning({ id: alertRules.id });
    if (!rule) throw new Error('createRule: the insert returned no row');
    await tx.insert(alertRuleChannels).values(input.channelIds.map((channelId) => ({ ruleId: rule.id, channelId })));
    await recordAudit(tx, actor, { action: 'alert_rule.create', target: { type: 'alert_rule', id: rule.id, label: values.name }, after: auditable(values, names) });
    return rule;
  });
}

export async function updateRule(store: Store, actor: Actor, input: UpdateRuleInput): Promise<void> {
  await store.transaction(async (tx) => {
    const { alertRuleChannels, alertRules } = tablesOf(tx);
    const before = await currentRule(tx, input.id);
    const names = await referencedNames(tx, input);
    const values = stored(input);
    await tx.update(alertRules).set({ ...values, updatedAt: new Date() }).where(eq(alertRules.id, input.id));
    await tx.delete(alertRuleChannels).where(eq(alertRuleChannels.ruleId, input.id));
    await tx.insert(alertRuleChannels).values(input.channelIds.map((channelId) => ({ ruleId: input.id, channelId })));
    await recordAudit(tx, actor, {
      action: 'alert_rule.update',
      target: { type: 'alert_rule', id: input.id, label: values.name },
      before: auditable(stored(before.input), before.names),
      after: auditable(values, names),
    });
  });
}

/** Its alerts go with it (firing ones without a resolve notification: disable the rule first for that). */
export async function deleteRule(store: Store, actor: Actor, id: number): Promise<void> {
  await store.transaction(async (tx) => {
    const { alertRules } = tablesOf(tx);
    const before = await currentRule(tx, id);
    await tx.delete(alertRules).where(eq(alertRules.id, id));
    await recordAudit(tx, actor, {
      action: 'alert_rule.delete',
      target: { type: 'alert_rule', id, label: before.rule.name },
      before: auditable(stored(before.input), before.names),
    });
  });
}
