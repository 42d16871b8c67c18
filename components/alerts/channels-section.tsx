'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTRPC } from '@/components/trpc/client';
import type { RouterOutputs } from '@/components/trpc/types';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { type Column, DataTable } from '@/components/ui/data-table';
import { Dialog } from '@/components/ui/dialog';
import { EmptyState, ErrorState, LoadingState } from '@/components/ui/states';
import { Switch } from '@/components/ui/switch';
import { errorMessage } from '@/lib/form-errors';
import { ChannelForm } from './channel-form';
import { SectionHeader } from './section-header';
import { CHANNEL_KIND_LABELS } from './words';

type ChannelRow = RouterOutputs['alerts']['channels']['list'][number];
type TestResult = RouterOutputs['alerts']['channels']['test'];

function testResultText(result: TestResult): string {
  return result.delivered ? `Delivered (HTTP ${result.status})` : `Not delivered: ${result.error}`;
}

export function ChannelsSection({ canManage }: { canManage: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const list = useQuery(trpc.alerts.channels.list.queryOptions());
  const [creating, setCreating] = useState(false);
  const [deleting, setDeleting] = useState<ChannelRow | null>(null);
  const [results, setResults] = useState<Record<number, { pending: boolean; text?: string; ok?: boolean }>>({});

  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.alerts.pathKey() });
  const create = useMutation(trpc.alerts.channels.create.mutationOptions({ onSuccess: () => (setCreating(false), refresh()) }));
  const setEnabled = useMutation(trpc.alerts.channels.setEnabled.mutationOptions({ onSettled: refresh }));
  const remove = useMutation(trpc.alerts.channels.delete.mutationOptions({ onSuccess: () => (setDeleting(null), refresh()) }));
  const test = useMutation(trpc.alerts.channels.test.mutationOptions());

  function sendTest(channel: ChannelRow) {
    setResults((current) => ({ ...current, [channel.id]: { pending: true } }));
    test.mutate(
      { id: channel.id },
      {
        onSuccess: (result) => setResults((current) => ({ ...current, [channel.id]: { pending: false, ok: result.delivered, text: testResultText(result) } })),
        onError: (error) => setResults((current) => ({ ...current, [channel.id]: { pending: false, ok: false, text: errorMessage(error) } })),
        onSettled: refresh,
      },
    );
  }

  const columns: Column<ChannelRow>[] = [
    { id: 'name', header: 'Name', cell: (c) => c.name },
    { id: 'kind', header: 'Format', cell: (c) => CHANNEL_KIND_LABELS[c.kind] },
    { id: 'url', header: 'URL', cell: (c) => <span className="font-mono text-xs" title="Stored encrypted; only its host and last characters are shown">{c.urlHint}</span> },
    { id: 'rules', header: 'Used by', cell: (c) => (c.rules.length ? c.rules.join(', ') : '—') },
    {
      id: 'enabled',
      header: 'Enabled',
      cell: (c) =>
        canManage ? (
          <Switch label={`${c.name} enabled`} checked={c.enabled} disabled={setEnabled.isPending} onChange={(enabled) => setEnabled.mutate({ id: c.id, enabled })} />
        ) : (
          <Badge tone={c.enabled ? 'green' : 'neutral'}>{c.enabled ? 'Enabled' : 'Disabled'}</Badge>
        ),
    },
  ];
  if (canManage) {
    columns.push({
      id: 'actions',
      header: 'Actions',
      align: 'right',
      cell: (c) => {
        const result = results[c.id];
        const inUse = c.rules.length > 0;
        return (
          <div className="flex flex-wrap items-center justify-end gap-1">
            {result?.text && (
              <span role="status" data-testid={`test-result-${c.name}`} className={result.ok ? 'text-xs text-green-700 dark:text-green-400' : 'text-xs text-red-700 dark:text-red-400'}>
                {result.text}
              </span>
            )}
            <Button variant="ghost" size="sm" aria-label={`Test ${c.name}`} pending={result?.pending} onClick={() => sendTest(c)}>
              Test
            </Button>
            <Button
              variant="ghost"
              size="sm"
              aria-label={`Delete ${c.name}`}
              disabled={inUse}
              title={inUse ? 'Used by rules: remove it from them first' : undefined}
              onClick={() => (remove.reset(), setDeleting(c))}
            >
              Delete
            </Button>
          </div>
        );
      },
    });
  }

  return (
    <section aria-labelledby="alert-channels" className="space-y-3">
      <SectionHeader
        id="alert-channels"
        title="Channels"
        description="Where notifications go: a webhook receiving Fleetdeck’s JSON, or a Slack incoming webhook."
        action={canManage && <Button onClick={() => (create.reset(), setCreating(true))}>New channel</Button>}
      />
      {list.isPending ? (
        <LoadingState label="Loading channels…" />
      ) : list.isError ? (
        <ErrorState error={list.error} onRetry={() => list.refetch()} />
      ) : list.data.length === 0 ? (
        <EmptyState title="No channels yet">{canManage ? 'Create a webhook or Slack channel, then a rule that sends to it.' : 'An admin creates them.'}</EmptyState>
      ) : (
        <DataTable label="Notification channels" columns={columns} rows={list.data} rowKey={(c) => c.id} />
      )}

      <Dialog open={creating} onClose={() => setCreating(false)} title="New channel">
        {creating && <ChannelForm pending={create.isPending} error={create.error} onSubmit={(values) => create.mutate(values)} onCancel={() => setCreating(false)} />}
      </Dialog>
      <ConfirmDialog
        key={deleting?.id ?? 'none'}
        open={deleting !== null}
        title={`Delete channel ${deleting?.name ?? ''}?`}
        description="Its delivery log goes with it. This cannot be undone; the audit trail keeps the record."
        confirmLabel="Delete channel"
        destructive
        pending={remove.isPending}
        error={remove.error ? errorMessage(remove.error) : null}
        onCancel={() => setDeleting(null)}
        onConfirm={() => deleting && remove.mutate({ id: deleting.id })}
      />
    </section>
  );
}
