'use client';

import Link from 'next/link';
import { useCan } from '@/components/auth/session-context';
import { useClusterDetail } from '@/components/clusters/use-cluster-detail';
import { WorkspaceList } from '@/components/workspaces/workspace-list';
import { LINK_BUTTON, newWorkspaceHref } from '@/components/workspaces/workspaces-view';

/** This cluster's workspaces: the workspace list with the cluster fixed, and "New workspace" preset to it. */
export function ClusterWorkspacesTab({ name }: { name: string }) {
  const canCreate = useCan('workspace.create');
  // The frame (ClusterView) renders tabs only once this query has data.
  const { data: detail } = useClusterDetail(name);
  if (!detail) return null;
  const action = canCreate && (
    <Link href={newWorkspaceHref(detail.cluster.name)} className={LINK_BUTTON}>
      New workspace
    </Link>
  );
  return (
    <div className="space-y-4">
      {action && <div className="flex justify-end">{action}</div>}
      <WorkspaceList fixedCluster={{ id: detail.cluster.id, name: detail.cluster.name }} emptyAction={action || undefined} />
    </div>
  );
}
