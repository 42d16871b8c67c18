/**
 * Sends notifications: every `alert_deliveries` row that is pending and due is POSTed to
 * its channel (5 s deadline), and the outcome is written back on the row. A failure is
 * retried after 30 s, 2 min, 10 min and 30 min; the fifth failure marks it failed. The
 * schedule lives in the row (`attempts`, `nextAttemptAt`), so retries survive a restart:
 * on start, whatever was due is sent. A crash between the POST and the write sends that
 * notification again (at least once); receivers can drop repeats by `deliveryId`.
 *
 * One run at a time; a run started while another is going folds into it. Time comes from
 * the injected clock, so tests move through the retry schedule without waiting.
 */
import { and, asc, eq, isNotNull, lte, min } from 'drizzle-orm';
import type { ChannelKind, DeliveryEvent } from '@/lib/alerts';
import { NotFoundError } from '@/server/errors';
import { errorMessage, type Logger } from '@/server/logger';
import type { SecretBox } from '@/server/secrets/secret-box';
import type { Store } from '@/server/store';
import { slackPayload, webhookPayload, type NotificationFacts } from './payloads';
import { postJson, type PostOutcome } from './post-webhook';

/** Wait before attempt 2, 3, 4 and 5. */
export const RETRY_DELAYS_MS: readonly number[] = [30_000, 2 * 60_000, 10 * 60_000, 30 * 60_000];
export const MAX_ATTEMPTS = RETRY_DELAYS_MS.length + 1;
export const DELIVERY_TIMEOUT_MS = 5_000;
/** Deliveries sent side by side in one run: a slow receiver holds one lane, not all. */
const PARALLEL_SENDS = 4;
const BATCH = 50;
/** The longest the dispatcher sleeps with nothing due (another writer may have queued some). */
const MAX_SLEEP_MS = 60_000;

export interface AlertDispatcherOptions {
  store: Store;
  log: Logger;
  secrets: SecretBox;
  clock: () => Date;
  publicUrl: string | undefined;
  timeoutMs?: number;
}

interface DeliveryFacts {
  event: DeliveryEvent;
  attempts: number;
  channel: { kind: ChannelKind; urlSealed: string; enabled: boolean };
  notification: NotificationFacts;
}

/** What a test message (or any single attempt) came to, for the channel's Test button. */
export type AttemptResult = { delivered: true; status: number } | { delivered: false; status: number | null; error: string };

export class AlertDispatcher {
  private readonly store: Store;
  private readonly log: Logger;
  private readonly secrets: SecretBox;
  private readonly clock: () => Date;
  private readonly publicUrl: string | undefined;
  private readonly timeoutMs: number;
  private running: Promise<void> | null = null;
  private runAgain = false;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly inFlight = new Set<Promise<unknown>>();
  /** Told after every attempt is written (live views). */
  onAttempted: () => void = () => undefined;

  constructor(options: AlertDispatcherOptions) {
    this.store = options.store;
    this.log = options.log.child({ component: 'alert-dispatcher' });
    this.secrets = options.secrets;
    this.clock = options.clock;
    this.publicUrl = options.publicUrl;
    this.timeoutMs = options.timeoutMs ?? DELIVERY_TIMEOUT_MS;
  }

  /** Sends what is due now (retries left by a previous process included), then sleeps until the next is due. */
  start(): void {
    this.nudge();
  }

  /** New deliveries were queued: send them soon. */
  nudge(): void {
    if (!this.stopped) void this.runDue();
  }

  /** Sends every delivery due at the clock's now; resolves when they are all written. */
  runDue(): Promise<void> {
    if (this.running) {
      this.runAgain = true;
      return this.running;
    }
    clearTimeout(this.timer);
    this.running = (async () => {
      try {
        do {
          this.runAgain = false;
          if (await this.sendDueBatch()) this.runAgain = true;
        } while (this.runAgain && !this.stopped);
      } catch (error) {
        this.log.error('sending notifications failed', { error: errorMessage(error) });
      } finally {
        this.running = null;
      }
      await this.sleepUntilNextDue();
    })();
    return this.running;
  }

  /** Sends one test message to the channel now, once (no retries: someone is waiting for the answer). */
  async sendTest(channelId: number): Promise<AttemptResult> {
    const { alertDeliveries, notificationChannels } = this.store.tables;
    const id = await this.store.transaction(async (tx) => {
      const [channel] = await tx.select({ id: notificationChannels.id }).from(notificationChannels).where(eq(notificationChannels.id, channelId)).limit(1);
      if (!channel) throw new NotFoundError('That channel no longer exists');
      const [row] = await tx
        .insert(alertDeliveries)
        .values({ channelId, event: 'test', status: 'pending', attempts: 0, nextAttemptAt: null, createdAt: this.clock() })
        .returning({ id: alertDeliveries.id });
      if (!row) throw new Error('sendTest: the insert returned no row');
      return row.id;
    });
    const attempt = this.attempt(id, { lastChance: true });
    this.inFlight.add(attempt);
    try {
      return (await attempt) ?? { delivered: false, status: null, error: 'the channel was deleted' };
    } finally {
      this.inFlight.delete(attempt);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    await Promise.allSettled([...this.inFlight]);
  }

  /** One batch of due deliveries; true when there may be more. */
  private async sendDueBatch(): Promise<boolean> {
    const { alertDeliveries } = this.store.tables;
    const due = await this.store.db
      .select({ id: alertDeliveries.id })
      .from(alertDeliveries)
      .where(and(eq(alertDeliveries.status, 'pending'), isNotNull(alertDeliveries.nextAttemptAt), lte(alertDeliveries.nextAttemptAt, this.clock())))
      .orderBy(asc(alertDeliveries.nextAttemptAt), asc(alertDeliveries.id))
      .limit(BATCH);
    for (let i = 0; i < due.length && !this.stopped; i += PARALLEL_SENDS) {
      await Promise.all(due.slice(i, i + PARALLEL_SENDS).map((row) => this.attempt(row.id, { lastChance: false })));
    }
    return due.length === BATCH;
  }

  private async sleepUntilNextDue(): Promise<void> {
    if (this.stopped) return;
    const { alertDeliveries } = this.store.tables;
    let wait = MAX_SLEEP_MS;
    try {
      const [next] = await this.store.db
        .select({ at: min(alertDeliveries.nextAttemptAt) })
        .from(alertDeliveries)
        .where(eq(alertDeliveries.status, 'pending'));
      if (next?.at) wait = Math.min(MAX_SLEEP_MS, Math.max(1_000, new Date(next.at).getTime() - this.clock().getTime()));
    } catch (error) {
      this.log.warn('could not read the next delivery time', { error: errorMessage(error) });
    }
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.nudge(), wait);
    this.timer.unref();
  }

