/** What on-call reads: alerts firing and recently resolved, and the delivery log. */
import { and, desc, eq, isNotNull, isNull, or } from 'drizzle-orm';
import type { AlertCondition, AlertState, DeliveryEvent, DeliveryStatus } from '@/lib/alerts';
import type { Principal } from '@/server/access/principal';
import type { Store } from '@/server/store';
import { visibleClustersOn } from '@/server/services/clusters/shared';

const MAX_FIRING = 200;
const RECENT_RESOLVED = 50;
const DELIVERY_LOG = 100;

export interface AlertView {
  id: number;
  state: AlertState;
  summary: string;
  firedAt: Date;
  resolvedAt: Date | null;
  rule: { id: number; name: string; condition: AlertCondition };
  cluster: { id: number; name: string };
}

/** Alerts of the clusters `principal` may see. */
export async function listAlerts(store: Store, principal: Principal): Promise<{ firing: AlertView[]; resolved: AlertView[] }> {
  const { alerts, alertRules, clusters } = store.tables;
  const visible = visibleClustersOn(principal, alerts.clusterId);
  const query = () =>
    store.db
      .select({
        id: alerts.id,
        state: alerts.state,
        summary: alerts.summary,
        firedAt: alerts.firedAt,
        resolvedAt: alerts.resolvedAt,
        ruleId: alertRules.id,
        ruleName: alertRules.name,
        condition: alertRules.condition,
        clusterId: clusters.id,
        clusterName: clusters.name,
      })
      .from(alerts)
      .innerJoin(alertRules, eq(alertRules.id, alerts.ruleId))
      .innerJoin(clusters, eq(clusters.id, alerts.clusterId));
  const [firing, resolved] = await Promise.all([
    query().where(and(eq(alerts.state, 'firing'), visible)).orderBy(desc(alerts.firedAt), desc(alerts.id)).limit(MAX_FIRING),
    query()
      .where(and(eq(alerts.state, 'resolved'), isNotNull(alerts.resolvedAt), visible))
      .orderBy(desc(alerts.resolvedAt), desc(alerts.id))
      .limit(RECENT_RESOLVED),
  ]);
  const view = (row: (typeof firing)[number]): AlertView => ({
    id: row.id,
    state: row.state,
    summary: row.summary,
    firedAt: row.firedAt,
    resolvedAt: row.resolvedAt,
    rule: { id: row.ruleId, name: row.ruleName, condition: row.condition },
    cluster: { id: row.clusterId, name: row.clusterName },
  });
  return { firing: firing.map(view), resolved: resolved.map(view) };
}

export interface DeliveryView {
  id: number;
  event: DeliveryEvent;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: Date | null;
  lastError: string | null;
  responseStatus: number | null;
  deliveredAt: Date | null;
  createdAt: Date;
  channel: { id: number; name: string };
  /** Null for a test message. */
  alert: { id: number; summary: string; clusterName: string | null } | null;
}

/** Deliveries of alerts on the clusters `principal` may see, and channel tests (no alert). */
export async function listDeliveries(store: Store, principal: Principal): Promise<DeliveryView[]> {
  const { alertDeliveries, alerts, clusters, notificationChannels } = store.tables;
  const visible = visibleClustersOn(principal, alerts.clusterId);
  const rows = await store.db
    .select({
      id: alertDeliveries.id,
      event: alertDeliveries.event,
      status: alertDeliveries.status,
      attempts: alertDeliveries.attempts,
      nextAttemptAt: alertDeliveries.nextAttemptAt,
      lastError: alertDeliveries.lastError,
      responseStatus: alertDeliveries.responseStatus,
      deliveredAt: alertDeliveries.deliveredAt,
      createdAt: alertDeliveries.createdAt,
      channelId: notificationChannels.id,
      channelName: notificationChannels.name,
      alertId: alerts.id,
      summary: alerts.summary,
      clusterName: clusters.name,
    })
    .from(alertDeliveries)
    .innerJoin(notificationChannels, eq(notificationChannels.id, alertDeliveries.channelId))
    .leftJoin(alerts, eq(alerts.id, alertDeliveries.alertId))
    .leftJoin(clusters, eq(clusters.id, alerts.clusterId))
    .where(visible ? or(isNull(alertDeliveries.alertId), visible) : undefined)
    .orderBy(desc(alertDeliveries.id))
    .limit(DELIVERY_LOG);
  return rows.map((row) => ({
    id: row.id,
    event: row.event,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.nextAttemptAt,
    lastError: row.lastError,
    responseStatus: row.responseStatus,
    deliveredAt: row.deliveredAt,
    createdAt: row.createdAt,
    channel: { id: row.channelId, name: row.channelName },
    alert: row.alertId !== null && row.summary !== null ? { id: row.alertId, summary: row.summary, clusterName: row.clusterName } : null,
  }));
}
