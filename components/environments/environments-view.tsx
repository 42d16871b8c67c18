'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import { useCan } from '@/components/auth/session-context';
import { EnvironmentChip } from '@/components/environments/environment-chip';
import { EnvironmentForm } from '@/components/environments/environment-form';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { type Column, DataTable } from '@/components/ui/data-table';
import { Dialog } from '@/components/ui/dialog';
import { PageHeader } from '@/components/ui/page-header';
import { EmptyState, ErrorState, LoadingState } from '@/components/ui/states';
import { errorMessage } from '@/lib/form-errors';
import { OPTIMIZE_FOR_LABELS, OPTIMIZE_FOR_NOTE } from '@/lib/schemas/environment';
import { useTRPC } from '@/components/trpc/client';
import type { RouterOutputs } from '@/components/trpc/types';

type EnvironmentRow = RouterOutputs['environments']['list'][number];
type Editing = { mode: 'create' } | { mode: 'edit'; env: EnvironmentRow } | null;

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** "used by 2 clusters and 1 workspace", or null when nothing carries the environment. */
export function usedBy(env: Pick<EnvironmentRow, 'clusterCount' | 'workspaceCount'>): string | null {
  const parts = [
    env.clusterCount > 0 ? plural(env.clusterCount, 'cluster', 'clusters') : null,
    env.workspaceCount > 0 ? plural(env.workspaceCount, 'workspace', 'workspaces') : null,
  ].filter((part): part is string => part !== null);
  return parts.length ? `Used by ${parts.join(' and ')}` : null;
}

/**
 * How many clusters or workspaces carry the environment, linking to that list filtered
 * by it (both lists read `env=<name>`); a zero is plain text, as there is nothing to open.
 */
function UsageLink({ count, href, noun, envName }: { count: number; href: string; noun: string; envName: string }) {
  if (count === 0) return <span className="text-zinc-500">0</span>;
  return (
    <Link
      href={href}
      aria-label={`${plural(count, noun, `${noun}s`)} in ${envName}`}
      className="tabular-nums text-indigo-700 underline underline-offset-2 dark:text-indigo-300"
    >
      {count.toLocaleString('en-US')}
    </Link>
  );
}

export function EnvironmentsView() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const canManage = useCan('environment.manage');
  const list = useQuery(trpc.environments.list.queryOptions());
  const [editing, setEditing] = useState<Editing>(null);
  const [deleting, setDeleting] = useState<EnvironmentRow | null>(null);

  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.environments.list.queryKey() });
  const create = useMutation(trpc.environments.create.mutationOptions({ onSuccess: () => (setEditing(null), refresh()) }));
  const update = useMutation(trpc.environments.update.mutationOptions({ onSuccess: () => (setEditing(null), refresh()) }));
  const remove = useMutation(trpc.environments.delete.mutationOptions({ onSuccess: () => (setDeleting(null), refresh()) }));

  const columns: Column<EnvironmentRow>[] = [
    { id: 'name', header: 'Name', cell: (e) => <EnvironmentChip name={e.name} color={e.color} isProduction={e.isProduction} /> },
    {
      id: 'optimizeFor',
      header: 'Optimised for',
      cell: (e) => (
        <span title={OPTIMIZE_FOR_NOTE}>
          {OPTIMIZE_FOR_LABELS[e.optimizeFor]} <span className="text-xs text-zinc-500 dark:text-zinc-400">(placement advice later)</span>
        </span>
      ),
    },
    {
      id: 'clusters',
      header: 'Clusters',
      align: 'right',
      cell: (e) => <UsageLink count={e.clusterCount} href={`/clusters?env=${encodeURIComponent(e.name)}`} noun="cluster" envName={e.name} />,
    },
    {
      id: 'workspaces',
      header: 'Workspaces',
      align: 'right',
      cell: (e) => <UsageLink count={e.workspaceCount} href={`/workspaces?env=${encodeURIComponent(e.name)}`} noun="workspace" envName={e.name} />,
    },
  ];
  if (canManage) {
    columns.push({
      id: 'actions',
      header: 'Actions',
      align: 'right',
      cell: (e) => {
        const inUse = usedBy(e);
        const reasonId = `env-${e.id}-in-use`;
        return (
          <div className="flex items-center justify-end gap-1">
            {inUse && (
              <span id={reasonId} className="text-xs text-zinc-500 dark:text-zinc-400">
                {inUse}: remove it from them to delete
              </span>
            )}
            <Button variant="ghost" size="sm" aria-label={`Edit ${e.name}`} onClick={() => (update.reset(), setEditing({ mode: 'edit', env: e }))}>
              Edit
            </Button>
            <Button
              variant="ghost"
              size="sm"
              aria-label={`Delete ${e.name}`}
              aria-describedby={inUse ? reasonId : undefined}
              disabled={inUse !== null}
              title={inUse ? `${inUse}; remove it from them first` : undefined}
              onClick={() => (remove.reset(), setDeleting(e))}
            >
              Delete
            </Button>
          </div>
        );
      },
    });
  }

  return (
    <>
      <PageHeader
        title="Environments"
        description="Tags for clusters and workspaces. A cluster carries several; a workspace exactly one."
        actions={canManage && <Button onClick={() => (create.reset(), setEditing({ mode: 'create' }))}>New environment</Button>}
      />
      {list.isPending ? (
        <LoadingState label="Loading environments…" />
      ) : list.isError ? (
        <ErrorState error={list.error} onRetry={() => list.refetch()} />
      ) : list.data.length === 0 ? (
        <EmptyState title="No environments yet">Create dev, staging and prod to tag clusters and workspaces.</EmptyState>
      ) : (
        <DataTable label="Environments" columns={columns} rows={list.data} rowKey={(e) => e.id} />
      )}

      <Dialog open={editing !== null} onClose={() => setEditing(null)} title={editing?.mode === 'edit' ? `Edit ${editing.env.name}` : 'New environment'}>
        {editing?.mode === 'create' && (
          <EnvironmentForm
            submitLabel="Create environment"
            pending={create.isPending}
            error={create.error}
            onSubmit={(values) => create.mutate(values)}
            onCancel={() => setEditing(null)}
          />
        )}
        {editing?.mode === 'edit' && (
          <EnvironmentForm
            initial={{ name: editing.env.name, color: editing.env.color, isProduction: editing.env.isProduction, optimizeFor: editing.env.optimizeFor }}
            submitLabel="Save changes"
            pending={update.isPending}
            error={update.error}
            onSubmit={(values) => update.mutate({ id: editing.env.id, ...values })}
            onCancel={() => setEditing(null)}
          />
        )}
      </Dialog>

      <ConfirmDialog
        // A fresh dialog per environment, so a name typed for one never arms another.
        key={deleting?.id ?? 'none'}
        open={deleting !== null}
        title={`Delete ${deleting?.isProduction ? 'production ' : ''}environment ${deleting?.name ?? ''}?`}
        description={
          deleting?.isProduction
            ? 'This is a production environment. This cannot be undone; the audit trail keeps the record.'
            : 'This cannot be undone; the audit trail keeps the record.'
        }
        typeToConfirm={deleting?.isProduction ? deleting.name : undefined}
        confirmLabel="Delete environment"
        destructive
        pending={remove.isPending}
        error={remove.error ? errorMessage(remove.error) : null}
        onCancel={() => setDeleting(null)}
        onConfirm={(typed) => deleting && remove.mutate({ id: deleting.id, confirmName: deleting.isProduction ? typed : undefined })}
      />
    </>
  );
}
