/**
 * Alerting vocabulary shared by the store, the server and the browser: what a rule can
 * watch, where a notification can go, and the states an alert and a delivery move through.
 */

/** What an alert rule watches on each cluster of its environment. */
export const ALERT_CONDITIONS = ['disconnected', 'degraded', 'node_not_ready'] as const;
export type AlertCondition = (typeof ALERT_CONDITIONS)[number];

/** `webhook` posts Fleetdeck's own JSON; `slack` posts Slack's incoming-webhook format. */
export const CHANNEL_KINDS = ['webhook', 'slack'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

export const ALERT_STATES = ['firing', 'resolved'] as const;
export type AlertState = (typeof ALERT_STATES)[number];

/** `test` is a delivery sent from a channel's test button, with no alert behind it. */
export const DELIVERY_EVENTS = ['firing', 'resolved', 'test'] as const;
export type DeliveryEvent = (typeof DELIVERY_EVENTS)[number];

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];
