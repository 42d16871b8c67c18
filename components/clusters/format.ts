/**
 * Display helpers for cluster facts. "—" means "not reported yet", never zero. Moments
 * are written one way on the whole cluster page: relative, with the UTC moment of
 * lib/format-time beside it ("5 min ago (23 Nov 2026, 14:03 UTC)").
 */
import { countOf, formatInstant } from '@/lib/format-time';
import { PROVIDERS, type ProviderId } from '@/lib/providers';

export { countOf, formatInstant };

/** Whether an agent session is open (see server/services/cluster-status.ts `connectionOf`). */
export type AgentConnection = 'never' | 'connected' | 'disconnected';

export const NOT_REPORTED = '—';

export function providerLabel(provider: ProviderId): string {
  return PROVIDERS[provider].label;
}

/** "12 s ago", "5 min ago", "3 h ago", "2 d ago"; "never" for null. */
export function timeAgo(at: Date | null, now: Date = new Date()): string {
  if (!at) return 'never';
  const seconds = Math.max(0, Math.round((now.getTime() - at.getTime()) / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.round(hours / 24)} d ago`;
}

/** "H100 × 64, A100 × 16", largest first; "—" before the agent reports. */
export function formatGpusByType(gpusByType: Record<string, number> | null): string {
  if (!gpusByType) return NOT_REPORTED;
  const entries = Object.entries(gpusByType).filter(([, n]) => n > 0);
  if (entries.length === 0) return 'none';
  return entries
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([type, n]) => `${type} × ${n}`)
    .join(', ');
}

export function formatCount(value: number | null): string {
  return value === null ? NOT_REPORTED : value.toLocaleString('en-US');
}

/** "48 / 50 Ready" — or "—". */
export function formatNodes(ready: number | null, total: number | null): string {
  if (total === null) return NOT_REPORTED;
  return `${(ready ?? 0).toLocaleString('en-US')} / ${total.toLocaleString('en-US')} Ready`;
}

/** "5 min ago (23 Nov 2026, 14:03 UTC)"; "never" for null. */
export function formatMoment(at: Date | null, now: Date = new Date()): string {
  return at ? `${timeAgo(at, now)} (${formatInstant(at)})` : 'never';
}

/**
 * How current the agent's report is. A live session's report is kept current by deltas,
 * so it is "Live", with when something last changed; only a report left by an agent
 * that went away is a snapshot of the past.
 */
export function reportFreshness(
  { agentConnection, changedAt, lastSeenAt }: { agentConnection: AgentConnection; changedAt: Date | null; lastSeenAt: Date | null },
  now: Date = new Date(),
): string {
  if (agentConnection === 'connected') return changedAt ? `Live · last change ${timeAgo(changedAt, now)}` : 'Live';
  if (agentConnection === 'disconnected') return `As last reported ${formatMoment(lastSeenAt, now)}, before the agent disconnected`;
  return 'Not reported yet';
}

/** The Addons panel's subtitle: what "reported" means for this cluster right now. */
export function addonsReportNote(agentConnection: AgentConnection): string {
  switch (agentConnection) {
    case 'never':
      return 'Desired here; reported by the agent once it connects.';
    case 'connected':
      return 'Desired here; what is installed is reported live by the agent.';
    case 'disconnected':
      return 'Desired here; what is installed is as the agent last reported it, before it disconnected.';
  }
}
