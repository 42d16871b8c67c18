import { formatDuration } from '@/lib/format-time';

/** "43.5 %", or "—" without DCGM data. */
export function formatUtilization(value: number | null): string {
  return value === null ? '—' : `${value.toFixed(1)} %`;
}

/** "45 s ago", "12 min ago". */
export function formatAge(ageSeconds: number): string {
  return `${formatDuration(ageSeconds * 1000)} ago`;
}
