/**
 * What a notification says, per channel kind. Built at send time from the stored alert,
 * so a retry after a restart sends the same words.
 *
 * `webhook` (Fleetdeck's own JSON, version 1):
 * ```json
 * { "version": 1, "event": "firing" | "resolved" | "test", "deliveryId": 42,
 *   "sentAt": "2026-11-23T15:40:00.000Z", "text": "[FIRING] …",
 *   "alert": { "id": 7, "state": "firing", "summary": "…", "firedAt": "…", "resolvedAt": null } | null,
 *   "rule": { "id": 3, "name": "prod-disconnected", "condition": "disconnected", "forMinutes": 5 } | null,
 *   "cluster": { "id": 12, "name": "gpu-west", "url": "https://fleetdeck.example.com/clusters/gpu-west" | null } | null,
 *   "channel": { "name": "on-call" } }
 * ```
 * `alert`, `rule` and `cluster` are null for a test message. `deliveryId` is the same on
 * every retry of one notification: receivers can drop duplicates with it.
 *
 * `slack`: Slack's incoming-webhook format, `{ text, blocks }` (text is the fallback
 * shown in notifications; blocks the message).
 */
import type { AlertCondition, AlertState, DeliveryEvent } from '@/lib/alerts';
import { formatInstant } from '@/lib/format-time';

export const WEBHOOK_PAYLOAD_VERSION = 1;

export interface NotificationFacts {
  deliveryId: number;
  event: DeliveryEvent;
  channelName: string;
  sentAt: Date;
  alert: { id: number; state: AlertState; summary: string; firedAt: Date; resolvedAt: Date | null } | null;
  rule: { id: number; name: string; condition: AlertCondition; forMinutes: number } | null;
  cluster: { id: number; name: string } | null;
  /** `FLEETDECK_PUBLIC_URL`, for links back to the dashboard; none without it. */
  publicUrl: string | undefined;
}

const CONDITION_WORDS: Record<AlertCondition, string> = {
  disconnected: 'Disconnected',
  degraded: 'Degraded',
  node_not_ready: 'NotReady nodes',
};

export function conditionWords(condition: AlertCondition): string {
  return CONDITION_WORDS[condition];
}

function clusterUrl(facts: NotificationFacts): string | null {
  return facts.publicUrl && facts.cluster ? `${facts.publicUrl}/clusters/${encodeURIComponent(facts.cluster.name)}` : null;
}

/** One line for every kind: the Slack fallback and the webhook's `text`. */
export function notificationText(facts: NotificationFacts): string {
  if (facts.event === 'test' || !facts.alert) {
    return `Fleetdeck test message for channel "${facts.channelName}": notifications will arrive here.`;
  }
  const rule = facts.rule ? ` (rule "${facts.rule.name}")` : '';
  return facts.event === 'resolved'
    ? `[RESOLVED] ${facts.alert.summary}${rule} Resolved at ${formatInstant(facts.alert.resolvedAt ?? facts.sentAt)}.`
    : `[FIRING] ${facts.alert.summary}${rule}`;
}

export function webhookPayload(facts: NotificationFacts) {
  const { alert, rule, cluster } = facts;
  return {
    version: WEBHOOK_PAYLOAD_VERSION,
    event: facts.event,
    deliveryId: facts.deliveryId,
    sentAt: facts.sentAt.toISOString(),
    text: notificationText(facts),
    alert: alert
      ? { id: alert.id, state: alert.state, summary: alert.summary, firedAt: alert.firedAt.toISOString(), resolvedAt: alert.resolvedAt?.toISOString() ?? null }
      : null,
    rule: rule ? { id: rule.id, name: rule.name, condition: rule.condition, forMinutes: rule.forMinutes } : null,
    cluster: cluster ? { id: cluster.id, name: cluster.name, url: clusterUrl(facts) } : null,
    channel: { name: facts.channelName },
  };
}

/** Slack reads `&`, `<` and `>` as markup in mrkdwn: escaped as its documentation says. */
function slackEscape(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

export function slackPayload(facts: NotificationFacts) {
  const text = notificationText(facts);
  const { alert, rule, cluster } = facts;
  if (facts.event === 'test' || !alert) {
    return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: slackEscape(text) } }] };
  }
  const headline = facts.event === 'resolved' ? ':large_green_circle: *Resolved*' : ':red_circle: *Firing*';
  const link = clusterUrl(facts);
  const clusterWords = cluster ? (link ? `<${link}|${slackEscape(cluster.name)}>` : `\`${slackEscape(cluster.name)}\``) : 'a cluster';
  const context = [
    rule ? `Rule *${slackEscape(rule.name)}* · ${conditionWords(rule.condition)}` : null,
    `Cluster ${clusterWords}`,
    `Fired ${formatInstant(alert.firedAt)}`,
    alert.resolvedAt ? `Resolved ${formatInstant(alert.resolvedAt)}` : null,
  ].filter((part): part is string => part !== null);
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `${headline} ${slackEscape(alert.summary)}` } },
      { type: 'context', elements: context.map((part) => ({ type: 'mrkdwn', text: part })) },
    ],
  };
}
