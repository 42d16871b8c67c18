/**
 * The fleet list's statuses, sort columns and page sizes, without zod: the fleet page
 * (`/clusters`) imports these, and a module that builds zod schemas at load would put all
 * of zod (31 KB gzip) into its first load. lib/schemas/cluster.ts re-exports them and
 * builds the list's input schema from them.
 */
import type { ClusterStatus } from '@/lib/cluster-status';

export const CLUSTER_STATUSES = ['awaiting_agent', 'connected', 'degraded', 'disconnected'] as const satisfies readonly ClusterStatus[];

export const CLUSTER_STATUS_LABELS: Record<ClusterStatus, string> = {
  awaiting_agent: 'Awaiting agent',
  connected: 'Connected',
  degraded: 'Degraded',
  disconnected: 'Disconnected',
};

export const CLUSTER_SORT_COLUMNS = [
  'name',
  'provider',
  'region',
  'environments',
  'status',
  'lastSeenAt',
  'kubernetesVersion',
  'nodeCount',
  'gpuCount',
  'createdAt',
] as const;
export type ClusterSortColumn = (typeof CLUSTER_SORT_COLUMNS)[number];

export const FLEET_PAGE_SIZES = [25, 50, 100] as const;
