'use client';

import { useQuery } from '@tanstack/react-query';
import { AuditTrail } from '@/components/audit/audit-trail';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { useCan } from '@/components/auth/session-context';
import { DetachClusterButton, ClusterTokenPanel } from '@/components/clusters/cluster-lifecycle';
import { ClusterAddonsEditor, ClusterEnvironmentsEditor } from '@/components/clusters/cluster-settings-editors';
import { ClusterStatusBadge } from '@/components/clusters/cluster-status-badge';
import { formatGpusByType, formatNodes, NOT_REPORTED, providerLabel, timeAgo } from '@/components/clusters/format';
import { PrerequisitesChecklist } from '@/components/clusters/prerequisites-checklist';
import { Badge } from '@/components/ui/badge';
import { type Column, DataTable } from '@/components/ui/data-table';
import { PageHeader } from '@/components/ui/page-header';
import { ErrorState, LoadingState } from '@/components/ui/states';
import { errorMessage } from '@/lib/form-errors';
import { useTRPC } from '@/components/trpc/client';
import { LIVE_FALLBACK_POLL_MS, useLiveClusters } from '@/components/trpc/use-live-clusters';
import type { RouterOutputs } from '@/components/trpc/types';

type ClusterDetail = RouterOutputs['clusters']['get'];
type NodePool = ClusterDetail['nodePools'][number];

export function ClusterView({ name }: { name: string }) {
  const trpc = useTRPC();
  const canManage = useCan('cluster.manage');
  const canReadAudit = useCan('audit.read');
  // Agent reports and settings changes arrive as events; the page follows without a reload.
  useLiveClusters(name);
  const detail = useQuery(trpc.clusters.get.queryOptions({ name }, { refetchInterval: LIVE_FALLBACK_POLL_MS }));

  if (detail.isPending) return <LoadingState label={`Loading ${name}…`} />;
  if (detail.isError) {
    return (
      <>
        <PageHeader title={name} />
        <ErrorState message={errorMessage(detail.error)} onRetry={() => detail.refetch()} />
        <p className="mt-4 text-sm">
          <Link href="/clusters" className="underline">
            Back to the fleet
          </Link>
        </p>
      </>
    );
  }
  const { cluster, report } = detail.data;

  return (
    <>
      <nav aria-label="Breadcrumb" className="mb-2 text-sm text-zinc-500">
        <Link href="/clusters" className="hover:underline">
          Clusters
        </Link>{' '}
        / {cluster.name}
      </nav>
      <PageHeader
        title={cluster.name}
        description={
          <span className="inline-flex flex-wrap items-center gap-2">
            {providerLabel(cluster.provider)} · {cluster.region} ·{' '}
            <ClusterStatusBadge status={cluster.status} lastSeenAt={cluster.lastSeenAt} reasons={cluster.statusReasons} />
          </span>
        }
        actions={canManage && <DetachClusterButton name={cluster.name} workspaceNames={detail.data.workspaces.map((ws) => ws.name)} />}
      />

      {cluster.statusReasons.length > 0 && (
        <div role="status" className="mb-6 rounded-lg border border-amber-300 bg-amber-50 p-4 text-sm dark:border-amber-800 dark:bg-amber-950">
          <p className="font-medium">Why this cluster needs attention</p>
          <ul className="mt-1 list-disc pl-5">
            {cluster.statusReasons.map((reason) => (
              <li key={reason}>{reason}</li>
            ))}
          </ul>
        </div>
      )}

      <div className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_22rem]">
        <div className="space-y-6">
          <Panel title="Details">
            <dl className="grid gap-x-6 gap-y-2 text-sm sm:grid-cols-2">
              <Detail term="Kubernetes">{cluster.kubernetesVersion ?? NOT_REPORTED}</Detail>
              <Detail term="Agent">{cluster.agentVersion ?? NOT_REPORTED}</Detail>
              <Detail term="Nodes">{formatNodes(cluster.readyNodeCount, cluster.nodeCount)}</Detail>
              <Detail term="GPUs">{formatGpusByType(cluster.gpusByType)}</Detail>
              <Detail term="Last seen">{cluster.lastSeenAt ? `${timeAgo(cluster.lastSeenAt)} (${cluster.lastSeenAt.toLocaleString()})` : 'never'}</Detail>
              <Detail term="Attached">{cluster.createdAt.toLocaleString()}</Detail>
              <Detail term="Base domains">{cluster.baseDomains.length ? cluster.baseDomains.join(', ') : 'none'}</Detail>
              <Detail term="Prometheus URL">
                <code className="text-xs break-all">{cluster.prometheusUrl}</code>
              </Detail>
              <Detail term="Node pool label">
                <code className="text-xs">{cluster.nodePoolLabel}</code>
              </Detail>
              <Detail term="GPU type label">
                <code className="text-xs">{cluster.gpuTypeLabel}</code>
              </Detail>
            </dl>
          </Panel>

          <Panel title="Environments">
            <ClusterEnvironmentsEditor detail={detail.data} canManage={canManage} />
            {detail.data.workspaces.length > 0 && (
              <p className="mt-2 text-xs text-zinc-500">Workspaces: {detail.data.workspaces.map((ws) => ws.name).join(', ')}</p>
            )}
          </Panel>

          <Panel title="Node pools" badge={detail.data.nodesStale && detail.data.nodePools.length > 0 ? <Badge tone="amber">Stale: last known</Badge> : null}>
            <NodePools pools={detail.data.nodePools} stale={detail.data.nodesStale} clusterLastSeenAt={cluster.lastSeenAt} />
          </Panel>

          <Panel title="Addons" description="Desired here; reported by the agent once it connects.">
            <ClusterAddonsEditor detail={detail.data} canManage={canManage} />
          </Panel>

          {report && (
            <Panel title="Reported by the agent" description={report.snapshotAt ? `Snapshot ${timeAgo(report.snapshotAt)}` : undefined}>
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
                <ul className="mt-2 list-disc pl-5 text-xs text-amber-800 dark:text-amber-300">
                  {report.warnings.map((warning) => (
                    <li key={warning}>{warning}</li>
                  ))}
                </ul>
              )}
            </Panel>
          )}

          {canReadAudit && (
            <Panel title="Audit events">
              <AuditTrail targetType="cluster" targetId={String(cluster.id)} />
            </Panel>
          )}
        </div>

        <div className="space-y-6">
          <Panel title="Cluster token">
            <ClusterTokenPanel name={cluster.name} token={detail.data.token} canManage={canManage} />
          </Panel>
          <div className="rounded-lg border border-zinc-200 bg-white p-5 dark:border-zinc-800 dark:bg-zinc-900">
            <PrerequisitesChecklist items={detail.data.prerequisites} title="Prerequisites" />
          </div>
        </div>
      </div>
    </>
  );
}

