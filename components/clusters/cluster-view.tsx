'use client';

import Link from 'next/link';
import { LinkTabs } from '@/components/ui/link-tabs';
import { usePathname } from 'next/navigation';
import type { ReactNode } from 'react';
import { useCan, useSessionUser } from '@/components/auth/session-context';
import { DetachClusterButton } from '@/components/clusters/cluster-lifecycle';
import { ClusterStatusBadge } from '@/components/clusters/cluster-status-badge';
import { CLUSTER_TABS, clusterTabHref } from '@/components/clusters/cluster-tabs';
import { providerLabel } from '@/components/clusters/format';
import { useClusterDetail } from '@/components/clusters/use-cluster-detail';
import { PageHeader } from '@/components/ui/page-header';
import { ErrorState, LoadingState } from '@/components/ui/states';
import { useLiveClusters } from '@/components/trpc/use-live-clusters';
import { roleHas } from '@/lib/permissions';

/**
 * The cluster page's frame, shared by every tab: breadcrumb, header with status and
 * actions, why the cluster needs attention, and the tab bar. The tab's own content is
 * `children`. One live subscription here keeps every tab's queries fresh.
 */
export function ClusterView({ name, children }: { name: string; children: ReactNode }) {
  const canManage = useCan('cluster.manage');
  // Agent reports and settings changes arrive as events; the page follows without a reload.
  useLiveClusters(name);
  const detail = useClusterDetail(name);

  if (detail.isPending) return <LoadingState label={`Loading ${name}…`} />;
  if (detail.isError) {
    return (
      <>
        <PageHeader title={name} />
        <ErrorState error={detail.error} onRetry={() => detail.refetch()} />
        <p className="mt-4 text-sm">
          <Link href="/clusters" className="underline">
            Back to the fleet
          </Link>
        </p>
      </>
    );
  }
  const { cluster } = detail.data;

  return (
    <>
      <nav aria-label="Breadcrumb" className="mb-2 text-sm text-zinc-500">
        <Link href="/clusters" className="hover:underline">
          Clusters
        </Link>{' '}
        / <span className="break-all">{cluster.name}</span>
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
          <ul className="mt-1 list-disc pl-5 break-words">
            {cluster.statusReasons.map((reason) => (
              <li key={reason}>{reason}</li>
            ))}
          </ul>
        </div>
      )}

      <ClusterTabBar name={cluster.name} />
      <div className="mt-6">{children}</div>
    </>
  );
}

/** The cluster's sections, each its own URL (components/clusters/cluster-tabs.tsx). */
function ClusterTabBar({ name }: { name: string }) {
  const pathname = usePathname();
  const base = clusterTabHref(name, '');
  const current = pathname.startsWith(`${base}/`) ? pathname.slice(base.length + 1).split('/')[0] ?? '' : '';
  const { role } = useSessionUser();
  const visible = CLUSTER_TABS.filter((tab) => !tab.permission || roleHas(role, tab.permission));
  return (
    <LinkTabs
      label="Cluster sections"
      tabs={visible.map((tab) => ({ href: clusterTabHref(name, tab.segment), label: tab.label }))}
      currentHref={clusterTabHref(name, current)}
    />
  );
}
