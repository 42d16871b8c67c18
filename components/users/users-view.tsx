'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import { useSessionUser } from '@/components/auth/session-context';
import { UserForm } from '@/components/users/user-form';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { type Column, DataTable, TruncatedText } from '@/components/ui/data-table';
import { Dialog } from '@/components/ui/dialog';
import { ErrorState, LoadingState } from '@/components/ui/states';
import { errorMessage } from '@/lib/form-errors';
import { ROLES, type Role } from '@/lib/permissions';
import { useTRPC } from '@/components/trpc/client';
import type { RouterOutputs } from '@/components/trpc/types';
import { formatInstant } from '@/lib/format-time';

type UserRow = RouterOutputs['users']['list'][number];
interface RoleChange {
  user: UserRow;
  role: Role;
}

const ROLE_CHANGE_MEANS: Record<Role, string> = {
  admin: 'Admins manage the whole fleet: clusters, environments, users and the audit trail.',
  member: 'Members see only what they are granted and can no longer manage the fleet or its users.',
};

/** Admins manage people here: invite, change roles, deactivate (never delete). */
export function UsersView() {
  const trpc = useTRPC();
  const me = useSessionUser();
  const queryClient = useQueryClient();
  const list = useQuery(trpc.users.list.queryOptions());
  const [creating, setCreating] = useState(false);
  const [toggling, setToggling] = useState<UserRow | null>(null);
  const [roleChange, setRoleChange] = useState<RoleChange | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.users.list.queryKey() });
  const create = useMutation(trpc.users.create.mutationOptions({ onSuccess: () => (setCreating(false), refresh()) }));
  const setRole = useMutation(trpc.users.setRole.mutationOptions({ onSuccess: () => setRoleChange(null), onSettled: refresh }));
  const setActive = useMutation(trpc.users.setActive.mutationOptions({ onSuccess: () => (setToggling(null), refresh()) }));

  const columns: Column<UserRow>[] = [
    {
      id: 'email',
      header: 'Email',
      cell: (u) => (
        <Link href={`/settings/users/${u.id}`} className="block text-indigo-700 underline-offset-2 hover:underline dark:text-indigo-300">
          <TruncatedText text={u.email} />
        </Link>
      ),
    },
    { id: 'name', header: 'Name', cell: (u) => u.name },
    {
      id: 'role',
      header: 'Role',
      cell: (u) => (
        <select
          aria-label={`Role of ${u.email}`}
          className="rounded border border-zinc-300 bg-transparent px-1 py-0.5 text-sm dark:border-zinc-700"
          value={u.role}
          // Changing your own role is left to another admin: one slip would lock you out.
          disabled={setRole.isPending || u.id === me.id}
          // Nothing is saved until the dialog is confirmed; the select keeps showing the saved role.
          onChange={(e) => (setRole.reset(), setRoleChange({ user: u, role: e.target.value as Role }))}
        >
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
      ),
    },
    { id: 'status', header: 'Status', cell: (u) => (u.active ? <Badge tone="green">Active</Badge> : <Badge>Deactivated</Badge>) },
    { id: 'lastSignIn', header: 'Last sign-in', cell: (u) => (u.lastSignInAt ? formatInstant(u.lastSignInAt) : 'Never') },
    {
      id: 'actions',
      header: 'Actions',
      align: 'right',
      cell: (u) =>
        u.id === me.id ? (
          <span className="text-xs text-zinc-500">You</span>
        ) : (
          <Button variant="ghost" size="sm" onClick={() => (setActive.reset(), setToggling(u))}>
            {u.active ? 'Deactivate' : 'Reactivate'}
          </Button>
        ),
    },
  ];

  return (
    <section className="space-y-3">
      <div className="flex items-center justify-between">
        <h2 className="text-base font-semibold">Users</h2>
        <Button onClick={() => (create.reset(), setCreating(true))}>New user</Button>
      </div>
      {list.isPending ? (
        <LoadingState label="Loading users…" />
      ) : list.isError ? (
        <ErrorState error={list.error} onRetry={() => list.refetch()} />
      ) : (
        <DataTable label="Users" columns={columns} rows={list.data} rowKey={(u) => u.id} />
      )}
      <Dialog open={creating} onClose={() => setCreating(false)} title="New user">
        {creating && (
          <UserForm pending={create.isPending} error={create.error} onSubmit={(v) => create.mutate(v)} onCancel={() => setCreating(false)} />
        )}
      </Dialog>
      <ConfirmDialog
        open={roleChange !== null}
        title={roleChange ? `Make ${roleChange.user.name || roleChange.user.email} ${roleChange.role === 'admin' ? 'an admin' : 'a member'}?` : ''}
        description={
          roleChange && (
            <>
              <p>
                {roleChange.user.email}: {roleChange.user.role} → {roleChange.role}.
              </p>
              <p className="mt-1">{ROLE_CHANGE_MEANS[roleChange.role]} It takes effect on their next request.</p>
            </>
          )
        }
        confirmLabel={roleChange?.role === 'admin' ? 'Make admin' : 'Make member'}
        destructive={roleChange?.role === 'member'}
        pending={setRole.isPending}
        error={setRole.error ? errorMessage(setRole.error) : null}
        onCancel={() => setRoleChange(null)}
        onConfirm={() => roleChange && setRole.mutate({ id: roleChange.user.id, role: roleChange.role })}
      />
      <ConfirmDialog
        open={toggling !== null}
        title={toggling?.active ? `Deactivate ${toggling.email}?` : `Reactivate ${toggling?.email ?? ''}?`}
        description={
          toggling?.active
            ? 'They are signed out everywhere at once and cannot sign in until reactivated. Their history stays in the audit trail.'
            : 'They can sign in again with their existing password.'
        }
        confirmLabel={toggling?.active ? 'Deactivate' : 'Reactivate'}
        destructive={toggling?.active}
        pending={setActive.isPending}
        error={setActive.error ? errorMessage(setActive.error) : null}
        onCancel={() => setToggling(null)}
        onConfirm={() => toggling && setActive.mutate({ id: toggling.id, active: !toggling.active })}
      />
    </section>
  );
}
