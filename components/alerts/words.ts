/** How alerting's vocabulary reads on screen. */
import type { AlertCondition, ChannelKind, DeliveryEvent, DeliveryStatus } from '@/lib/alerts';
import type { BadgeTone } from '@/components/ui/badge';

export const CONDITION_LABELS: Record<AlertCondition, string> = {
  disconnected: 'Disconnected',
  degraded: 'Degraded',
  node_not_ready: 'NotReady nodes',
};

export const CONDITION_HINTS: Record<AlertCondition, string> = {
  disconnected: 'The agent has not been heard from for the given minutes (0: as soon as it drops).',
  degraded: 'The cluster is Degraded: failing preflight checks, addon conflicts or an unstable connection. Fires as soon as it is seen.',
  node_not_ready: 'At least one node is NotReady. Fires as soon as it is seen; the nodes are named.',
};

export const CHANNEL_KIND_LABELS: Record<ChannelKind, string> = {
  webhook: 'Webhook (JSON)',
  slack: 'Slack',
};

export const DELIVERY_EVENT_LABELS: Record<DeliveryEvent, string> = {
  firing: 'Firing',
  resolved: 'Resolved',
  test: 'Test',
};

export const DELIVERY_STATUS_TONES: Record<DeliveryStatus, BadgeTone> = {
  pending: 'amber',
  delivered: 'green',
  failed: 'red',
};

export const DELIVERY_STATUS_LABELS: Record<DeliveryStatus, string> = {
  pending: 'Retrying',
  delivered: 'Delivered',
  failed: 'Failed',
};
