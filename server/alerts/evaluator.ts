/**
 * Decides which alerts fire and resolve. It runs when stored cluster state changes
 * (`cluster.changed` and the agent session events on the bus), when rules change, and on
 * a one-minute tick for what only time changes ("disconnected for N minutes").
 *
 * Per rule and cluster in the rule's scope (its environment, or every cluster):
 * - the condition holds (long enough) and no alert is open: one alert opens and a
 *   `firing` delivery is queued per enabled channel of the rule. The partial unique index
 *   on `alerts` (one firing per rule and cluster) is the deduplication: while it fires,
 *   nothing more is sent;
 * - the condition clears while an alert is open: it resolves and a `resolved` delivery is
 *   queued per channel;
 * - the rule is disabled or deleted, or the cluster left its environment: the open alert
 *   resolves the same way (a receiver is never left with an incident nobody will close).
 *   A deleted rule or detached cluster takes its alerts and their deliveries with it
 *   (the rows cascade); the audit trail records the deletion.
 *
 * One evaluation at a time; requests are merged into batches (see `evaluate`).
 */
import { and, eq, inArray } from 'drizzle-orm';
import type { AlertCondition } from '@/lib/alerts';
import type { EventBus } from '@/server/events/bus';
import { ConflictError, PreconditionError } from '@/server/errors';
import { errorMessage, type Logger } from '@/server/logger';
import { tablesOf, type Db, type Store } from '@/server/store';
import { judgeCondition, type Verdict } from './conditions';

export const EVALUATION_TICK_MS = 60_000;
export const EVALUATION_COALESCE_MS = 250;
/** NotReady nodes named in an alert's summary; the rest are counted. */
const NAMED_NODES = 5;
/** Ids per `in (…)` list: well inside both engines' parameter limits. */
const CHUNK = 500;

export interface AlertEvaluatorOptions {
  store: Store;
  log: Logger;
  clock: () => Date;
  /** Deliveries were queued: the dispatcher should send them. */
  onQueued: () => void;
  /** Alerts opened or resolved (live views). */
  onChanged?: () => void;
  tickMs?: number;
  /** How long a request waits for others to join it. */
  coalesceMs?: number;
}

interface RuleRow {
  id: number;
  name: string;
  environmentId: number | null;
  condition: AlertCondition;
  forMinutes: number;
  enabled: boolean;
}

export interface EvaluationResult {
  fired: number;
  resolved: number;
}

export class AlertEvaluator {
  private readonly store: Store;
  private readonly log: Logger;
  private readonly clock: () => Date;
  private readonly onQueued: () => void;
  private readonly onChanged: () => void;
  private readonly tickMs: number;
  private pendingAll = false;
  private readonly pendingIds = new Set<number>();
  private readonly coalesceMs: number;
  /** The batch that requests join until it starts. */
  private next: Promise<EvaluationResult> | null = null;
  /** The evaluation under way (settled, never rejecting). */
  private running: Promise<void> | null = null;
  private timer: NodeJS.Timeout | undefined;
  private unsubscribes: (() => void)[] = [];
  private stopped = false;

  constructor(options: AlertEvaluatorOptions) {
    this.store = options.store;
    this.log = options.log.child({ component: 'alert-evaluator' });
    this.clock = options.clock;
    this.onQueued = options.onQueued;
    this.onChanged = options.onChanged ?? (() => undefined);
    this.tickMs = options.tickMs ?? EVALUATION_TICK_MS;
    this.coalesceMs = options.coalesceMs ?? EVALUATION_COALESCE_MS;
  }

  /** Listens on the bus, ticks every minute, and evaluates everything once now. */
  start(bus: EventBus): void {
    const some = (ids: readonly number[]) => void this.evaluate(ids);
    this.unsubscribes = [
      bus.subscribe('cluster.changed', (event) => some(event.clusterIds)),
      bus.subscribe('agent.sessionClosed', (event) => some([event.clusterId])),
      bus.subscribe('agent.sessionReady', (event) => some([event.clusterId])),
    ];
    if (this.tickMs > 0) {
      this.timer = setInterval(() => void this.evaluate(), this.tickMs);
      this.timer.unref();
    }
    void this.evaluate();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    for (const unsubscribe of this.unsubscribes) unsubscribe();
    await this.next?.catch(() => undefined);
    await this.running;
  }