function Panel({ title, description, badge, children }: { title: string; description?: string; badge?: ReactNode; children: ReactNode }) {
  const id = `panel-${title.toLowerCase().replace(/[^a-z]+/g, '-')}`;
  return (
    <section aria-labelledby={id} className="space-y-3 rounded-lg border border-zinc-200 bg-white p-5 dark:border-zinc-800 dark:bg-zinc-900">
      <div className="flex items-center justify-between gap-2">
        <div>
          <h2 id={id} className="text-sm font-semibold">
            {title}
          </h2>
          {description && <p className="text-xs text-zinc-500">{description}</p>}
        </div>
        {badge}
      </div>
      {children}
    </section>
  );
}

function Detail({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div>
      <dt className="text-xs text-zinc-500">{term}</dt>
      <dd>{children}</dd>
    </div>
  );
}

/**
 * Node rows are rewritten only when a node changes, so a pool's own time says "last
 * changed"; how fresh the data is comes from the agent's last contact.
 */
function NodePools({ pools, stale, clusterLastSeenAt }: { pools: NodePool[]; stale: boolean; clusterLastSeenAt: Date | null }) {
  if (pools.length === 0) {
    return <p className="text-sm text-zinc-500">No nodes reported yet: they appear with the agent’s first snapshot.</p>;
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
          <span className="font-medium text-amber-700 dark:text-amber-400">{timeAgo(clusterLastSeenAt)} (stale)</span>
        ) : (
          timeAgo(clusterLastSeenAt)
        ),
    },
    { id: 'changed', header: 'Last change', cell: (p) => timeAgo(p.lastSeenAt) },
  ];
  return <DataTable label="Node pools" columns={columns} rows={pools} rowKey={(p) => `${p.nodePool ?? ''}/${p.gpuType ?? ''}`} />;
}

