'use client';

import { useQuery } from '@tanstack/react-query';
import { timeAgo } from '@/components/clusters/format';
import { useTRPC } from '@/components/trpc/client';
import type { RouterOutputs } from '@/components/trpc/types';
import { Badge } from '@/components/ui/badge';
import { type Column, DataTable } from '@/components/ui/data-table';
import { EmptyState, ErrorState, LoadingState } from '@/components/ui/states';
import { formatInstant } from '@/lib/format-time';
import { SectionHeader } from './section-header';
import { DELIVERY_EVENT_LABELS, DELIVERY_STATUS_LABELS, DELIVERY_STATUS_TONES } from './words';

type DeliveryRow = RouterOutputs['alerts']['deliveries'][number];

function statusDetail(d: DeliveryRow): string {
  if (d.status === 'delivered' && d.deliveredAt) return `at ${formatInstant(d.deliveredAt)}`;
  if (d.status === 'pending' && d.nextAttemptAt) return d.attempts === 0 ? 'sending' : `next try ${formatInstant(d.nextAttemptAt)}`;
  return '';
}

const columns: Column<DeliveryRow>[] = [
  { id: 'at', header: 'Queued', cell: (d) => <span title={formatInstant(d.createdAt)}>{timeAgo(d.createdAt)}</span> },
  { id: 'event', header: 'Event', cell: (d) => DELIVERY_EVENT_LABELS[d.event] },
  { id: 'channel', header: 'Channel', cell: (d) => d.channel.name },
  { id: 'alert', header: 'Alert', wrap: true, cell: (d) => d.alert?.summary ?? 'Test message' },
  {
    id: 'status',
    header: 'Status',
    cell: (d) => (
      <span className="inline-flex flex-wrap items-center gap-1">
        <Badge tone={DELIVERY_STATUS_TONES[d.status]}>{DELIVERY_STATUS_LABELS[d.status]}</Badge>
        <span className="text-xs text-zinc-500 dark:text-zinc-400">{statusDetail(d)}</span>
      </span>
    ),
  },
  { id: 'attempts', header: 'Attempts', align: 'right', cell: (d) => d.attempts },
  { id: 'error', header: 'Last error', cell: (d) => d.lastError ?? '—' },
];

export function DeliveryLog() {
  const trpc = useTRPC();
  const deliveries = useQuery(trpc.alerts.deliveries.queryOptions());
  return (
    <section aria-labelledby="alert-deliveries" className="space-y-3">
      <SectionHeader
        id="alert-deliveries"
        title="Delivery log"
        description="The latest 100 notifications. Failures are retried after 30 s, 2 min, 10 min and 30 min, then marked failed."
      />
      {deliveries.isPending ? (
        <LoadingState label="Loading the delivery log…" />
      ) : deliveries.isError ? (
        <ErrorState error={deliveries.error} onRetry={() => deliveries.refetch()} />
      ) : deliveries.data.length === 0 ? (
        <EmptyState title="Nothing sent yet">Notifications and test messages appear here with their attempts.</EmptyState>
      ) : (
        <DataTable label="Delivery log" columns={columns} rows={deliveries.data} rowKey={(d) => d.id} />
      )}
    </section>
  );
}