  /**
   * Evaluates the given clusters (every cluster when none are given) against every rule.
   * Requests are merged: the first one after a quiet moment waits `coalesceMs`, then for
   * the evaluation under way, and every request made meanwhile joins it (a reconnect storm
   * of thousands of `cluster.changed` events becomes a few evaluations, not thousands, and
   * never a queue of waiters). Resolves once an evaluation covering them has finished.
   */
  evaluate(clusterIds?: readonly number[]): Promise<EvaluationResult> {
    if (clusterIds === undefined) this.pendingAll = true;
    else for (const id of clusterIds) this.pendingIds.add(id);
    this.next ??= new Promise<void>((resolve) => setTimeout(resolve, this.coalesceMs))
      .then(() => this.running?.catch(() => undefined))
      .then(() => {
        // From here on, new requests start the next batch; this one takes what is pending.
        this.next = null;
        const run = this.drain();
        const settled = run.then(
          () => undefined,
          () => undefined,
        );
        this.running = settled;
        void settled.then(() => {
          if (this.running === settled) this.running = null;
        });
        return run;
      });
    return this.next;
  }

  private async drain(): Promise<EvaluationResult> {
    const total: EvaluationResult = { fired: 0, resolved: 0 };
    while (!this.stopped && (this.pendingAll || this.pendingIds.size > 0)) {
      const scope = this.pendingAll ? 'all' : [...this.pendingIds];
      this.pendingAll = false;
      this.pendingIds.clear();
      try {
        const result = await this.evaluateOnce(scope);
        total.fired += result.fired;
        total.resolved += result.resolved;
      } catch (error) {
        this.log.error('alert evaluation failed', { error: errorMessage(error) });
      }
    }
    if (total.fired + total.resolved > 0) {
      this.onQueued();
      this.onChanged();
    }
    return total;
  }

  private async evaluateOnce(scope: 'all' | number[]): Promise<EvaluationResult> {
    const result: EvaluationResult = { fired: 0, resolved: 0 };
    const rules = await this.loadRules();
    // Every stored agent report lands here: with no rule to judge and no alert to resolve,
    // it costs one small read, not a read of the clusters (the gateway's storms stay cheap).
    if (!rules.some((rule) => rule.enabled) && !(await this.anyFiring())) return result;
    if (scope === 'all') {
      const { clusters } = this.store.tables;
      const ids = (await this.store.db.select({ id: clusters.id }).from(clusters)).map((row) => row.id);
      // Alerts whose cluster is gone cascade away with it, so the clusters are the whole scope.
      scope = ids;
    }
    for (let i = 0; i < scope.length; i += CHUNK) {
      const chunk = scope.slice(i, i + CHUNK);
      const part = await this.evaluateClusters(rules, chunk);
      result.fired += part.fired;
      result.resolved += part.resolved;
    }
    return result;
  }

  private async anyFiring(): Promise<boolean> {
    const { alerts } = this.store.tables;
    const [row] = await this.store.db.select({ id: alerts.id }).from(alerts).where(eq(alerts.state, 'firing')).limit(1);
    return row !== undefined;
  }

  private async loadRules(): Promise<RuleRow[]> {
    const { alertRules } = this.store.tables;
    return this.store.db
      .select({
        id: alertRules.id,
        name: alertRules.name,
        environmentId: alertRules.environmentId,
        condition: alertRules.condition,
        forMinutes: alertRules.forMinutes,
        enabled: alertRules.enabled,
      })
      .from(alertRules);
  }

