'use client';

import { useMutation, useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { EmptyState, ErrorState, LoadingState } from '@/components/ui/states';
import { PageHeader } from '@/components/ui/page-header';
import { useTRPC } from '@/components/trpc/client';
import { useRefreshWorkspaces } from '@/components/workspaces/workspace-actions';
import { WorkspaceForm } from '@/components/workspaces/workspace-form';
import { boxesFromQuota, rowFromToleration, rowsFromLabels } from '@/components/workspaces/workspace-form-values';
import { workspaceHref } from '@/components/workspaces/workspace-list';

/** Edit a workspace's environment, labels, tolerations and quota (a namespace cannot be renamed or moved). */
export function EditWorkspaceView({ clusterName, name }: { clusterName: string; name: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const refresh = useRefreshWorkspaces();
  const back = workspaceHref(clusterName, name);
  // Read once: a live refetch must not reset what is being typed.
  const detail = useQuery(trpc.workspaces.get.queryOptions({ clusterName, name }, { staleTime: Number.POSITIVE_INFINITY, refetchOnWindowFocus: false }));
  const update = useMutation(trpc.workspaces.update.mutationOptions({ onSuccess: () => (refresh(), router.push(back)) }));

  return (
    <>
      <nav aria-label="Breadcrumb" className="mb-2 text-sm text-zinc-500">
        <Link href="/workspaces" className="hover:underline">
          Workspaces
        </Link>{' '}
        /{' '}
        <Link href={back} className="break-all hover:underline">
          {clusterName}:{name}
        </Link>{' '}
        / Edit
      </nav>
      <PageHeader title={`Edit ${name}`} description="Saving stores the change at once; the cluster’s agent applies it (Pending until then)." />
      {detail.isPending ? (
        <LoadingState />
      ) : detail.isError ? (
        <ErrorState error={detail.error} onRetry={() => detail.refetch()} />
      ) : !detail.data.can['workspace.update'] ? (
        <EmptyState title="You may not edit this workspace">Workspace admins and editors may; ask one of them or an admin.</EmptyState>
      ) : (
        <WorkspaceForm
          mode="edit"
          workspaceId={detail.data.id}
          fixed={{ name: detail.data.name, clusterName: detail.data.cluster.name }}
          initial={{
            name: detail.data.name,
            clusterId: detail.data.cluster.id,
            environmentId: detail.data.environment.id,
            labels: rowsFromLabels(detail.data.labels),
            tolerations: detail.data.tolerations.map(rowFromToleration),
            quota: boxesFromQuota(detail.data.quota),
          }}
          pending={update.isPending || update.isSuccess}
          error={update.error}
          onSubmit={(input) => update.mutate(input)}
          onCancel={() => router.push(back)}
        />
      )}
    </>
  );
}