  /** Sends delivery `id` once and writes the outcome; null when the row is gone (its alert or channel was deleted). */
  private async attempt(id: number, options: { lastChance: boolean }): Promise<AttemptResult | null> {
    const facts = await this.loadFacts(id);
    if (!facts) return null;
    const outcome = await this.send(id, facts);
    const result = await this.record(id, facts.attempts + 1, outcome, options.lastChance || !facts.channel.enabled);
    this.onAttempted();
    return result;
  }

  private async send(id: number, facts: DeliveryFacts): Promise<PostOutcome> {
    if (!facts.channel.enabled && facts.event !== 'test') return { ok: false, status: null, error: 'the channel is disabled' };
    let url: string;
    try {
      url = this.secrets.open(facts.channel.urlSealed, 'notification-channel.url');
    } catch {
      return { ok: false, status: null, error: 'the channel URL could not be decrypted: the secret key is not the one it was saved with' };
    }
    const body = JSON.stringify(facts.channel.kind === 'slack' ? slackPayload(facts.notification) : webhookPayload(facts.notification));
    return postJson(url, body, {
      timeoutMs: this.timeoutMs,
      headers: { 'x-fleetdeck-event': facts.event, 'x-fleetdeck-delivery': String(id) },
    });
  }

  private async record(id: number, attempts: number, outcome: PostOutcome, lastChance: boolean): Promise<AttemptResult> {
    const { alertDeliveries } = this.store.tables;
    const now = this.clock();
    const giveUp = lastChance || attempts >= MAX_ATTEMPTS;
    const retryIn = RETRY_DELAYS_MS[attempts - 1] ?? 0;
    const patch = outcome.ok
      ? { status: 'delivered' as const, deliveredAt: now, nextAttemptAt: null, lastError: null, responseStatus: outcome.status }
      : {
          status: giveUp ? ('failed' as const) : ('pending' as const),
          nextAttemptAt: giveUp ? null : new Date(now.getTime() + retryIn),
          lastError: outcome.error,
          responseStatus: outcome.status,
        };
    await this.store.transaction((tx) => tx.update(alertDeliveries).set({ ...patch, attempts }).where(eq(alertDeliveries.id, id)));
    if (!outcome.ok) {
      this.log.warn('notification not delivered', { deliveryId: id, attempt: attempts, error: outcome.error, willRetry: !giveUp });
      return { delivered: false, status: outcome.status, error: outcome.error };
    }
    return { delivered: true, status: outcome.status };
  }

  private async loadFacts(id: number): Promise<DeliveryFacts | null> {
    const { alertDeliveries, alerts, alertRules, clusters, notificationChannels } = this.store.tables;
    const [row] = await this.store.db
      .select({
        event: alertDeliveries.event,
        attempts: alertDeliveries.attempts,
        channelName: notificationChannels.name,
        kind: notificationChannels.kind,
        urlSealed: notificationChannels.urlSealed,
        enabled: notificationChannels.enabled,
        alertId: alerts.id,
        state: alerts.state,
        summary: alerts.summary,
        firedAt: alerts.firedAt,
        resolvedAt: alerts.resolvedAt,
        ruleId: alertRules.id,
        ruleName: alertRules.name,
        condition: alertRules.condition,
        forMinutes: alertRules.forMinutes,
        clusterId: clusters.id,
        clusterName: clusters.name,
      })
      .from(alertDeliveries)
      .innerJoin(notificationChannels, eq(notificationChannels.id, alertDeliveries.channelId))
      .leftJoin(alerts, eq(alerts.id, alertDeliveries.alertId))
      .leftJoin(alertRules, eq(alertRules.id, alerts.ruleId))
      .leftJoin(clusters, eq(clusters.id, alerts.clusterId))
      .where(eq(alertDeliveries.id, id))
      .limit(1);
    if (!row) return null;
    return {
      event: row.event,
      attempts: row.attempts,
      channel: { kind: row.kind, urlSealed: row.urlSealed, enabled: row.enabled },
      notification: {
        deliveryId: id,
        event: row.event,
        channelName: row.channelName,
        sentAt: this.clock(),
        alert:
          row.alertId !== null && row.state !== null && row.summary !== null && row.firedAt !== null
            ? { id: row.alertId, state: row.state, summary: row.summary, firedAt: row.firedAt, resolvedAt: row.resolvedAt }
            : null,
        rule:
          row.ruleId !== null && row.ruleName !== null && row.condition !== null && row.forMinutes !== null
            ? { id: row.ruleId, name: row.ruleName, condition: row.condition, forMinutes: row.forMinutes }
            : null,
        cluster: row.clusterId !== null && row.clusterName !== null ? { id: row.clusterId, name: row.clusterName } : null,
        publicUrl: this.publicUrl,
      },
    };
  }
}