  private async evaluateClusters(rules: RuleRow[], clusterIds: number[]): Promise<EvaluationResult> {
    const result: EvaluationResult = { fired: 0, resolved: 0 };
    if (clusterIds.length === 0) return result;
    const { alerts, clusterEnvironments, clusters } = this.store.tables;
    const [clusterRows, links, openAlerts] = await Promise.all([
      this.store.db
        .select({
          id: clusters.id,
          name: clusters.name,
          status: clusters.status,
          statusReasons: clusters.statusReasons,
          disconnectedAt: clusters.disconnectedAt,
          lastSeenAt: clusters.lastSeenAt,
          nodeCount: clusters.nodeCount,
          readyNodeCount: clusters.readyNodeCount,
        })
        .from(clusters)
        .where(inArray(clusters.id, clusterIds)),
      this.store.db
        .select({ clusterId: clusterEnvironments.clusterId, environmentId: clusterEnvironments.environmentId })
        .from(clusterEnvironments)
        .where(inArray(clusterEnvironments.clusterId, clusterIds)),
      this.store.db
        .select({ id: alerts.id, ruleId: alerts.ruleId, clusterId: alerts.clusterId })
        .from(alerts)
        .where(and(eq(alerts.state, 'firing'), inArray(alerts.clusterId, clusterIds))),
    ]);
    const environmentsOf = new Map<number, Set<number>>();
    for (const link of links) {
      const set = environmentsOf.get(link.clusterId) ?? new Set<number>();
      set.add(link.environmentId);
      environmentsOf.set(link.clusterId, set);
    }
    const openByKey = new Map(openAlerts.map((alert) => [`${alert.ruleId}:${alert.clusterId}`, alert.id]));
    const now = this.clock();
    const rulesById = new Map(rules.map((rule) => [rule.id, rule]));

    for (const cluster of clusterRows) {
      for (const rule of rules) {
        if (!rule.enabled) continue;
        if (rule.environmentId !== null && !environmentsOf.get(cluster.id)?.has(rule.environmentId)) continue;
        const openId = openByKey.get(`${rule.id}:${cluster.id}`);
        openByKey.delete(`${rule.id}:${cluster.id}`);
        let verdict: Verdict = judgeCondition(rule, cluster, now);
        if (verdict.kind === 'firing' && openId === undefined && rule.condition === 'node_not_ready') {
          verdict = judgeCondition(rule, cluster, now, await this.notReadyNodes(cluster.id));
        }
        if (verdict.kind === 'firing' && openId === undefined) {
          if (await this.fire(rule, cluster.id, verdict.summary, now)) result.fired++;
        } else if (verdict.kind === 'clear' && openId !== undefined) {
          if (await this.resolve(openId, rule.id, now)) result.resolved++;
        }
      }
    }
    // Open alerts no enabled rule covers any more: the rule was disabled, or the cluster
    // left the rule's environment.
    for (const [key, alertId] of openByKey) {
      const ruleId = Number(key.split(':')[0]);
      if (!rulesById.has(ruleId)) continue; // deleted meanwhile: the cascade removes the alert
      if (await this.resolve(alertId, ruleId, now)) result.resolved++;
    }
    return result;
  }

  private async notReadyNodes(clusterId: number): Promise<string[]> {
    const { clusterNodes } = this.store.tables;
    const rows = await this.store.db
      .select({ name: clusterNodes.name })
      .from(clusterNodes)
      .where(and(eq(clusterNodes.clusterId, clusterId), eq(clusterNodes.ready, false)))
      .orderBy(clusterNodes.name)
      .limit(NAMED_NODES);
    return rows.map((row) => row.name);
  }

  /** Opens the alert and queues its notifications; false when another evaluation opened it first. */
  private async fire(rule: RuleRow, clusterId: number, summary: string, now: Date): Promise<boolean> {
    try {
      return await this.store.transaction(async (tx) => {
        const { alerts } = tablesOf(tx);
        const [alert] = await tx.insert(alerts).values({ ruleId: rule.id, clusterId, state: 'firing', summary, firedAt: now }).returning({ id: alerts.id });
        if (!alert) throw new Error('fire: the insert returned no row');
        await queueDeliveries(tx, rule.id, alert.id, 'firing', now);
        this.log.info('alert firing', { alertId: alert.id, rule: rule.name, clusterId });
        return true;
      });
    } catch (error) {
      // The partial unique index (one firing alert per rule and cluster), or the rule or
      // cluster deleted since it was read.
      if (error instanceof ConflictError || error instanceof PreconditionError) return false;
      throw error;
    }
  }

  /** Resolves the alert and queues its notifications; false when it was no longer firing. */
  private async resolve(alertId: number, ruleId: number, now: Date): Promise<boolean> {
    return this.store.transaction(async (tx) => {
      const { alerts } = tablesOf(tx);
      const [resolved] = await tx
        .update(alerts)
        .set({ state: 'resolved', resolvedAt: now })
        .where(and(eq(alerts.id, alertId), eq(alerts.state, 'firing')))
        .returning({ id: alerts.id });
      if (!resolved) return false;
      await queueDeliveries(tx, ruleId, alertId, 'resolved', now);
      this.log.info('alert resolved', { alertId, ruleId });
      return true;
    });
  }
}

/** One pending delivery per enabled channel of the rule, due now. */
async function queueDeliveries(tx: Db, ruleId: number, alertId: number, event: 'firing' | 'resolved', now: Date): Promise<void> {
  const { alertDeliveries, alertRuleChannels, notificationChannels } = tablesOf(tx);
  const channels = await tx
    .select({ id: notificationChannels.id })
    .from(alertRuleChannels)
    .innerJoin(notificationChannels, eq(notificationChannels.id, alertRuleChannels.channelId))
    .where(and(eq(alertRuleChannels.ruleId, ruleId), eq(notificationChannels.enabled, true)));
  if (channels.length === 0) return;
  await tx
    .insert(alertDeliveries)
    .values(channels.map((channel) => ({ alertId, channelId: channel.id, event, status: 'pending' as const, attempts: 0, nextAttemptAt: now, createdAt: now })));
}
