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
import { errorMessage } from '@/lib/form-errors';
import { countOf } from '@/lib/format-time';
import { RuleForm } from './rule-form';
import { SectionHeader } from './section-header';
import { CONDITION_LABELS } from './words';

type RuleRow = RouterOutputs['alerts']['rules']['list'][number];
type Editing = { mode: 'create' } | { mode: 'edit'; rule: RuleRow } | null;

function conditionText(rule: Pick<RuleRow, 'condition' | 'forMinutes'>): string {
  if (rule.condition !== 'disconnected') return CONDITION_LABELS[rule.condition];
  return rule.forMinutes === 0 ? 'Disconnected' : `Disconnected for ${countOf(rule.forMinutes, 'minute')}`;
}

export function RulesSection({ canManage }: { canManage: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const list = useQuery(trpc.alerts.rules.list.queryOptions());
  const channels = useQuery(trpc.alerts.channels.list.queryOptions());
  const environments = useQuery(trpc.environments.list.queryOptions());
  const [editing, setEditing] = useState<Editing>(null);
  const [deleting, setDeleting] = useState<RuleRow | null>(null);

  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.alerts.pathKey() });
  const create = useMutation(trpc.alerts.rules.create.mutationOptions({ onSuccess: () => (setEditing(null), refresh()) }));
  const update = useMutation(trpc.alerts.rules.update.mutationOptions({ onSuccess: () => (setEditing(null), refresh()) }));
  const remove = useMutation(trpc.alerts.rules.delete.mutationOptions({ onSuccess: () => (setDeleting(null), refresh()) }));

  const columns: Column<RuleRow>[] = [
    { id: 'name', header: 'Name', cell: (r) => r.name },
    { id: 'environment', header: 'Watches', cell: (r) => r.environment?.name ?? 'All clusters' },
    { id: 'condition', header: 'Condition', cell: (r) => conditionText(r) },
    { id: 'channels', header: 'Sends to', cell: (r) => r.channels.map((c) => c.name).join(', ') || '—' },
    {
      id: 'state',
      header: 'State',
      cell: (r) =>
        !r.enabled ? <Badge>Disabled</Badge> : r.firing > 0 ? <Badge tone="red">{r.firing} firing</Badge> : <Badge tone="green">OK</Badge>,
    },
  ];
  if (canManage) {
    columns.push({
      id: 'actions',
      header: 'Actions',
      align: 'right',
      cell: (r) => (
        <div className="flex items-center justify-end gap-1">
          <Button variant="ghost" size="sm" aria-label={`Edit ${r.name}`} onClick={() => (update.reset(), setEditing({ mode: 'edit', rule: r }))}>
            Edit
          </Button>
          <Button variant="ghost" size="sm" aria-label={`Delete ${r.name}`} onClick={() => (remove.reset(), setDeleting(r))}>
            Delete
          </Button>
        </div>
      ),
    });
  }

  const formLists = {
    environments: (environments.data ?? []).map((env) => ({ id: env.id, name: env.name })),
    channels: (channels.data ?? []).map((c) => ({ id: c.id, name: c.name, enabled: c.enabled })),
  };

  return (
    <section aria-labelledby="alert-rules" className="space-y-3">
      <SectionHeader
        id="alert-rules"
        title="Rules"
        description="What to watch, on which clusters, and where to send it. One notification when an alert fires, one when it resolves."
        action={canManage && <Button onClick={() => (create.reset(), setEditing({ mode: 'create' }))}>New rule</Button>}
      />
      {list.isPending ? (
        <LoadingState label="Loading rules…" />
      ) : list.isError ? (
        <ErrorState error={list.error} onRetry={() => list.refetch()} />
      ) : list.data.length === 0 ? (
        <EmptyState title="No rules yet">{canManage ? 'Create one: for example, any prod cluster Disconnected for 5 minutes.' : 'An admin creates them.'}</EmptyState>
      ) : (
        <DataTable label="Alert rules" columns={columns} rows={list.data} rowKey={(r) => r.id} />
      )}

      <Dialog open={editing !== null} onClose={() => setEditing(null)} title={editing?.mode === 'edit' ? `Edit rule ${editing.rule.name}` : 'New rule'}>
        {editing?.mode === 'create' && (
          <RuleForm
            {...formLists}
            submitLabel="Create rule"
            pending={create.isPending}
            error={create.error}
            onSubmit={(values) => create.mutate(values)}
            onCancel={() => setEditing(null)}
          />
        )}
        {editing?.mode === 'edit' && (
          <RuleForm
            {...formLists}
            initial={{
              name: editing.rule.name,
              environmentId: editing.rule.environment?.id ?? null,
              condition: editing.rule.condition,
              forMinutes: editing.rule.forMinutes,
              channelIds: editing.rule.channels.map((c) => c.id),
              enabled: editing.rule.enabled,
            }}
            submitLabel="Save rule"
            pending={update.isPending}
            error={update.error}
            onSubmit={(values) => update.mutate({ id: editing.rule.id, ...values })}
            onCancel={() => setEditing(null)}
          />
        )}
      </Dialog>
      <ConfirmDialog
        key={deleting?.id ?? 'none'}
        open={deleting !== null}
        title={`Delete rule ${deleting?.name ?? ''}?`}
        description={
          deleting && deleting.firing > 0
            ? `${countOf(deleting.firing, 'alert')} of this rule ${deleting.firing === 1 ? 'is' : 'are'} firing and will be dropped without a resolve notification. To send one, disable the rule first. This cannot be undone.`
            : 'Its alert history goes with it. This cannot be undone; the audit trail keeps the record.'
        }
        confirmLabel="Delete rule"
        destructive
        pending={remove.isPending}
        error={remove.error ? errorMessage(remove.error) : null}
        onCancel={() => setDeleting(null)}
        onConfirm={() => deleting && remove.mutate({ id: deleting.id })}
      />
    </section>
  );
}
