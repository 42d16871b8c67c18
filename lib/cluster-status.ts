/**
 * A cluster's connection status, owned here so the store, the server and the browser
 * share one list. Derived by server/services/cluster-status.ts from timestamped facts.
 */
export const CLUSTER_STATUSES = ['awaiting_agent', 'connected', 'degraded', 'disconnected'] as const;
export type ClusterStatus = (typeof CLUSTER_STATUSES)[number];

/** How an environment wants its clusters tuned. */
export const OPTIMIZE_FOR = ['cost', 'availability'] as const;
export type OptimizeFor = (typeof OPTIMIZE_FOR)[number];
