'use client';
/**
 * Settings → Storage (admins): the integrations ML repos are stored on, with what can be
 * shown of their credentials (a hint), the last connection test and how many repos use
 * each; create, test, replace credentials and delete. Credentials never come back from
 * the server, so nothing here can show them.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useCan } from '@/components/auth/session-context';
import { timeAgo } from '@/components/clusters/format';
import { ConnectionTestSteps } from '@/components/storage/connection-test-steps';
import { ReplaceCredentialsForm } from '@/components/storage/replace-credentials-form';
import { StorageForm } from '@/components/storage/storage-form';
import { useTRPC } from '@/components/trpc/client';
import type { RouterOutputs } from '@/components/trpc/types';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { type Column, DataTable, TruncatedText } from '@/components/ui/data-table';
import { Dialog } from '@/components/ui/dialog';
import { EmptyState, ErrorState, FormError, LoadingState } from '@/components/ui/states';
import { errorMessage } from '@/lib/form-errors';
import { countOf, formatInstant } from '@/lib/format-time';
import { STORAGE_KIND_LABELS } from '@/lib/storage';

type IntegrationRow = RouterOutputs['storage']['list'][number];
type Details = NonNullable<IntegrationRow['details']>;
type Admin = IntegrationRow & { details: Details };

/** "Used by 2 ML repos (a, b)": why an integration cannot be deleted. */
function usageReason(details: Details): string | null {
  if (details.repoCount === 0) return null;
  const more = details.repoCount > details.repoNames.length ? ` and ${details.repoCount - details.repoNames.length} more` : '';
  return `Used by ${countOf(details.repoCount, 'ML repo')} (${details.repoNames.join(', ')}${more}); move or delete them first`;
}

function LastTest({ details }: { details: Details }) {
  const test = details.lastTest;
  if (!test) return <span className="text-zinc-500 dark:text-zinc-400">Not tested</span>;
  const failed = test.steps.find((s) => !s.ok);
  const at = new Date(test.at);
  return (
    <span className="inline-flex flex-wrap items-center gap-1.5">
      <Badge tone={test.ok ? 'green' : 'red'} className="whitespace-nowrap">{test.ok ? 'Passed' : `Failed: ${failed?.step ?? 'test'}`}</Badge>
      <time dateTime={test.at} title={formatInstant(at)} className="text-xs text-zinc-500 dark:text-zinc-400">
        {timeAgo(at)}
      </time>
    </span>
  );
}

