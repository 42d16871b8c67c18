'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { useCan } from '@/components/auth/session-context';
import { ClusterStatusBadge } from '@/components/clusters/cluster-status-badge';
import { fleetQueryString, DEFAULT_FLEET_QUERY } from '@/components/clusters/fleet-query';
import { formatCount, providerLabel } from '@/components/clusters/format';
import { NoClustersYet } from '@/components/clusters/no-clusters-yet';
import { EnvironmentChip } from '@/components/environments/environment-chip';
import { TeamLeadHome } from '@/components/ml-repos/team-lead-home';
import { HealthBoard } from '@/components/overview/health-board';
import { PageHeader } from '@/components/ui/page-header';
import { ErrorState, LoadingState } from '@/components/ui/states';
import { CLUSTER_STATUS_LABELS } from '@/lib/schemas/cluster';
import { useTRPC } from '@/components/trpc/client';
import { LIVE_FALLBACK_POLL_MS, useLiveClusters } from '@/components/trpc/use-live-clusters';


const fleetLink = (change: Partial<typeof DEFAULT_FLEET_QUERY>) => `/clusters${fleetQueryString({ ...DEFAULT_FLEET_QUERY, ...change })}`;

/** `/`: a team lead's repos and expiring grants first (nothing for anyone else), then the fleet. */
export function OverviewView() {
  return (
    <>
      <TeamLeadHome />
      <FleetOverview />
    </>
  );
}

/** Fleet health at a glance: counts, and the clusters that need someone, worst first. */
function FleetOverview() {
  const trpc = useTRPC();
  const canManage = useCan('cluster.manage');
  useLiveClusters();
  const overview = useQuery(trpc.clusters.overview.queryOptions(undefined, { refetchInterval: LIVE_FALLBACK_POLL_MS }));

  const header = <PageHeader title="Overview" description="Every attached cluster's health, by status, provider and environment." />;
  if (overview.isPending) {
    return (
      <>
        {header}
        <LoadingState label="Loading the fleet…" />
      </>
    );
  }
  if (overview.isError) {
    return (
      <>
        {header}
        <ErrorState error={overview.error} onRetry={() => overview.refetch()} />
      </>
    );
  }
  const data = overview.data;
  if (data.totals.clusters === 0) {
    return (
      <>
        {header}
        <NoClustersYet
          canManage={canManage}
          adminHint="Attach your first cluster to see fleet health here."
          memberHint="An admin attaches clusters; their health shows here."
        />
      </>
    );
  }

  return (
    <>
      {header}
      <section aria-label="Fleet totals" className="mb-6 grid grid-cols-2 gap-3 lg:grid-cols-4">
        <Stat label="Clusters" value={formatCount(data.totals.clusters)} href="/clusters" />
        <Stat label="Nodes Ready" value={`${formatCount(data.totals.readyNodes)} / ${formatCount(data.totals.nodes)}`} />
        <Stat label="GPUs" value={formatCount(data.totals.gpus)} />
        <Stat
          label="Need attention"
          value={formatCount(data.needingAttentionTotal)}
          tone={data.needingAttentionTotal > 0 ? 'warn' : 'ok'}
          href={fleetLink({ statuses: ['awaiting_agent', 'degraded', 'disconnected'], sort: 'status' })}
        />
      </section>

      <HealthBoard />

      <div className="grid gap-6 lg:grid-cols-3">
        <CountList
          title="By status"
          items={data.byStatus.map((s) => ({
            key: s.status,
            label: <ClusterStatusBadge status={s.status} />,
            text: CLUSTER_STATUS_LABELS[s.status],
            count: s.count,
            href: fleetLink({ statuses: [s.status] }),
          }))}
        />
        <CountList
          title="By provider"
          items={data.byProvider
            .filter((p) => p.count > 0)
            .map((p) => ({ key: p.provider, label: providerLabel(p.provider), text: providerLabel(p.provider), count: p.count, href: fleetLink({ providers: [p.provider] }) }))}
        />
        <CountList
          title="By environment"
          items={data.byEnvironment.map((e) => ({
            key: String(e.id),
            label: <EnvironmentChip name={e.name} color={e.color} isProduction={e.isProduction} />,
            text: e.name,
            count: e.count,
            href: fleetLink({ environments: [e.name] }),
          }))}
        />
      </div>
    </>
  );
}

function Stat({ label, value, href, tone }: { label: string; value: string; href?: string; tone?: 'ok' | 'warn' }) {
  const body = (
    <>
      <p className="text-xs text-zinc-500">{label}</p>
      <p className={tone === 'warn' ? 'text-2xl font-semibold text-amber-700 dark:text-amber-400' : 'text-2xl font-semibold'}>{value}</p>
    </>
  );
  const box = 'block rounded-lg border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900';
  return href ? (
    <Link href={href} className={`${box} hover:border-indigo-400`}>
      {body}
    </Link>
  ) : (
    <div className={box}>{body}</div>
  );
}

function CountList({ title, items }: { title: string; items: { key: string; label: ReactNode; text: string; count: number; href: string }[] }) {
  const id = `count-${title.toLowerCase().replace(/\s+/g, '-')}`;
  return (
    <section aria-labelledby={id} className="rounded-lg border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900">
      <h2 id={id} className="mb-2 text-sm font-semibold">
        {title}
      </h2>
      {items.length === 0 ? (
        <p className="text-sm text-zinc-500">None</p>
      ) : (
        <ul className="space-y-1">
          {items.map((item) => (
            <li key={item.key}>
              <Link
                href={item.href}
                aria-label={`${item.text}: ${item.count} cluster${item.count === 1 ? '' : 's'}`}
                className="flex items-center justify-between rounded px-1 py-1 text-sm hover:bg-zinc-50 dark:hover:bg-zinc-800"
              >
                {item.label}
                <span className="tabular-nums">{item.count}</span>
              </Link>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
