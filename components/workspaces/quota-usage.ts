/**
 * The workspace page's quota table: one line per resource the ResourceQuota limits,
 * with what the pods use (as the agent last reported) against the hard limit.
 */
import type { QuotaUsage, WorkspaceQuota } from '@/lib/workspaces';

export interface QuotaLine {
  /** The ResourceQuota's key, e.g. `requests.nvidia.com/gpu`. */
  resource: string;
  label: string;
  used: string;
  hard: string;
}

export const NOT_REPORTED_YET = 'not reported yet';

/** A ResourceQuota key in words; unknown keys are shown as they are. */
export function quotaResourceLabel(resource: string): string {
  const name = resource.replace(/^(requests|limits)\./, '');
  if (name === 'cpu') return 'CPU';
  if (name === 'memory') return 'Memory';
  if (name.endsWith('/gpu')) return 'GPUs';
  return resource;
}

/**
 * Lines from the agent's report when there is one (its keys are what Kubernetes enforces),
 * else from the stored quota with use not yet reported. No quota and no report: none.
 */
export function quotaLines(quota: WorkspaceQuota | null, usage: QuotaUsage | null): QuotaLine[] {
  if (usage && Object.keys(usage.hard).length > 0) {
    return Object.keys(usage.hard)
      .sort()
      .map((resource) => ({ resource, label: quotaResourceLabel(resource), used: usage.used[resource] ?? '0', hard: usage.hard[resource] ?? '' }));
  }
  if (!quota) return [];
  const lines: QuotaLine[] = [];
  if (quota.cpu !== undefined) lines.push({ resource: 'cpu', label: 'CPU', used: NOT_REPORTED_YET, hard: quota.cpu });
  if (quota.memory !== undefined) lines.push({ resource: 'memory', label: 'Memory', used: NOT_REPORTED_YET, hard: quota.memory });
  if (quota.gpus !== undefined) lines.push({ resource: 'gpus', label: 'GPUs', used: NOT_REPORTED_YET, hard: String(quota.gpus) });
  return lines;
}