export function StorageView() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const canManage = useCan('storage.manage');
  const list = useQuery({ ...trpc.storage.list.queryOptions(), enabled: canManage });
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.storage.pathKey() });

  const [creating, setCreating] = useState(false);
  const [testing, setTesting] = useState<Admin | null>(null);
  const [replacing, setReplacing] = useState<Admin | null>(null);
  const [deleting, setDeleting] = useState<Admin | null>(null);

  const create = useMutation(trpc.storage.create.mutationOptions({ onSuccess: () => (setCreating(false), void refresh()) }));
  const test = useMutation(trpc.storage.testConnection.mutationOptions({ onSettled: () => void refresh() }));
  const replace = useMutation(trpc.storage.replaceCredentials.mutationOptions({ onSuccess: () => (setReplacing(null), void refresh()) }));
  const remove = useMutation(trpc.storage.delete.mutationOptions({ onSuccess: () => (setDeleting(null), void refresh()) }));

  if (!canManage) {
    return <EmptyState title="Storage is managed by admins">Ask an admin to add or change a storage integration.</EmptyState>;
  }

  const columns: Column<Admin>[] = [
    { id: 'name', header: 'Name', cell: (i) => <span className="font-medium whitespace-nowrap">{i.name}</span> },
    { id: 'kind', header: 'Kind', cell: (i) => <span className="whitespace-nowrap">{STORAGE_KIND_LABELS[i.kind]}</span> },
    {
      id: 'root',
      header: 'Root and credentials',
      stackOnPhone: true,
      cell: (i) => (
        <span className="block min-w-0 max-w-md">
          <TruncatedText text={i.rootUri} className="font-mono text-xs" />
          <span className="block text-xs text-zinc-500 dark:text-zinc-400">
            <TruncatedText text={i.details.credentialsHint} />
          </span>
        </span>
      ),
    },
    { id: 'lastTest', header: 'Last test', cell: (i) => <LastTest details={i.details} /> },
    { id: 'repos', header: 'Repos', align: 'right', cell: (i) => i.details.repoCount },
    {
      id: 'actions',
      header: 'Actions',
      stackOnPhone: true,
      cell: (i) => {
        const reason = usageReason(i.details);
        return (
          <div className="flex flex-wrap gap-1.5 [&>button]:whitespace-nowrap">
            <Button size="sm" variant="secondary" onClick={() => (setTesting(i), test.mutate({ id: i.id }))} aria-label={`Test connection of ${i.name}`}>
              Test connection
            </Button>
            <Button size="sm" variant="secondary" onClick={() => (replace.reset(), setReplacing(i))} aria-label={`Replace credentials of ${i.name}`}>
              Replace credentials
            </Button>
            <Button
              size="sm"
              variant="ghost"
              disabled={reason !== null}
              title={reason ?? undefined}
              aria-description={reason ?? undefined}
              onClick={() => (remove.reset(), setDeleting(i))}
              aria-label={`Delete ${i.name}`}
            >
              Delete
            </Button>
          </div>
        );
      },
    },
  ];

  const rows = (list.data ?? []).filter((i): i is Admin => i.details !== null);

  return (
    <section className="space-y-3" aria-labelledby="storage-title">
      <div className="flex flex-wrap items-start justify-between gap-2">
        <div>
          <h2 id="storage-title" className="text-base font-semibold">
            Storage integrations
          </h2>
          <p className="text-sm text-zinc-600 dark:text-zinc-400">
            Where ML repos keep models, artifacts and run metadata. Credentials are encrypted at rest and write-only: they can be replaced,
            never read back.
          </p>
        </div>
        <Button onClick={() => (create.reset(), setCreating(true))}>New integration</Button>
      </div>
      {list.isPending ? (
        <LoadingState label="Loading storage integrations…" />
      ) : list.isError ? (
        <ErrorState error={list.error} onRetry={() => list.refetch()} />
      ) : rows.length === 0 ? (
        <EmptyState title="No storage integrations yet">Add one so team leads can create ML repos on it.</EmptyState>
      ) : (
        <DataTable label="Storage integrations" columns={columns} rows={rows} rowKey={(i) => i.id} />
      )}

      <Dialog open={creating} onClose={() => setCreating(false)} title="New storage integration">
        {creating && <StorageForm pending={create.isPending} error={create.error} onSubmit={(v) => create.mutate(v)} onCancel={() => setCreating(false)} />}
      </Dialog>

      <Dialog
        open={testing !== null}
        onClose={() => setTesting(null)}
        title={`Test connection: ${testing?.name ?? ''}`}
        description="Writes, reads back and deletes a probe object under the root."
        footer={
          <Button variant="secondary" onClick={() => setTesting(null)}>
            Close
          </Button>
        }
      >
        {test.isPending ? (
          <LoadingState label="Talking to the storage…" />
        ) : test.isError ? (
          <FormError message={errorMessage(test.error)} />
        ) : test.data ? (
          <ConnectionTestSteps result={test.data} />
        ) : null}
      </Dialog>

      <Dialog
        open={replacing !== null}
        onClose={() => setReplacing(null)}
        title={`Replace credentials: ${replacing?.name ?? ''}`}
        description={`Now: ${replacing?.details.credentialsHint ?? ''}. The current credentials cannot be shown; what you enter replaces them.`}
      >
        {replacing && (
          <ReplaceCredentialsForm
            integration={{ id: replacing.id, kind: replacing.kind, roleArn: replacing.details.settings.roleArn }}
            pending={replace.isPending}
            error={replace.error}
            onSubmit={(v) => replace.mutate(v)}
            onCancel={() => setReplacing(null)}
          />
        )}
      </Dialog>

      <ConfirmDialog
        open={deleting !== null}
        onCancel={() => setDeleting(null)}
        onConfirm={() => deleting && remove.mutate({ id: deleting.id })}
        title={`Delete ${deleting?.name ?? ''}?`}
        description="Fleetdeck forgets this integration and its credentials. Nothing in the bucket is deleted."
        confirmLabel="Delete integration"
        destructive
        pending={remove.isPending}
        error={remove.error ? errorMessage(remove.error) : null}
      />
    </section>
  );
}
