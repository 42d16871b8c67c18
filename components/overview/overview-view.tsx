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
import { type Column, DataTable } from '@/components/ui/data-table';
import { PageHeader } from '@/components/ui/page-header';
import { EmptyState, ErrorState, LoadingState } from '@/components/ui/states';
import { CLUSTER_STATUS_LABELS } from '@/lib/schemas/cluster';
import { useTRPC } from '@/components/trpc/client';
import { LIVE_FALLBACK_POLL_MS, useLiveClusters } from '@/components/trpc/use-live-clusters';
import type { RouterOutputs } from '@/components/trpc/types';

type Overview = RouterOutputs['clusters']['overview'];
type AttentionRow = Overview['needingAttention'][number];

const fleetLink = (change: Partial<typeof DEFAULT_FLEET_QUERY>) => `/clusters${fleetQueryString({ ...DEFAULT_FLEET_QUERY, ...change })}`;

const ATTENTION_COLUMNS: Column<AttentionRow>[] = [
  {
    id: 'name',
    header: 'Cluster',
    cell: (c) => (
      <Link href={`/clusters/${encodeURIComponent(c.name)}`} className="font-medium text-indigo-700 hover:underline dark:text-indigo-300">
        {c.name}
      </Link>
    ),
  },
  { id: 'status', header: 'Status', cell: (c) => <ClusterStatusBadge status={c.status} lastSeenAt={c.lastSeenAt} /> },
  {
    id: 'why',
    header: 'Why',
    cell: (c) =>
      c.statusReasons.length > 0 ? (
        <span className="text-xs">{c.statusReasons.slice(0, 2).join(' · ')}</span>
      ) : c.status === 'awaiting_agent' ? (
        <span className="text-xs text-zinc-500">No agent has connected yet.</span>
      ) : null,
  },
  { id: 'where', header: 'Provider / region', cell: (c) => `${providerLabel(c.provider)} · ${c.region}` },
  {
    id: 'environments',
    header: 'Environments',
    cell: (c) => (
      <span className="flex flex-wrap gap-1">
        {c.environments.map((env) => (
          <EnvironmentChip key={env.id} name={env.name} color={env.color} isProduction={env.isProduction} />
        ))}
      </span>
    ),
  },
];

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

      <section aria-labelledby="attention-title" className="mb-6 space-y-3">
        <h2 id="attention-title" className="text-sm font-semibold">
          Needing attention <span className="font-normal text-zinc-500">· production first</span>
        </h2>
        {data.needingAttention.length === 0 ? (
          <EmptyState title="Every cluster is connected and healthy" />
        ) : (
          <>
            <DataTable label="Clusters needing attention" columns={ATTENTION_COLUMNS} rows={data.needingAttention} rowKey={(c) => c.id} />
            {data.needingAttentionTotal > data.needingAttention.length && (
              <p className="text-sm">
                <Link href={fleetLink({ statuses: ['awaiting_agent', 'degraded', 'disconnected'], sort: 'status' })} className="underline">
                  All {data.needingAttentionTotal} clusters needing attention
                </Link>
              </p>
            )}
          </>
        )}
      </section>

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
