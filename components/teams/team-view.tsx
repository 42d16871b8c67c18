'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { Panel } from '@/components/clusters/cluster-panel';
import { TeamForm } from '@/components/teams/team-form';
import { TeamMembers } from '@/components/teams/team-members';
import { TEAM_ROLE_LABELS } from '@/components/teams/teams-view';
import { useTRPC } from '@/components/trpc/client';
import { WORKSPACE_ROLE_LABELS } from '@/components/workspaces/workspace-roles';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { Dialog } from '@/components/ui/dialog';
import { ErrorState, LoadingState } from '@/components/ui/states';
import { errorMessage } from '@/lib/form-errors';

/** One team at /settings/teams/<id>: who is in it, what roles it holds, and (for admins) rename and delete. */
export function TeamView({ id }: { id: number }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const team = useQuery(trpc.teams.get.queryOptions({ id }));
  const [editing, setEditing] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.teams.pathKey() });
  const update = useMutation(trpc.teams.update.mutationOptions({ onSuccess: () => (setEditing(false), refresh()) }));
  const remove = useMutation(
    trpc.teams.delete.mutationOptions({
      onSuccess: () => {
        setDeleting(false);
        void refresh();
        router.push('/settings/teams');
      },
    }),
  );

  if (team.isPending) return <LoadingState label="Loading the team…" />;
  if (team.isError) return <ErrorState error={team.error} onRetry={() => team.refetch()} />;
  const t = team.data;

  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="min-w-0">
          <Link href="/settings/teams" className="text-xs text-zinc-500 hover:underline">
            ← All teams
          </Link>
          <h2 className="text-lg font-semibold break-words">Team {t.name}</h2>
          <p className="text-sm break-words text-zinc-600 dark:text-zinc-400">{t.description || 'No description.'}</p>
          {t.myRole && (
            <p className="mt-1">
              <Badge tone={t.myRole === 'manager' ? 'blue' : 'neutral'}>You: {TEAM_ROLE_LABELS[t.myRole]}</Badge>
            </p>
          )}
        </div>
        {t.can.manage && (
          <div className="flex gap-2">
            <Button variant="secondary" onClick={() => (update.reset(), setEditing(true))}>
              Edit
            </Button>
            <Button variant="danger" onClick={() => (remove.reset(), setDeleting(true))}>
              Delete team
            </Button>
          </div>
        )}
      </div>

      <Panel title="Members" description={`${t.memberCount} ${t.memberCount === 1 ? 'person' : 'people'}. Managers are the team's leads: they add and remove its members.`}>
        <TeamMembers team={t} onChanged={() => void refresh()} />
      </Panel>

      <Panel title="Workspace roles" description="Every member holds these roles too (the highest of their own and their teams' applies).">
        {t.workspaceRoles.length === 0 ? (
          <p className="text-sm text-zinc-500">This team holds no workspace role. A workspace admin grants one on the workspace&apos;s page.</p>
        ) : (
          <ul aria-label={`Workspace roles of ${t.name}`} className="divide-y divide-zinc-100 text-sm dark:divide-zinc-800">
            {t.workspaceRoles.map((r) => (
              <li key={r.workspaceId} className="flex items-center justify-between gap-2 py-2">
                <Link
                  href={`/workspaces/${encodeURIComponent(r.clusterName)}/${encodeURIComponent(r.workspaceName)}`}
                  className="min-w-0 truncate font-mono text-indigo-700 hover:underline dark:text-indigo-300"
                >
                  {r.fqn}
                </Link>
                <span className="shrink-0 text-xs text-zinc-500">{WORKSPACE_ROLE_LABELS[r.role]}</span>
              </li>
            ))}
          </ul>
        )}
      </Panel>

      <Dialog open={editing} onClose={() => setEditing(false)} title={`Edit team ${t.name}`}>
        {editing && (
          <TeamForm
            initial={{ name: t.name, description: t.description }}
            submitLabel="Save"
            pending={update.isPending}
            error={update.error}
            onSubmit={(values) => update.mutate({ id: t.id, ...values })}
            onCancel={() => setEditing(false)}
          />
        )}
      </Dialog>
      <ConfirmDialog
        open={deleting}
        title={`Delete team ${t.name}?`}
        description={
          <>
            Its {t.memberCount} {t.memberCount === 1 ? 'membership goes' : 'memberships go'}, with the workspace roles and ML repo grants given
            to it; its members keep only what they hold themselves. A team that is an ML repo&apos;s last admin cannot be deleted.
          </>
        }
        confirmLabel="Delete team"
        destructive
        typeToConfirm={t.name}
        pending={remove.isPending}
        error={remove.error ? errorMessage(remove.error) : null}
        onCancel={() => setDeleting(false)}
        onConfirm={(typed) => remove.mutate({ id: t.id, confirmName: typed })}
      />
    </div>
  );
}
