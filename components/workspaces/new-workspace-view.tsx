'use client';

import { useMutation, useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter, useSearchParams } from 'next/navigation';
import { useCan } from '@/components/auth/session-context';
import { PageHeader } from '@/components/ui/page-header';
import { EmptyState, ErrorState, LoadingState } from '@/components/ui/states';
import { useTRPC } from '@/components/trpc/client';
import { useRefreshWorkspaces } from '@/components/workspaces/workspace-actions';
import { WorkspaceForm } from '@/components/workspaces/workspace-form';
import { blankWorkspaceForm } from '@/components/workspaces/workspace-form-values';
import { workspaceHref } from '@/components/workspaces/workspace-list';

/** Clusters offered to create in: the first this-many by name. */
const CLUSTER_CHOICES = 100;

/** Create a workspace; `?cluster=<name>` presets the cluster (the cluster page's "New workspace"). */
export function NewWorkspaceView() {
  const trpc = useTRPC();
  const router = useRouter();
  const params = useSearchParams();
  const canCreate = useCan('workspace.create');
  const refresh = useRefreshWorkspaces();
  const presetName = params.get('cluster') ?? '';
  const clusters = useQuery(trpc.clusters.list.queryOptions({ pageSize: CLUSTER_CHOICES, sort: 'name', direction: 'asc' }, { enabled: canCreate }));
  const create = useMutation(
    trpc.workspaces.create.mutationOptions({
      onSuccess: (workspace) => {
        refresh();
        const clusterName = clusters.data?.rows.find((c) => c.id === workspace.clusterId)?.name;
        router.push(clusterName ? workspaceHref(clusterName, workspace.name) : '/workspaces');
      },
    }),
  );
  const back = presetName ? `/clusters/${encodeURIComponent(presetName)}/workspaces` : '/workspaces';

  return (
    <>
      <nav aria-label="Breadcrumb" className="mb-2 text-sm text-zinc-500">
        <Link href="/workspaces" className="hover:underline">
          Workspaces
        </Link>{' '}
        / New
      </nav>
      <PageHeader title="New workspace" description="A namespace in one cluster. The cluster’s agent creates it; until then it shows as Pending." />
      {!canCreate ? (
        <EmptyState title="Only admins create workspaces">Ask an admin to create one and give you a role on it.</EmptyState>
      ) : clusters.isPending ? (
        <LoadingState label="Loading clusters…" />
      ) : clusters.isError ? (
        <ErrorState error={clusters.error} onRetry={() => clusters.refetch()} />
      ) : clusters.data.rows.length === 0 ? (
        <EmptyState title="No clusters yet" action={<Link href="/clusters/attach" className="underline">Attach a cluster</Link>}>
          A workspace lives in a cluster: attach one first.
        </EmptyState>
      ) : (
        <WorkspaceForm
          mode="create"
          initial={blankWorkspaceForm(clusters.data.rows.find((c) => c.name === presetName)?.id ?? null)}
          clusters={clusters.data.rows.map((c) => ({ id: c.id, name: c.name }))}
          pending={create.isPending || create.isSuccess}
          error={create.error}
          onSubmit={(input) => create.mutate(input)}
          onCancel={() => router.push(back)}
        />
      )}
    </>
  );
}
