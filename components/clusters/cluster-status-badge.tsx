import { Badge, type BadgeTone } from '@/components/ui/badge';
import { timeAgo } from '@/components/clusters/format';
import type { ClusterStatus } from '@/lib/cluster-status';
import { CLUSTER_STATUS_LABELS } from '@/lib/schemas/cluster';

const TONES: Record<ClusterStatus, BadgeTone> = {
  awaiting_agent: 'blue',
  connected: 'green',
  degraded: 'amber',
  disconnected: 'red',
};

/** The status in words (never colour alone), with when the agent was last heard from. */
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
  return (
    <span className="inline-flex flex-col items-start gap-0.5">
      <Badge tone={TONES[status]} className="whitespace-nowrap">
        <span title={reasons?.length ? reasons.join('\n') : undefined}>{CLUSTER_STATUS_LABELS[status]}</span>
      </Badge>
      {status !== 'awaiting_agent' && lastSeenAt !== undefined && (
        <span className="text-xs text-zinc-500">last seen {timeAgo(lastSeenAt, now)}</span>
      )}
    </span>
  );
}
