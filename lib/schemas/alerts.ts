/**
 * Inputs of the alerting screens and procedures: notification channels and alert rules.
 * Shared by the forms and the server, every field bounded.
 */
import { z } from 'zod';
import { ALERT_CONDITIONS, CHANNEL_KINDS } from '@/lib/alerts';
import { MAX_PICKED, MAX_URL, recordId, withoutNul } from '@/lib/schemas/limits';

export const MAX_ALERT_NAME = 64;
/** A week: longer than anyone waits to be told a cluster is gone. */
export const MAX_FOR_MINUTES = 7 * 24 * 60;

const alertName = (what: string) =>
  withoutNul(
    z
      .string()
      .trim()
      .min(1, `${what} name is required`)
      .max(MAX_ALERT_NAME, `${what} name must be at most ${MAX_ALERT_NAME} characters`),
  );

/** The receiver's URL: a credential (Slack's holds its secret), stored sealed and never shown again. */
export const webhookUrl = withoutNul(
  z
    .string()
    .trim()
    .min(1, 'URL is required')
    .max(MAX_URL, `URL must be at most ${MAX_URL} characters`),
).pipe(z.url({ protocol: /^https?$/, hostname: /^.+$/, message: 'Enter an http:// or https:// URL' }));

export const channelInput = z.object({
  name: alertName('Channel'),
  kind: z.enum(CHANNEL_KINDS, 'Choose webhook or Slack'),
  url: webhookUrl,
});
export type ChannelInput = z.infer<typeof channelInput>;

export const channelIdInput = z.object({ id: recordId });

export const setChannelEnabledInput = z.object({ id: recordId, enabled: z.boolean() });

export const ruleInput = z.object({
  name: alertName('Rule'),
  /** Null: every cluster. */
  environmentId: recordId.nullable(),
  condition: z.enum(ALERT_CONDITIONS, 'Choose a condition'),
  /** Only Disconnected measures time; the others fire as soon as they are seen. */
  forMinutes: z
    .number('Enter a number of minutes')
    .int('Enter whole minutes')
    .min(0, 'Minutes cannot be negative')
    .max(MAX_FOR_MINUTES, `At most ${MAX_FOR_MINUTES} minutes (a week)`),
  channelIds: z
    .array(recordId)
    .min(1, 'Choose at least one channel')
    .max(MAX_PICKED, `At most ${MAX_PICKED} channels`)
    .transform((ids) => [...new Set(ids)]),
  enabled: z.boolean(),
});
export type RuleInput = z.infer<typeof ruleInput>;
export type RuleFormValues = z.input<typeof ruleInput>;

export const updateRuleInput = ruleInput.extend({ id: recordId });
export type UpdateRuleInput = z.infer<typeof updateRuleInput>;

export const ruleIdInput = z.object({ id: recordId });
