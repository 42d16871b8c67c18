'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { type FormEvent, useState } from 'react';
import { Panel } from '@/components/clusters/cluster-panel';
import { Button } from '@/components/ui/button';
import { Field, Select } from '@/components/ui/field';
import { ErrorState, FormError, LoadingState } from '@/components/ui/states';
import { useSchemaForm } from '@/components/ui/use-schema-form';
import { useTRPC } from '@/components/trpc/client';
import { errorMessage } from '@/lib/form-errors';
import { grantWorkspaceRoleInput, grantWorkspaceTeamRoleInput } from '@/lib/schemas/workspace';
import { WORKSPACE_ROLES, type WorkspaceRole } from '@/lib/workspaces';

export const WORKSPACE_ROLE_LABELS: Record<WorkspaceRole, string> = { admin: 'Workspace admin', editor: 'Editor', viewer: 'Viewer' };
const ROLE_MEANS: Record<WorkspaceRole, string> = {
  admin: 'edits, re-applies and deletes it, and grants roles on it',
  editor: 'edits and re-applies it',
  viewer: 'sees it and its cluster',
};

/** Who holds a role on this workspace (people and whole teams), and (for admins and workspace admins) granting and revoking. */
export function WorkspaceRoles({ workspaceId, fqn }: { workspaceId: number; fqn: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const roles = useQuery(trpc.workspaces.roles.list.queryOptions({ id: workspaceId }));
  const teamRoles = useQuery(trpc.workspaces.roles.teams.queryOptions({ id: workspaceId }));
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.workspaces.pathKey() });
  const revoke = useMutation(trpc.workspaces.roles.revoke.mutationOptions({ onSuccess: refresh }));
  const revokeTeam = useMutation(trpc.workspaces.roles.revokeTeam.mutationOptions({ onSuccess: refresh }));
  const revokeError = revoke.error ?? revokeTeam.error;

  return (
    <Panel title="Roles" description={`Who may work with ${fqn}: people, and whole teams (each member holds the team's role). Admins manage every workspace.`}>
      {roles.isPending || teamRoles.isPending ? (
        <LoadingState label="Loading roles…" />
      ) : roles.isError ? (
        <ErrorState error={roles.error} onRetry={() => roles.refetch()} />
      ) : teamRoles.isError ? (
        <ErrorState error={teamRoles.error} onRetry={() => teamRoles.refetch()} />
      ) : roles.data.length === 0 && teamRoles.data.length === 0 ? (
        <p className="text-sm text-zinc-500">Nobody holds a role on this workspace yet.</p>
      ) : (
        <ul aria-label="Role holders" className="divide-y divide-zinc-100 text-sm dark:divide-zinc-800">
          {teamRoles.data.map((holder) => (
            <li key={`team-${holder.teamId}`} className="flex items-center justify-between gap-2 py-2">
              <span className="min-w-0">
                <Link href={`/settings/teams/${holder.teamId}`} className="block truncate font-medium hover:underline" title={`Team ${holder.teamName}`}>
                  Team {holder.teamName} · {holder.memberCount} {holder.memberCount === 1 ? 'member' : 'members'}
                </Link>
                <span className="block text-xs text-zinc-500">{WORKSPACE_ROLE_LABELS[holder.role]}</span>
              </span>
              <Button
                variant="ghost"
                size="sm"
                aria-label={`Revoke team ${holder.teamName}'s role`}
                pending={revokeTeam.isPending && revokeTeam.variables?.teamId === holder.teamId}
                onClick={() => revokeTeam.mutate({ id: workspaceId, teamId: holder.teamId })}
              >
                Revoke
              </Button>
            </li>
          ))}
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
      <FormError message={revokeError ? errorMessage(revokeError) : null} />
      <GrantRoleForm workspaceId={workspaceId} onGranted={refresh} />
    </Panel>
  );
}

type Grantee = 'user' | 'team';

function GrantRoleForm({ workspaceId, onGranted }: { workspaceId: number; onGranted: () => void }) {
  const trpc = useTRPC();
  const [grantee, setGrantee] = useState<Grantee>('user');
  const candidates = useQuery(trpc.workspaces.roles.candidates.queryOptions({ id: workspaceId }));
  const teamCandidates = useQuery(trpc.workspaces.roles.teamCandidates.queryOptions({ id: workspaceId }));
  const [userId, setUserId] = useState('');
  const [teamId, setTeamId] = useState('');
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
  const grantTeam = useMutation(
    trpc.workspaces.roles.grantTeam.mutationOptions({
      onSuccess: () => {
        setTeamId('');
        onGranted();
        void teamCandidates.refetch();
      },
    }),
  );
  const userForm = useSchemaForm(grantWorkspaceRoleInput, grant.error);
  const teamForm = useSchemaForm(grantWorkspaceTeamRoleInput, grantTeam.error);
  const form = grantee === 'user' ? userForm : teamForm;

  if (candidates.isError) return <ErrorState error={candidates.error} onRetry={() => candidates.refetch()} />;
  if (teamCandidates.isError) return <ErrorState error={teamCandidates.error} onRetry={() => teamCandidates.refetch()} />;

  function submit(event: FormEvent) {
    event.preventDefault();
    if (grantee === 'user') {
      const parsed = userForm.parse({ id: workspaceId, userId: userId ? Number(userId) : undefined, role });
      if (parsed) grant.mutate(parsed);
    } else {
      const parsed = teamForm.parse({ id: workspaceId, teamId: teamId ? Number(teamId) : undefined, role });
      if (parsed) grantTeam.mutate(parsed);
    }
  }

  return (
    <form ref={form.formRef} onSubmit={submit} noValidate className="space-y-3 border-t border-zinc-100 pt-3 dark:border-zinc-800">
      <fieldset className="flex gap-4 text-sm">
        <legend className="mb-1 text-sm font-medium text-zinc-800 dark:text-zinc-200">Grant to</legend>
        {(['user', 'team'] as const).map((kind) => (
          <label key={kind} className="flex items-center gap-1.5">
            <input type="radio" name={`grantee-${workspaceId}`} value={kind} checked={grantee === kind} onChange={() => setGrantee(kind)} />
            {kind === 'user' ? 'A person' : 'A team'}
          </label>
        ))}
      </fieldset>
      {grantee === 'user' ? (
        <Field label="User" errors={userForm.fieldErrors.userId}>
          {(c) => (
            <Select {...c} value={userId} onChange={(e) => (setUserId(e.target.value), userForm.fieldChanged('userId'))}>
              <option value="">{candidates.isPending ? 'Loading people…' : candidates.data?.length ? 'Choose a user…' : 'Everyone already holds a role'}</option>
              {(candidates.data ?? []).map((u) => (
                <option key={u.id} value={u.id}>
                  {u.name ? `${u.name} (${u.email})` : u.email}
                </option>
              ))}
            </Select>
          )}
        </Field>
      ) : (
        <Field label="Team" errors={teamForm.fieldErrors.teamId} hint="Every member of the team holds the role, and loses it on leaving the team.">
          {(c) => (
            <Select {...c} value={teamId} onChange={(e) => (setTeamId(e.target.value), teamForm.fieldChanged('teamId'))}>
              <option value="">
                {teamCandidates.isPending ? 'Loading teams…' : teamCandidates.data?.length ? 'Choose a team…' : 'Every team already holds a role'}
              </option>
              {(teamCandidates.data ?? []).map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name}
                </option>
              ))}
            </Select>
          )}
        </Field>
      )}
      <Field label="Role" errors={form.fieldErrors.role} hint={`${WORKSPACE_ROLE_LABELS[role]}: ${ROLE_MEANS[role]}.`}>
        {(c) => (
          <Select {...c} value={role} onChange={(e) => (setRole(e.target.value as WorkspaceRole), form.fieldChanged('role'))}>
            {WORKSPACE_ROLES.map((r) => (
              <option key={r} value={r}>
                {WORKSPACE_ROLE_LABELS[r]}
              </option>
            ))}
          </Select>
        )}
      </Field>
      <FormError message={form.formError} />
      <Button type="submit" pending={grantee === 'user' ? grant.isPending : grantTeam.isPending}>
        Grant role
      </Button>
    </form>
  );
}
