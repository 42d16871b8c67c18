'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { CopyButton } from '@/components/ui/copy-button';
import { useTRPC } from '@/components/trpc/client';
import type { RouterOutputs } from '@/components/trpc/types';
import { errorMessage } from '@/lib/form-errors';

export type WorkspaceRow = RouterOutputs['workspaces']['list']['rows'][number];

/** The FQN `<cluster>:<workspace>` in monospace with its copy button, wherever a workspace appears. */
export function WorkspaceFqn({ fqn }: { fqn: string }) {
  return (
    <span className="inline-flex min-w-0 items-center gap-1.5">
      <span className="min-w-0 font-mono text-xs break-all">{fqn}</span>
      <CopyButton text={fqn} label={`Copy ${fqn}`} />
    </span>
  );
}

/** Refreshes every workspace query (and the environments' usage counts) after a change made here. */
export function useRefreshWorkspaces(): () => void {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return () => {
    void queryClient.invalidateQueries({ queryKey: trpc.workspaces.pathKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.environments.pathKey() });
  };
}

/** Drift: the namespace in the cluster no longer matches. One click asks the agent to apply the stored state again. */
export function DriftNotice({ workspace }: { workspace: Pick<WorkspaceRow, 'id' | 'fqn' | 'drift' | 'can'> }) {
  const trpc = useTRPC();
  const refresh = useRefreshWorkspaces();
  const reapply = useMutation(trpc.workspaces.reapply.mutationOptions({ onSuccess: refresh }));
  if (!workspace.drift) return null;
  return (
    <span className="inline-flex min-w-0 flex-col items-start gap-1">
      <span className="text-xs font-medium break-words text-amber-800 dark:text-amber-300" title={workspace.drift}>
        Drift: {workspace.drift}
      </span>
      {workspace.can['workspace.reapply'] && (
        <Button variant="secondary" size="sm" aria-label={`Re-apply ${workspace.fqn}`} pending={reapply.isPending} onClick={() => reapply.mutate({ id: workspace.id })}>
          Re-apply
        </Button>
      )}
      {reapply.error && (
        <span role="alert" className="text-xs text-red-700 dark:text-red-300">
          {errorMessage(reapply.error)}
        </span>
      )}
    </span>
  );
}

/**
 * Delete with confirmation; a workspace in a production environment asks for its FQN
 * to be typed, and the server checks what was typed too.
 */
export function DeleteWorkspaceButton({
  workspace,
  onDeleted,
}: {
  workspace: Pick<WorkspaceRow, 'id' | 'name' | 'fqn' | 'environment' | 'can'>;
  onDeleted?: () => void;
}) {
  const trpc = useTRPC();
  const refresh = useRefreshWorkspaces();
  const [open, setOpen] = useState(false);
  const remove = useMutation(
    trpc.workspaces.delete.mutationOptions({
      onSuccess: () => {
        setOpen(false);
        refresh();
        onDeleted?.();
      },
    }),
  );
  if (!workspace.can['workspace.delete']) return null;
  const production = workspace.environment.isProduction;
  return (
    <>
      <Button variant="ghost" size="sm" aria-label={`Delete ${workspace.fqn}`} onClick={() => (remove.reset(), setOpen(true))}>
        Delete
      </Button>
      <ConfirmDialog
        // A fresh dialog each time it opens, so text typed before never arms it.
        key={open ? 'open' : 'closed'}
        open={open}
        title={`Delete ${production ? 'production ' : ''}workspace ${workspace.fqn}?`}
        description={
          <>
            The agent removes the namespace <span className="font-mono">{workspace.name}</span> and everything
            in it from the cluster.{production ? ' This workspace is in a production environment.' : ''} This cannot be undone; the audit
            trail keeps the record.
          </>
        }
        typeToConfirm={production ? workspace.fqn : undefined}
        confirmLabel="Delete workspace"
        destructive
        pending={remove.isPending}
        error={remove.error ? errorMessage(remove.error) : null}
        onCancel={() => setOpen(false)}
        onConfirm={(typed) => remove.mutate({ id: workspace.id, confirmFqn: production ? typed : undefined })}
      />
    </>
  );
}
