'use client';

import { useMutation, useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { type FormEvent, useDeferredValue, useState } from 'react';
import { useSessionUser } from '@/components/auth/session-context';
import { TEAM_ROLE_LABELS } from '@/components/teams/teams-view';
import { useTRPC } from '@/components/trpc/client';
import type { RouterOutputs } from '@/components/trpc/types';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { type Column, DataTable } from '@/components/ui/data-table';
import { Field, Input, Select } from '@/components/ui/field';
import { EmptyState, ErrorState, FormError } from '@/components/ui/states';
import { useSchemaForm } from '@/components/ui/use-schema-form';
import { errorMessage } from '@/lib/form-errors';
import { addTeamMemberInput, MAX_MEMBER_CANDIDATES } from '@/lib/schemas/team';
import { TEAM_MEMBER_ROLES, type TeamMemberRole } from '@/lib/teams';

type Team = RouterOutputs['teams']['get'];
type Member = Team['members'][number];

/** A team's people; its managers and admins change roles, remove and add people here. */
export function TeamMembers({ team, onChanged }: { team: Team; onChanged: () => void }) {
  const trpc = useTRPC();
  const me = useSessionUser();
  const [removing, setRemoving] = useState<Member | null>(null);
  const setRole = useMutation(trpc.teams.setMemberRole.mutationOptions({ onSettled: onChanged }));
  const remove = useMutation(trpc.teams.removeMember.mutationOptions({ onSuccess: () => setRemoving(null), onSettled: onChanged }));
  const canEdit = team.can.manageMembers;
  // A user's page opens for admins, and for a member only their own.
  const linksToPage = (m: Member) => me.role === 'admin' || m.userId === me.id;

  const columns: Column<Member>[] = [
    {
      id: 'name',
      header: 'Name',
      cell: (m) =>
        linksToPage(m) ? (
          <Link href={`/settings/users/${m.userId}`} className="font-medium text-indigo-700 underline-offset-2 hover:underline dark:text-indigo-300">
            {m.name || m.email}
          </Link>
        ) : (
          m.name || m.email
        ),
    },
    { id: 'email', header: 'Email', cell: (m) => m.email },
    {
      id: 'role',
      header: 'Role',
      cell: (m) =>
        canEdit ? (
          <select
            aria-label={`Role of ${m.email} in ${team.name}`}
            className="rounded border border-zinc-300 bg-transparent px-1 py-0.5 text-sm dark:border-zinc-700"
            value={m.role}
            disabled={setRole.isPending}
            onChange={(e) => (setRole.reset(), setRole.mutate({ teamId: team.id, userId: m.userId, role: e.target.value as TeamMemberRole }))}
          >
            {TEAM_MEMBER_ROLES.map((r) => (
              <option key={r} value={r}>
                {TEAM_ROLE_LABELS[r]}
              </option>
            ))}
          </select>
        ) : (
          <Badge tone={m.role === 'manager' ? 'blue' : 'neutral'}>{TEAM_ROLE_LABELS[m.role]}</Badge>
        ),
    },
    { id: 'status', header: 'Status', cell: (m) => (m.active ? 'Active' : <Badge>Deactivated</Badge>) },
  ];
  if (canEdit) {
    columns.push({
      id: 'actions',
      header: 'Actions',
      align: 'right',
      cell: (m) => (
        <Button variant="ghost" size="sm" aria-label={`Remove ${m.email} from ${team.name}`} onClick={() => (remove.reset(), setRemoving(m))}>
          Remove
        </Button>
      ),
    });
  }

  return (
    <div className="space-y-3">
      {team.members.length === 0 ? (
        <EmptyState title="No members yet">{canEdit ? 'Add people below; make one of them a manager.' : 'An admin or a team manager adds people.'}</EmptyState>
      ) : (
        <DataTable label={`Members of ${team.name}`} columns={columns} rows={team.members} rowKey={(m) => m.userId} />
      )}
      <FormError message={setRole.error ? errorMessage(setRole.error) : null} />
      {canEdit && <AddMemberForm teamId={team.id} teamName={team.name} onAdded={onChanged} />}
      <ConfirmDialog
        open={removing !== null}
        title={removing ? `Remove ${removing.name || removing.email} from ${team.name}?` : ''}
        description="They lose the workspace roles and ML repo access the team gives, on their next request."
        confirmLabel="Remove"
        destructive
        pending={remove.isPending}
        error={remove.error ? errorMessage(remove.error) : null}
        onCancel={() => setRemoving(null)}
        onConfirm={() => removing && remove.mutate({ teamId: team.id, userId: removing.userId })}
      />
    </div>
  );
}

function AddMemberForm({ teamId, teamName, onAdded }: { teamId: number; teamName: string; onAdded: () => void }) {
  const trpc = useTRPC();
  const [search, setSearch] = useState('');
  const deferredSearch = useDeferredValue(search.trim());
  const candidates = useQuery(trpc.teams.memberCandidates.queryOptions({ teamId, search: deferredSearch }));
  const [userId, setUserId] = useState('');
  const [role, setRole] = useState<TeamMemberRole>('member');
  const add = useMutation(
    trpc.teams.addMember.mutationOptions({
      onSuccess: () => {
        setUserId('');
        setSearch('');
        onAdded();
        void candidates.refetch();
      },
    }),
  );
  const { fieldErrors, formError, parse, fieldChanged, formRef } = useSchemaForm(addTeamMemberInput, add.error);

  function submit(event: FormEvent) {
    event.preventDefault();
    const parsed = parse({ teamId, userId: userId ? Number(userId) : undefined, role });
    if (parsed) add.mutate(parsed);
  }

  const found = candidates.data ?? [];
  return (
    <form ref={formRef} onSubmit={submit} noValidate aria-label={`Add a member to ${teamName}`} className="space-y-3 rounded-lg border border-zinc-200 p-4 dark:border-zinc-800">
      <h3 className="text-sm font-semibold">Add a member</h3>
      <div className="grid gap-3 sm:grid-cols-3">
        <Field label="Find people" hint={`Name or email; up to ${MAX_MEMBER_CANDIDATES} active users not in the team are offered.`}>
          {(c) => <Input {...c} type="search" value={search} autoComplete="off" onChange={(e) => setSearch(e.target.value)} />}
        </Field>
        <Field label="Person" errors={fieldErrors.userId}>
          {(c) => (
            <Select {...c} value={userId} onChange={(e) => (setUserId(e.target.value), fieldChanged('userId'))}>
              <option value="">{candidates.isPending ? 'Loading people…' : found.length ? 'Choose a person…' : 'Nobody matches'}</option>
              {found.map((u) => (
                <option key={u.userId} value={u.userId}>
                  {u.name ? `${u.name} (${u.email})` : u.email}
                </option>
              ))}
            </Select>
          )}
        </Field>
        <Field label="Team role" errors={fieldErrors.role}>
          {(c) => (
            <Select {...c} value={role} onChange={(e) => (setRole(e.target.value as TeamMemberRole), fieldChanged('role'))}>
              {TEAM_MEMBER_ROLES.map((r) => (
                <option key={r} value={r}>
                  {TEAM_ROLE_LABELS[r]}
                </option>
              ))}
            </Select>
          )}
        </Field>
      </div>
      {candidates.isError && <ErrorState error={candidates.error} onRetry={() => candidates.refetch()} />}
      <FormError message={formError} />
      <Button type="submit" pending={add.isPending}>
        Add member
      </Button>
    </form>
  );
}
