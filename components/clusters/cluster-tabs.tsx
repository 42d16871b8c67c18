/**
 * The cluster page's tabs, each its own URL under `/clusters/<name>`. Adding a tab is
 * one line here (the route `[name]/[tab]` serves every segment listed).
 */
import type { ComponentType } from 'react';
import { ClusterAddonsTab } from '@/components/clusters/cluster-addons-tab';
import { ClusterAuditTab } from '@/components/clusters/cluster-audit-tab';
import { ClusterMetricsTab } from '@/components/clusters/cluster-metrics-tab';
import { ClusterNodesTab } from '@/components/clusters/cluster-nodes-tab';
import { ClusterOverviewTab } from '@/components/clusters/cluster-overview-tab';
import { ClusterWorkspacesTab } from '@/components/clusters/cluster-workspaces-tab';
import type { Permission } from '@/lib/permissions';

export interface ClusterTab {
  /** The URL segment after `/clusters/<name>`; empty for the Overview. */
  segment: string;
  label: string;
  /** Shown only to roles holding it (the server refuses the data to others anyway). */
  permission?: Permission;
  Component: ComponentType<{ name: string }>;
}

export const CLUSTER_TABS: readonly ClusterTab[] = [
  { segment: '', label: 'Overview', Component: ClusterOverviewTab },
  { segment: 'nodes', label: 'Nodes', Component: ClusterNodesTab },
  { segment: 'metrics', label: 'Metrics', Component: ClusterMetricsTab },
  { segment: 'addons', label: 'Addons', Component: ClusterAddonsTab },
  { segment: 'workspaces', label: 'Workspaces', Component: ClusterWorkspacesTab },
  { segment: 'audit', label: 'Audit', permission: 'audit.read', Component: ClusterAuditTab },
];

export function clusterTabHref(name: string, segment: string): string {
  const base = `/clusters/${encodeURIComponent(name)}`;
  return segment ? `${base}/${segment}` : base;
}

/** The tab a URL segment names (undefined for none: a 404). */
export function findClusterTab(segment: string): ClusterTab | undefined {
  return segment === '' ? undefined : CLUSTER_TABS.find((tab) => tab.segment === segment);
}
