'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { timeAgo } from '@/components/clusters/format';
import { useTRPC } from '@/components/trpc/client';
import type { RouterOutputs } from '@/components/trpc/types';
import { Badge } from '@/components/ui/badge';
import { type Column, DataTable } from '@/components/ui/data-table';
import { EmptyState, ErrorState, LoadingState } from '@/components/ui/states';
import { formatDuration, formatInstant } from '@/lib/format-time';
import { SectionHeader } from './section-header';
import { CONDITION_LABELS } from './words';

type AlertRow = RouterOutputs['alerts']['list']['firing'][number];

function Moment({ at }: { at: Date }) {
  return <span title={formatInstant(at)}>{timeAgo(at)}</span>;
}

const common: Column<AlertRow>[] = [
  {
    id: 'cluster',
    header: 'Cluster',
    cell: (a) => (
      <Link href={`/clusters/${encodeURIComponent(a.cluster.name)}`} className="font-medium text-indigo-700 underline-offset-2 hover:underline dark:text-indigo-300">
        {a.cluster.name}
      </Link>
    ),
  },
  { id: 'rule', header: 'Rule', cell: (a) => `${a.rule.name} · ${CONDITION_LABELS[a.rule.condition]}` },
  { id: 'summary', header: 'What', wrap: true, cell: (a) => a.summary },
];

const firingColumns: Column<AlertRow>[] = [
  { id: 'state', header: 'State', cell: () => <Badge tone="red">Firing</Badge> },
  ...common,
  { id: 'firedAt', header: 'Since', cell: (a) => <Moment at={a.firedAt} /> },
];

const resolvedColumns: Column<AlertRow>[] = [
  { id: 'state', header: 'State', cell: () => <Badge tone="green">Resolved</Badge> },
  ...common,
  { id: 'resolvedAt', header: 'Resolved', cell: (a) => (a.resolvedAt ? <Moment at={a.resolvedAt} /> : '—') },
  { id: 'lasted', header: 'Lasted', cell: (a) => (a.resolvedAt ? formatDuration(a.resolvedAt.getTime() - a.firedAt.getTime()) : '—') },
];

export function AlertsList() {
  const trpc = useTRPC();
  const alerts = useQuery(trpc.alerts.list.queryOptions());
  return (
    <>
      <section aria-labelledby="alerts-firing" className="space-y-3">
        <SectionHeader id="alerts-firing" title="Firing" description="One alert per rule and cluster while its condition holds." />
        {alerts.isPending ? (
          <LoadingState label="Loading alerts…" />
        ) : alerts.isError ? (
          <ErrorState error={alerts.error} onRetry={() => alerts.refetch()} />
        ) : alerts.data.firing.length === 0 ? (
          <EmptyState title="Nothing firing">Every rule’s condition is clear.</EmptyState>
        ) : (
          <DataTable label="Firing alerts" columns={firingColumns} rows={alerts.data.firing} rowKey={(a) => a.id} />
        )}
      </section>
      {alerts.isSuccess && alerts.data.resolved.length > 0 && (
        <section aria-labelledby="alerts-resolved" className="space-y-3">
          <SectionHeader id="alerts-resolved" title="Recently resolved" />
          <DataTable label="Resolved alerts" columns={resolvedColumns} rows={alerts.data.resolved} rowKey={(a) => a.id} />
        </section>
      )}
    </>
  );
}
