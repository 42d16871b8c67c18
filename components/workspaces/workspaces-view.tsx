'use client';

import Link from 'next/link';
import { useCan } from '@/components/auth/session-context';
import { PageHeader } from '@/components/ui/page-header';
import { WorkspaceList } from '@/components/workspaces/workspace-list';

export const LINK_BUTTON =
  'inline-flex h-9 items-center rounded-md bg-indigo-600 px-3.5 text-sm font-medium text-white hover:bg-indigo-500 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-500';

/** `/workspaces/new`, preset to a cluster when given. */
export function newWorkspaceHref(clusterName?: string): string {
  return clusterName ? `/workspaces/new?cluster=${encodeURIComponent(clusterName)}` : '/workspaces/new';
}

/** Every workspace the user may see, across the fleet. */
export function WorkspacesView() {
  const canCreate = useCan('workspace.create');
  const action = canCreate && (
    <Link href={newWorkspaceHref()} className={LINK_BUTTON}>
      New workspace
    </Link>
  );
  return (
    <>
      <PageHeader
        title="Workspaces"
        description="Namespaces in the fleet’s clusters, each tagged with one environment and kept in sync by the cluster’s agent."
        actions={action}
      />
      <WorkspaceList emptyAction={action || undefined} />
    </>
  );
}
