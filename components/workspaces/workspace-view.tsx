'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import type { ReactNode } from 'react';
import { Detail, Panel } from '@/components/clusters/cluster-panel';
import { clusterTabHref } from '@/components/clusters/cluster-tabs';
import { EnvironmentChip } from '@/components/environments/environment-chip';
import { PageHeader } from '@/components/ui/page-header';
import { ErrorState, LoadingState } from '@/components/ui/states';
import { useTRPC } from '@/components/trpc/client';
import { LIVE_FALLBACK_POLL_MS } from '@/components/trpc/use-live-clusters';
import { SyncStateBadge } from '@/components/workspaces/sync-state-badge';
import { useLiveWorkspaces } from '@/components/workspaces/use-live-workspaces';
import { DeleteWorkspaceButton, DriftNotice, WorkspaceFqn } from '@/components/workspaces/workspace-actions';
import { quotaLines } from '@/components/workspaces/quota-usage';
import { WorkspaceRoles } from '@/components/workspaces/workspace-roles';
import { SubjectRepoAccess } from '@/components/ml-repos/subject-access';
import { formatInstant } from '@/lib/format-time';
import { workspaceHref } from '@/components/workspaces/workspace-list';
import { LINK_BUTTON } from '@/components/workspaces/workspaces-view';

/** One workspace's page: settings, sync state, drift, quota use and who holds a role on it. */
export function WorkspaceView({ clusterName, name }: { clusterName: string; name: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  useLiveWorkspaces();
  const detail = useQuery(trpc.workspaces.get.queryOptions({ clusterName, name }, { refetchInterval: LIVE_FALLBACK_POLL_MS }));

  const breadcrumb = (
    <nav aria-label="Breadcrumb" className="mb-2 text-sm text-zinc-500">
      <Link href="/workspaces" className="hover:underline">
        Workspaces
      </Link>{' '}
      / <span className="break-all">{clusterName}:{name}</span>
    </nav>
  );
  if (detail.isPending) return <LoadingState label={`Loading ${clusterName}:${name}…`} />;
  if (detail.isError) {
    return (
      <>
        {breadcrumb}
        <PageHeader title={`${clusterName}:${name}`} />
        <ErrorState error={detail.error} onRetry={() => detail.refetch()} />
      </>
    );
  }
  const w = detail.data;
  const quota = quotaLines(w.quota, w.quotaUsage);

  return (
    <>
      {breadcrumb}
      <PageHeader
        title={w.name}
        description={
          <span className="inline-flex flex-wrap items-center gap-2">
            <WorkspaceFqn fqn={w.fqn} />
            <EnvironmentChip name={w.environment.name} color={w.environment.color} isProduction={w.environment.isProduction} />
          </span>
        }
        actions={
          <>
            {w.can['workspace.update'] && (
              <Link href={`${workspaceHref(w.cluster.name, w.name)}/edit`} className={LINK_BUTTON}>
                Edit
              </Link>
            )}
            <DeleteWorkspaceButton workspace={w} onDeleted={() => router.push('/workspaces')} />
          </>
        }
      />
      <div className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_22rem]">
        <div className="min-w-0 space-y-6">
          <Panel title="Sync" description="The agent applies the stored state to the namespace in the cluster.">
            <div className="flex flex-wrap items-start gap-6">
              <SyncStateBadge state={w.syncState} error={w.syncError} syncedAt={w.syncedAt} />
              <DriftNotice workspace={w} />
            </div>
          </Panel>

          <Panel title="Settings">
            <dl className="grid gap-x-6 gap-y-3 text-sm sm:grid-cols-2">
              <Detail term="Cluster">
                <Link href={clusterTabHref(w.cluster.name, '')} className="text-indigo-700 hover:underline dark:text-indigo-300">
                  {w.cluster.name}
                </Link>
              </Detail>
              <Detail term="Environment">
                <EnvironmentChip name={w.environment.name} color={w.environment.color} isProduction={w.environment.isProduction} />
              </Detail>
              <Detail term="Labels">
                <List empty="None" items={Object.entries(w.labels).map(([key, value]) => `${key}=${value}`)} />
              </Detail>
              <Detail term="Tolerations (every job in the workspace)">
                <List
                  empty="None"
                  items={w.tolerations.map(
                    (t) => `${t.key || '(any key)'} ${t.operator}${t.operator === 'Equal' ? ` ${t.value ?? ''}` : ''} : ${t.effect || 'any effect'}`,
                  )}
                />
              </Detail>
              <Detail term="Created">{formatInstant(w.createdAt)}</Detail>
              <Detail term="Changed">{formatInstant(w.updatedAt)}</Detail>
            </dl>
          </Panel>

          <Panel title="Resource quota" description="What the workspace’s pods use of the ResourceQuota, as the agent last reported.">
            {quota.length === 0 ? (
              <p className="text-sm text-zinc-500">No quota: the workspace may use whatever the cluster has.</p>
            ) : (
              <table aria-label="Quota use" className="w-full text-sm">
                <thead>
                  <tr className="text-left text-xs text-zinc-500">
                    <th className="py-1 font-medium">Resource</th>
                    <th className="py-1 text-right font-medium">Used</th>
                    <th className="py-1 text-right font-medium">Hard</th>
                  </tr>
                </thead>
                <tbody>
                  {quota.map((line) => (
                    <tr key={line.resource} className="border-t border-zinc-100 dark:border-zinc-800">
                      <td className="py-1">{line.label}</td>
                      <td className="py-1 text-right tabular-nums">{line.used}</td>
                      <td className="py-1 text-right tabular-nums">{line.hard}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </Panel>
        </div>
        <div className="min-w-0 space-y-6">
          {w.can['workspace.roles.manage'] ? (
            <WorkspaceRoles workspaceId={w.id} fqn={w.fqn} />
          ) : (
            <Panel title="Your access">
              <p className="text-sm">{w.myRole ? `You are this workspace’s ${w.myRole}.` : 'You see this workspace through your fleet role.'}</p>
            </Panel>
          )}
          <Panel title="ML repo access" description="The ML repos this workspace’s applications can read or write, and the grant that gives it.">
            <SubjectRepoAccess subject={{ kind: 'workspace', workspaceId: w.id }} />
          </Panel>
        </div>
      </div>
    </>
  );
}

function List({ items, empty }: { items: string[]; empty: ReactNode }) {
  if (items.length === 0) return <span className="text-zinc-500">{empty}</span>;
  return (
    <ul className="space-y-0.5 font-mono text-xs">
      {items.map((item) => (
        <li key={item} className="break-all">
          {item}
        </li>
      ))}
    </ul>
  );
}
