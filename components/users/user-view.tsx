'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { Detail, Panel } from '@/components/clusters/cluster-panel';
import { SubjectRepoAccess } from '@/components/ml-repos/subject-access';
import { TEAM_ROLE_LABELS } from '@/components/teams/teams-view';
import { useTRPC } from '@/components/trpc/client';
import { WORKSPACE_ROLE_LABELS } from '@/components/workspaces/workspace-roles';
import { Badge } from '@/components/ui/badge';
import { ErrorState, LoadingState } from '@/components/ui/states';
import { formatInstant } from '@/lib/format-time';

const LINK = 'text-indigo-700 underline-offset-2 hover:underline dark:text-indigo-300';

/** A user's page, /settings/users/<id>: who they are, their teams, and what they can access. */
export function UserView({ id }: { id: number }) {
  const trpc = useTRPC();
  const profile = useQuery(trpc.users.profile.queryOptions({ id }));

  if (profile.isPending) return <LoadingState label="Loading the user…" />;
  if (profile.isError) return <ErrorState error={profile.error} onRetry={() => profile.refetch()} />;
  const { user, teams, workspaceRoles } = profile.data;

  return (
    <div className="space-y-6">
      <div className="min-w-0">
        <Link href="/settings" className="text-xs text-zinc-500 hover:underline">
          ← Account and users
        </Link>
        <h2 className="text-lg font-semibold break-words">{user.name || user.email}</h2>
      </div>
      <Panel title="Profile">
        <dl className="grid gap-3 text-sm sm:grid-cols-2 lg:grid-cols-4">
          <Detail term="Email">{user.email}</Detail>
          <Detail term="Tenant role">{user.role === 'admin' ? 'Admin (manages the whole fleet)' : 'Member'}</Detail>
          <Detail term="Status">{user.active ? <Badge tone="green">Active</Badge> : <Badge>Deactivated</Badge>}</Detail>
          <Detail term="Last sign-in">{user.lastSignInAt ? formatInstant(user.lastSignInAt) : 'Never'}</Detail>
        </dl>
      </Panel>

      <Panel title="Teams">
        {teams.length === 0 ? (
          <p className="text-sm text-zinc-500">Not in any team.</p>
        ) : (
          <ul aria-label={`Teams of ${user.email}`} className="divide-y divide-zinc-100 text-sm dark:divide-zinc-800">
            {teams.map((t) => (
              <li key={t.teamId} className="flex items-center justify-between gap-2 py-2">
                <Link href={`/settings/teams/${t.teamId}`} className={`min-w-0 truncate font-medium ${LINK}`}>
                  {t.teamName}
                </Link>
                <Badge tone={t.role === 'manager' ? 'blue' : 'neutral'}>{TEAM_ROLE_LABELS[t.role]}</Badge>
              </li>
            ))}
          </ul>
        )}
      </Panel>

      <Panel
        title="Workspace roles"
        description={user.role === 'admin' ? 'Admins hold every permission on every workspace; roles below add nothing.' : 'Their own and their teams’; the highest applies.'}
      >
        {workspaceRoles.length === 0 ? (
          <p className="text-sm text-zinc-500">No workspace role, own or via a team.</p>
        ) : (
          <ul aria-label={`Workspace roles of ${user.email}`} className="divide-y divide-zinc-100 text-sm dark:divide-zinc-800">
            {workspaceRoles.map((r) => (
              <li key={`${r.workspaceId}-${r.viaTeam?.teamId ?? 'own'}`} className="flex flex-wrap items-center justify-between gap-2 py-2">
                <Link
                  href={`/workspaces/${encodeURIComponent(r.clusterName)}/${encodeURIComponent(r.workspaceName)}`}
                  className={`min-w-0 truncate font-mono ${LINK}`}
                >
                  {r.fqn}
                </Link>
                <span className="text-xs text-zinc-500">
                  {WORKSPACE_ROLE_LABELS[r.role]} · {r.viaTeam ? `via team ${r.viaTeam.teamName}` : 'own role'}
                </span>
              </li>
            ))}
          </ul>
        )}
      </Panel>

      <Panel title="ML repos" description="The repos this user reaches, with the role and the path that gives it.">
        <SubjectRepoAccess subject={{ kind: 'user', userId: user.id }} />
      </Panel>
    </div>
  );
}
