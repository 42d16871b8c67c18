'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Panel } from '@/components/clusters/cluster-panel';
import { Button } from '@/components/ui/button';
import { Field, Select } from '@/components/ui/field';
import { ErrorState, FormError, LoadingState } from '@/components/ui/states';
import { useSchemaForm } from '@/components/ui/use-schema-form';
import { useTRPC } from '@/components/trpc/client';
import { errorMessage } from '@/lib/form-errors';
import { grantWorkspaceRoleInput } from '@/lib/schemas/workspace';
import { WORKSPACE_ROLES, type WorkspaceRole } from '@/lib/workspaces';

export const WORKSPACE_ROLE_LABELS: Record<WorkspaceRole, string> = { admin: 'Workspace admin', editor: 'Editor', viewer: 'Viewer' };
const ROLE_MEANS: Record<WorkspaceRole, string> = {
  admin: 'edits, re-applies and deletes it, and grants roles on it',
  editor: 'edits and re-applies it',
  viewer: 'sees it and its cluster',
};

/** Who holds a role on this workspace, and (for admins and workspace admins) granting and revoking. */
export function WorkspaceRoles({ workspaceId, fqn }: { workspaceId: number; fqn: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const roles = useQuery(trpc.workspaces.roles.list.queryOptions({ id: workspaceId }));
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.workspaces.pathKey() });
  const revoke = useMutation(trpc.workspaces.roles.revoke.mutationOptions({ onSuccess: refresh }));

  return (
    <Panel title="Roles" description={`Who may work with ${fqn}. Admins manage every workspace.`}>
      {roles.isPending ? (
        <LoadingState label="Loading roles…" />
      ) : roles.isError ? (
        <ErrorState error={roles.error} onRetry={() => roles.refetch()} />
      ) : roles.data.length === 0 ? (
        <p className="text-sm text-zinc-500">Nobody holds a role on this workspace yet.</p>
      ) : (
        <ul aria-label="Role holders" className="divide-y divide-zinc-100 text-sm dark:divide-zinc-800">
          {roles.data.map((holder) => (
            <li key={holder.userId} className="flex items-center justify-between gap-2 py-2">
              <span className="min-w-0">
                <span className="block truncate font-medium" title={holder.email}>
                  {holder.name || holder.email}
                </span>
                <span className="block text-xs text-zinc-500">{WORKSPACE_ROLE_LABELS[holder.role]}</span>
              </span>
              <Button
                variant="ghost"
                size="sm"
                aria-label={`Revoke ${holder.email}'s role`}
                pending={revoke.isPending && revoke.variables?.userId === holder.userId}
                onClick={() => revoke.mutate({ id: workspaceId, userId: holder.userId })}
              >
                Revoke
              </Button>
            </li>
          ))}
        </ul>
      )}
      <FormError message={revoke.error ? errorMessage(revoke.error) : null} />
      <GrantRoleForm workspaceId={workspaceId} onGranted={refresh} />
    </Panel>
  );
}

function GrantRoleForm({ workspaceId, onGranted }: { workspaceId: number; onGranted: () => void }) {
  const trpc = useTRPC();
  const candidates = useQuery(trpc.workspaces.roles.candidates.queryOptions({ id: workspaceId }));
  const [userId, setUserId] = useState('');
  const [role, setRole] = useState<WorkspaceRole>('viewer');
  const grant = useMutation(
    trpc.workspaces.roles.grant.mutationOptions({
      onSuccess: () => {
        setUserId('');
        onGranted();
        void candidates.refetch();
      },
    }),
  );
  const { fieldErrors, formError, parse, fieldChanged, formRef } = useSchemaForm(grantWorkspaceRoleInput, grant.error);

  if (candidates.isError) return <ErrorState error={candidates.error} onRetry={() => candidates.refetch()} />;

  function submit(event: FormEvent) {
    event.preventDefault();
    const parsed = parse({ id: workspaceId, userId: userId ? Number(userId) : undefined, role });
    if (parsed) grant.mutate(parsed);
  }

  return (
    <form ref={formRef} onSubmit={submit} noValidate className="space-y-3 border-t border-zinc-100 pt-3 dark:border-zinc-800">
      <Field label="User" errors={fieldErrors.userId}>
        {(c) => (
          <Select {...c} value={userId} onChange={(e) => (setUserId(e.target.value), fieldChanged('userId'))}>
            <option value="">{candidates.isPending ? 'Loading people…' : candidates.data?.length ? 'Choose a user…' : 'Everyone already holds a role'}</option>
            {(candidates.data ?? []).map((u) => (
              <option key={u.id} value={u.id}>
                {u.name ? `${u.name} (${u.email})` : u.email}
              </option>
            ))}
          </Select>
        )}
      </Field>
      <Field label="Role" errors={fieldErrors.role} hint={`${WORKSPACE_ROLE_LABELS[role]}: ${ROLE_MEANS[role]}.`}>
        {(c) => (
          <Select {...c} value={role} onChange={(e) => (setRole(e.target.value as WorkspaceRole), fieldChanged('role'))}>
            {WORKSPACE_ROLES.map((r) => (
              <option key={r} value={r}>
                {WORKSPACE_ROLE_LABELS[r]}
              </option>
            ))}
          </Select>
        )}
      </Field>
      <FormError message={formError} />
      <Button type="submit" pending={grant.isPending}>
        Grant role
      </Button>
    </form>
  );
}
