import { describe, expect, it } from 'vitest';
import { NOT_REPORTED_YET, quotaLines, quotaResourceLabel } from '@/components/workspaces/quota-usage';

describe('quota lines', () => {
  it('names the resources a ResourceQuota limits', () => {
    expect(quotaResourceLabel('requests.cpu')).toBe('CPU');
    expect(quotaResourceLabel('limits.memory')).toBe('Memory');
    expect(quotaResourceLabel('requests.nvidia.com/gpu')).toBe('GPUs');
    expect(quotaResourceLabel('pods')).toBe('pods');
  });

  it('shows used against hard from the agent’s report, a missing use as 0', () => {
    expect(quotaLines({ cpu: '8' }, { hard: { 'requests.cpu': '8', 'requests.nvidia.com/gpu': '2' }, used: { 'requests.cpu': '1500m' } })).toEqual([
      { resource: 'requests.cpu', label: 'CPU', used: '1500m', hard: '8' },
      { resource: 'requests.nvidia.com/gpu', label: 'GPUs', used: '0', hard: '2' },
    ]);
  });

  it('shows the stored quota with use not reported until the agent reports', () => {
    expect(quotaLines({ memory: '64Gi', gpus: 4 }, null)).toEqual([
      { resource: 'memory', label: 'Memory', used: NOT_REPORTED_YET, hard: '64Gi' },
      { resource: 'gpus', label: 'GPUs', used: NOT_REPORTED_YET, hard: '4' },
    ]);
    expect(quotaLines(null, null)).toEqual([]);
  });
});
