'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { useCan } from '@/components/auth/session-context';
import { TeamForm } from '@/components/teams/team-form';
import { useTRPC } from '@/components/trpc/client';
import type { RouterOutputs } from '@/components/trpc/types';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { type Column, DataTable } from '@/components/ui/data-table';
import { Dialog } from '@/components/ui/dialog';
import { EmptyState, ErrorState, LoadingState } from '@/components/ui/states';

type TeamRow = RouterOutputs['teams']['list'][number];

export const TEAM_ROLE_LABELS = { manager: 'Manager (team lead)', member: 'Member' } as const;

/** "Ada Admin, lead@example.com", or a dash when the team has no manager. */
function managerNames(team: Pick<TeamRow, 'managers'>): string {
  return team.managers.map((m) => m.name || m.email).join(', ') || '—';
}

/** Settings → Teams: every team, its size and its managers; admins create teams here. */
export function TeamsView() {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const canManage = useCan('team.manage');
  const list = useQuery(trpc.teams.list.queryOptions());
  const [creating, setCreating] = useState(false);
  const create = useMutation(
    trpc.teams.create.mutationOptions({
      onSuccess: (team) => {
        setCreating(false);
        void queryClient.invalidateQueries({ queryKey: trpc.teams.pathKey() });
        router.push(`/settings/teams/${team.id}`);
      },
    }),
  );

  const columns: Column<TeamRow>[] = [
    {
      id: 'name',
      header: 'Team',
      cell: (t) => (
        <Link href={`/settings/teams/${t.id}`} className="font-medium text-indigo-700 underline-offset-2 hover:underline dark:text-indigo-300">
          {t.name}
        </Link>
      ),
    },
    { id: 'description', header: 'Description', cell: (t) => t.description || '—' },
    { id: 'members', header: 'Members', align: 'right', cell: (t) => t.memberCount },
    { id: 'managers', header: 'Managers', cell: (t) => managerNames(t) },
    {
      id: 'you',
      header: 'You',
      cell: (t) => (t.myRole ? <Badge tone={t.myRole === 'manager' ? 'blue' : 'neutral'}>{TEAM_ROLE_LABELS[t.myRole]}</Badge> : ''),
    },
  ];

  return (
    <section className="space-y-3" aria-labelledby="teams-title">
      <div className="flex flex-wrap items-start justify-between gap-2">
        <div>
          <h2 id="teams-title" className="text-base font-semibold">
            Teams
          </h2>
          <p className="text-sm text-zinc-600 dark:text-zinc-400">
            Admins create teams; a team&apos;s managers (its team leads) add and remove its members. Workspace roles and ML repo access can be
            given to a whole team.
          </p>
        </div>
        {canManage && <Button onClick={() => (create.reset(), setCreating(true))}>New team</Button>}
      </div>
      {list.isPending ? (
        <LoadingState label="Loading teams…" />
      ) : list.isError ? (
        <ErrorState error={list.error} onRetry={() => list.refetch()} />
      ) : list.data.length === 0 ? (
        <EmptyState title="No teams yet">{canManage ? 'Create a team, then make someone its manager.' : 'An admin creates teams.'}</EmptyState>
      ) : (
        <DataTable label="Teams" columns={columns} rows={list.data} rowKey={(t) => t.id} />
      )}
      <Dialog open={creating} onClose={() => setCreating(false)} title="New team">
        {creating && (
          <TeamForm submitLabel="Create team" pending={create.isPending} error={create.error} onSubmit={(v) => create.mutate(v)} onCancel={() => setCreating(false)} />
        )}
      </Dialog>
    </section>
  );
}
