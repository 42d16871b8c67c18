'use client';

import { useQuery } from '@tanstack/react-query';
import { ClusterStatusBadge } from '@/components/clusters/cluster-status-badge';
import { formatGpusByType, formatNodes, timeAgo } from '@/components/clusters/format';
import { PrerequisitesChecklist } from '@/components/clusters/prerequisites-checklist';
import { preflightProgress } from '@/lib/prerequisites';
import { ErrorState, LoadingState } from '@/components/ui/states';
import { cn } from '@/lib/cn';
import { useTRPC } from '@/components/trpc/client';
import { LIVE_FALLBACK_POLL_MS, useLiveClusters } from '@/components/trpc/use-live-clusters';

type StepState = 'done' | 'current' | 'waiting' | 'failed';

const STEP_WORDS: Record<StepState, string> = { done: 'done', current: 'in progress', waiting: 'not started', failed: 'failed' };

/**
 * Attach progress without reloading: awaiting agent → connected → snapshot received →
 * preflight results. The gateway pushes every change (clusters.onChange over SSE) and
 * the panel refetches its small status query; polling is only a slow fallback.
 */
export function ClusterLiveStatus({ name }: { name: string }) {
  const trpc = useTRPC();
  useLiveClusters(name);
  const status = useQuery(trpc.clusters.attachStatus.queryOptions({ name }, { refetchInterval: LIVE_FALLBACK_POLL_MS }));
  if (status.isPending) return <LoadingState label="Loading cluster status…" />;
  if (status.isError) return <ErrorState error={status.error} onRetry={() => status.refetch()} />;

  const cluster = status.data;
  const { prerequisites } = cluster;
  const connected = cluster.connectedAt !== null;
  const snapshot = cluster.snapshotAt;
  const steps: { title: string; state: StepState; detail: string }[] = [
    { title: 'Cluster record created', state: 'done', detail: 'Status: Awaiting agent until the agent dials in.' },
    {
      title: 'Agent connected',
      state: connected ? 'done' : 'current',
      detail: connected
        ? `Agent ${cluster.agentVersion ?? ''} on Kubernetes ${cluster.kubernetesVersion ?? '—'}, last seen ${timeAgo(cluster.lastSeenAt)}.`
        : 'Waiting for the agent to dial out to the control plane. Run the commands above in the cluster.',
    },
    {
      title: 'Snapshot received',
      state: snapshot ? 'done' : connected ? 'current' : 'waiting',
      detail: snapshot
        ? cluster.missingNodesReason && !cluster.nodeCount
          ? `No nodes reported. ${cluster.missingNodesReason}`
          : `${formatNodes(cluster.readyNodeCount, cluster.nodeCount)}; GPUs: ${formatGpusByType(cluster.gpusByType)}.`
        : 'The agent sends the cluster’s state right after it connects.',
    },
    preflightStep(snapshot ? preflightProgress(prerequisites) : null),
  ];

  return (
    <section aria-labelledby="live-status-title" className="space-y-4">
      <div className="flex items-center justify-between gap-2">
        <h2 id="live-status-title" className="text-sm font-semibold">
          Live status
        </h2>
        <ClusterStatusBadge status={cluster.status} lastSeenAt={cluster.lastSeenAt} reasons={cluster.statusReasons} />
      </div>
      <ol aria-live="polite" className="space-y-2">
        {steps.map((step) => (
          <li key={step.title} className="flex gap-3">
            <span
              aria-hidden
              className={cn(
                'mt-0.5 grid size-5 shrink-0 place-items-center rounded-full text-xs font-bold',
                step.state === 'done' && 'bg-green-100 text-green-800 dark:bg-green-950 dark:text-green-300',
                step.state === 'current' && 'animate-pulse bg-indigo-100 text-indigo-800 dark:bg-indigo-950 dark:text-indigo-300',
                step.state === 'waiting' && 'bg-zinc-100 text-zinc-500 dark:bg-zinc-800',
                step.state === 'failed' && 'bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-300',
              )}
            >
              {step.state === 'done' ? '✓' : step.state === 'failed' ? '✕' : '·'}
            </span>
            <div className="text-sm">
              <p className="font-medium">
                {step.title}
                <span className="sr-only">: {STEP_WORDS[step.state]}</span>
              </p>
              <p className="text-xs text-zinc-600 dark:text-zinc-400">{step.detail}</p>
            </div>
          </li>
        ))}
      </ol>
      {cluster.statusReasons.length > 0 && (
        <ul className="list-disc space-y-1 pl-5 text-xs text-amber-800 dark:text-amber-300">
          {cluster.statusReasons.map((reason) => (
            <li key={reason}>{reason}</li>
          ))}
        </ul>
      )}
      <PrerequisitesChecklist items={prerequisites} />
    </section>
  );
}

/** The preflight step says failed when checks finished and failed, never "in progress · 0 of 7". */
function preflightStep(progress: ReturnType<typeof preflightProgress> | null): { title: string; state: StepState; detail: string } {
  const title = 'Preflight checks';
  if (!progress || progress.state === 'waiting') return { title, state: 'waiting', detail: 'Run by the agent against the checklist below.' };
  const tally = `${progress.passed} of ${progress.total} checks pass`;
  switch (progress.state) {
    case 'failed':
      return { title, state: 'failed', detail: `${tally}; ${progress.failed} failed: see the checklist below for what to fix.` };
    case 'running':
      return { title, state: 'current', detail: `${tally} so far; the agent is still checking the rest.` };
    case 'passed':
      return { title, state: 'done', detail: `All ${progress.total} checks pass.` };
  }
}
