'use client';

import Link from 'next/link';
import { useRouter, useSearchParams } from 'next/navigation';
import { useState } from 'react';
import { useCan } from '@/components/auth/session-context';
import { type AttachedCluster, AttachClusterForm } from '@/components/clusters/attach-cluster-form';
import { ClusterLiveStatus } from '@/components/clusters/cluster-live-status';
import { ClusterTokenReveal, InstallCommands } from '@/components/clusters/install-instructions';
import { PageHeader } from '@/components/ui/page-header';
import { EmptyState } from '@/components/ui/states';

/**
 * The attach flow. After submit the URL gains `?cluster=<name>` so a reload keeps the
 * live status, while the token, held only in this component's memory, is gone.
 */
export function AttachClusterView() {
  const canManage = useCan('cluster.manage');
  const router = useRouter();
  const params = useSearchParams();
  const [attached, setAttached] = useState<AttachedCluster | null>(null);
  const followed = attached?.cluster.name ?? params.get('cluster');

  if (!canManage) {
    return (
      <>
        <PageHeader title="Attach Existing Cluster" />
        <EmptyState title="Only admins can attach clusters">
          Ask an admin to attach the cluster, or browse the <Link href="/clusters" className="underline">fleet</Link>.
        </EmptyState>
      </>
    );
  }

  if (!followed) {
    return (
      <>
        <PageHeader
          title="Attach Existing Cluster"
          description="Fleetdeck creates the cluster record and a token; you run the agent in the cluster; it dials out and the cluster turns Connected."
        />
        <AttachClusterForm
          onAttached={(result) => {
            setAttached(result);
            router.replace(`/clusters/attach?cluster=${encodeURIComponent(result.cluster.name)}`, { scroll: true });
          }}
        />
      </>
    );
  }

  return (
    <>
      <PageHeader
        title={`Attach ${followed}`}
        description={
          <>
            Run the commands in the cluster, then watch it connect. The{' '}
            <Link href={`/clusters/${encodeURIComponent(followed)}`} className="underline">
              cluster page
            </Link>{' '}
            has everything else.
          </>
        }
      />
      <div className="grid gap-8 lg:grid-cols-[minmax(0,1fr)_24rem]">
        <div className="space-y-6">
          {attached ? (
            <>
              <ClusterTokenReveal token={attached.token} />
              <section aria-labelledby="install-title" className="space-y-3">
                <h2 id="install-title" className="text-sm font-semibold">
                  Install the agent
                </h2>
                <InstallCommands install={attached.install} />
              </section>
            </>
          ) : (
            <EmptyState title="The cluster token is no longer shown">
              It was shown once, when the cluster was attached. If it was not saved, rotate the token on the{' '}
              <Link href={`/clusters/${encodeURIComponent(followed)}`} className="underline">
                cluster page
              </Link>{' '}
              to get a new one with its install commands.
            </EmptyState>
          )}
        </div>
        <aside className="rounded-lg border border-zinc-200 bg-white p-5 lg:self-start dark:border-zinc-800 dark:bg-zinc-900">
          <ClusterLiveStatus name={followed} />
        </aside>
      </div>
    </>
  );
}
