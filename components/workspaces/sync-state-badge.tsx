import { timeAgo } from '@/components/clusters/format';
import { Badge, type BadgeTone } from '@/components/ui/badge';
import { formatInstant } from '@/lib/format-time';
import type { WorkspaceSyncState } from '@/lib/workspaces';

export const SYNC_STATE_LABELS: Record<WorkspaceSyncState, string> = {
  pending: 'Pending',
  synced: 'Synced',
  failed: 'Failed',
  deleting: 'Deleting',
};

const TONES: Record<WorkspaceSyncState, BadgeTone> = { pending: 'blue', synced: 'green', failed: 'red', deleting: 'amber' };

/** What each state means for the person reading it, as the badge's tooltip. */
const MEANINGS: Record<WorkspaceSyncState, string> = {
  pending: 'Stored; waiting for the cluster’s agent to apply it (it applies when the agent connects).',
  synced: 'The namespace in the cluster matches this workspace.',
  failed: 'The agent could not apply this workspace.',
  deleting: 'Deleted here; waiting for the agent to remove the namespace.',
};

/**
 * The sync state in words (never colour alone), the Kubernetes error under a Failed
 * one, and when the agent last confirmed the workspace.
 */
export function SyncStateBadge({
  state,
  error,
  syncedAt,
  now,
}: {
  state: WorkspaceSyncState;
  error?: string | null;
  syncedAt: Date | null;
  now?: Date;
}) {
  return (
    <span className="inline-flex min-w-0 flex-col items-start gap-0.5">
      <Badge tone={TONES[state]} className="whitespace-nowrap">
        <span title={MEANINGS[state]}>{SYNC_STATE_LABELS[state]}</span>
      </Badge>
      {state === 'failed' && error && <span className="max-w-[22rem] text-xs break-words text-red-700 dark:text-red-300">{error}</span>}
      {/* The exact moment in the tooltip and the <time> element. */}
      <span className="text-xs text-zinc-500">
        {syncedAt ? (
          <time dateTime={syncedAt.toISOString()} title={formatInstant(syncedAt)}>
            last synced {timeAgo(syncedAt, now)}
          </time>
        ) : (
          'never synced'
        )}
      </span>
    </span>
  );
}
