/** Display helpers for cluster facts. "—" means "not reported yet", never zero. */
import { PROVIDERS, type ProviderId } from '@/lib/providers';

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
