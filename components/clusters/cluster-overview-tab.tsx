'use client';

import Link from 'next/link';
import { useCan } from '@/components/auth/session-context';
import { ClusterTokenPanel } from '@/components/clusters/cluster-lifecycle';
import { Detail, Panel } from '@/components/clusters/cluster-panel';
import { ClusterEnvironmentsEditor, ClusterSettingsEditor } from '@/components/clusters/cluster-settings-editors';
import { ConnectionHistoryPanel } from '@/components/clusters/connection-history';
import {
  formatGpusByType,
  formatInstant,
  formatMoment,
  formatNodes,
  NOT_REPORTED,
  reportFreshness,
  timeAgo,
} from '@/components/clusters/format';
import { PrerequisitesChecklist } from '@/components/clusters/prerequisites-checklist';
import { type ClusterDetail, useClusterDetail } from '@/components/clusters/use-cluster-detail';
import { Badge } from '@/components/ui/badge';
import { type Column, DataTable } from '@/components/ui/data-table';
import { describeAgentWarning } from '@/lib/agent-warnings';

type NodePool = ClusterDetail['nodePools'][number];

/** The cluster at a glance: facts, settings, environments, node pools, the agent's report, connections, checklist. */
export function ClusterOverviewTab({ name }: { name: string }) {
  const canManage = useCan('cluster.manage');
  // The frame (ClusterView) renders tabs only once this query has data.
  const { data: detail } = useClusterDetail(name);
  if (!detail) return null;
  const { cluster, report } = detail;

  return (
    <div className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_22rem]">
      <div className="min-w-0 space-y-6">
        <Panel title="Details">
          <dl className="grid gap-x-6 gap-y-2 text-sm sm:grid-cols-2">
            <Detail term="Kubernetes">{cluster.kubernetesVersion ?? NOT_REPORTED}</Detail>
            <Detail term="Agent">{cluster.agentVersion ?? NOT_REPORTED}</Detail>
            <Detail term="Nodes">{formatNodes(cluster.readyNodeCount, cluster.nodeCount)}</Detail>
            <Detail term="GPUs">{formatGpusByType(cluster.gpusByType)}</Detail>
            <Detail term="Last seen">{formatMoment(cluster.lastSeenAt)}</Detail>
            <Detail term="Attached">{formatInstant(cluster.createdAt)}</Detail>
          </dl>
        </Panel>

        <Panel title="Settings">
          <ClusterSettingsEditor detail={detail} canManage={canManage} />
        </Panel>

        <Panel title="Environments">
          <ClusterEnvironmentsEditor detail={detail} canManage={canManage} />
          {detail.workspaces.length > 0 && (
            <p className="mt-2 text-xs text-zinc-500">Workspaces: {detail.workspaces.map((ws) => ws.name).join(', ')}</p>
          )}
        </Panel>

        <Panel
          title="Node pools"
          badge={detail.nodesStale && detail.nodePools.length > 0 ? <Badge tone="amber">Stale: last known</Badge> : null}
        >
          <NodePools detail={detail} />
          {detail.nodePools.length > 0 && (
            <p className="text-sm">
              <Link href={`/clusters/${encodeURIComponent(cluster.name)}/nodes`} className="underline">
                Every node, with conditions, taints and kubelet versions
              </Link>
            </p>
          )}
        </Panel>

        {report && (
          <Panel
            title="Reported by the agent"
            description={reportFreshness({ agentConnection: cluster.agentConnection, changedAt: report.changedAt, lastSeenAt: cluster.lastSeenAt })}
          >
            <dl className="grid gap-2 text-sm sm:grid-cols-2">
              <Detail term="Namespaces">{report.namespaceCount}</Detail>
              <Detail term="StorageClasses">
                {report.storageClasses.map((sc) => `${sc.name}${sc.isDefault ? ' (default)' : ''}`).join(', ') || 'none'}
              </Detail>
              <Detail term="IngressClasses">
                {report.ingressClasses.map((ic) => `${ic.name}${ic.isDefault ? ' (default)' : ''}`).join(', ') || 'none'}
              </Detail>
            </dl>
            {report.warnings.length > 0 && (
              <ul className="mt-2 list-disc pl-5 text-xs break-words text-amber-800 dark:text-amber-300">
                {report.warnings.map((warning) => (
                  <li key={warning}>{describeAgentWarning(warning)}</li>
                ))}
              </ul>
            )}
          </Panel>
        )}

        <div className="rounded-lg border border-zinc-200 bg-white p-5 dark:border-zinc-800 dark:bg-zinc-900">
          <ConnectionHistoryPanel clusterName={cluster.name} />
        </div>
      </div>

      <div className="min-w-0 space-y-6">
        <Panel title="Cluster token">
          <ClusterTokenPanel name={cluster.name} token={detail.token} canManage={canManage} />
        </Panel>
        <div className="rounded-lg border border-zinc-200 bg-white p-5 dark:border-zinc-800 dark:bg-zinc-900">
          <PrerequisitesChecklist items={detail.prerequisites} title="Prerequisites" />
        </div>
      </div>
    </div>
  );
}

/**
 * Node rows are rewritten only when a node changes, so a pool's own time says "last
 * changed"; how fresh the data is comes from the agent's last contact.
 */
function NodePools({ detail }: { detail: ClusterDetail }) {
  const { nodePools: pools, nodesStale: stale, cluster } = detail;
  if (pools.length === 0) {
    if (detail.missingNodesReason) {
      return (
        <p role="status" className="text-sm text-amber-800 dark:text-amber-300">
          No nodes reported. {detail.missingNodesReason}
        </p>
      );
    }
    return (
      <p className="text-sm text-zinc-500">
        {cluster.agentConnection === 'never'
          ? 'No nodes reported yet: they appear with the agent’s first snapshot.'
          : detail.report
            ? 'The agent reported no nodes in this cluster.'
            : 'No nodes reported yet: the agent has connected, its first snapshot is on its way.'}
      </p>
    );
  }
  const columns: Column<NodePool>[] = [
    { id: 'pool', header: 'Node pool', cell: (p) => p.nodePool ?? <span className="text-zinc-500">unlabelled</span> },
    { id: 'gpuType', header: 'GPU type', cell: (p) => p.gpuType ?? (p.gpuCount > 0 ? 'unlabelled' : NOT_REPORTED) },
    { id: 'nodes', header: 'Nodes', align: 'right', cell: (p) => p.nodeCount },
    {
      id: 'ready',
      header: 'Ready',
      align: 'right',
      cell: (p) => <span className={p.readyCount < p.nodeCount ? 'font-medium text-amber-700 dark:text-amber-400' : undefined}>{p.readyCount}</span>,
    },
    { id: 'gpus', header: 'GPUs', align: 'right', cell: (p) => p.gpuCount },
    {
      id: 'lastSeen',
      header: 'Last seen',
      cell: () =>
        stale ? (
          <span className="font-medium text-amber-700 dark:text-amber-400">{timeAgo(cluster.lastSeenAt)} (stale)</span>
        ) : (
          timeAgo(cluster.lastSeenAt)
        ),
    },
    { id: 'changed', header: 'Last change', cell: (p) => timeAgo(p.lastSeenAt) },
  ];
  return <DataTable label="Node pools" columns={columns} rows={pools} rowKey={(p) => `${p.nodePool ?? ''}/${p.gpuType ?? ''}`} />;
}
