import { describe, expect, it } from 'vitest';
import { formatCount, formatGpusByType, formatNodes, timeAgo } from '@/components/clusters/format';

describe('cluster display helpers', () => {
  const now = new Date('2026-01-01T12:00:00Z');
  it.each<[number | null, string]>([
    [null, 'never'],
    [5, '5 s ago'],
    [90, '2 min ago'],
    [3 * 3600, '3 h ago'],
    [3 * 86400, '3 d ago'],
  ])('timeAgo(%s s) is %s', (secondsAgo, text) => {
    expect(timeAgo(secondsAgo === null ? null : new Date(now.getTime() - secondsAgo * 1000), now)).toBe(text);
  });

  it('says "—" before the agent reports, never 0', () => {
    expect(formatGpusByType(null)).toBe('—');
    expect(formatCount(null)).toBe('—');
    expect(formatNodes(null, null)).toBe('—');
  });

  it('lists GPU types largest first and says "none" for a reported CPU-only cluster', () => {
    expect(formatGpusByType({ L4: 24, H100: 64, A100: 0 })).toBe('H100 × 64, L4 × 24');
    expect(formatGpusByType({})).toBe('none');
    expect(formatNodes(48, 50)).toBe('48 / 50 Ready');
  });
});
