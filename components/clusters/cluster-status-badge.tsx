'use client';

import { Badge, type BadgeTone } from '@/components/ui/badge';
import { timeAgo } from '@/components/clusters/format';
import { useLiveConnection } from '@/components/trpc/live-connection';
import { formatAsOf } from '@/components/trpc/live-state';
import type { ClusterStatus } from '@/lib/cluster-status';
import { CLUSTER_STATUS_LABELS } from '@/lib/cluster-fleet';

const TONES: Record<ClusterStatus, BadgeTone> = {
  awaiting_agent: 'blue',
  connected: 'green',
  degraded: 'amber',
  disconnected: 'red',
};

/**
 * The status in words (never colour alone), with when the agent was last heard from.
 * While this page has lost its own connection to the control plane the status is only
 * what was last known, and it says so ("as of 15:42:07") instead of a fresh "last seen".
 */
export function ClusterStatusBadge({
  status,
  lastSeenAt,
  reasons,
  now,
}: {
  status: ClusterStatus;
  lastSeenAt?: Date | null;
  reasons?: readonly string[];
  now?: Date;
}) {
  const { state, lostAt } = useLiveConnection();
  const stale = state !== 'live';
  return (
    <span className="inline-flex flex-col items-start gap-0.5">
      <Badge tone={stale ? 'neutral' : TONES[status]} className="whitespace-nowrap">
        <span title={reasons?.length ? reasons.join('\n') : undefined}>
          {stale && 'Last known: '}
          {CLUSTER_STATUS_LABELS[status]}
        </span>
      </Badge>
      {stale && lostAt ? (
        <span className="text-xs text-zinc-500">as of {formatAsOf(lostAt)}</span>
      ) : (
        status !== 'awaiting_agent' &&
        lastSeenAt !== undefined && <span className="text-xs text-zinc-500">last seen {timeAgo(lastSeenAt, now)}</span>
      )}
    </span>
  );
}
