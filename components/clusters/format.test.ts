import { describe, expect, it } from 'vitest';
import { addonsReportNote, countOf, formatCount, formatGpusByType, formatMoment, formatNodes, reportFreshness, timeAgo } from '@/components/clusters/format';

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

  it('writes a moment one way: relative, with the UTC moment beside it', () => {
    expect(formatMoment(new Date('2026-01-01T11:45:00Z'), now)).toBe('15 min ago (1 Jan 2026, 11:45 UTC)');
    expect(formatMoment(null, now)).toBe('never');
  });

  it('counts with proper plurals, never "minute(s)"', () => {
    expect(countOf(1, 'minute')).toBe('1 minute');
    expect(countOf(15, 'minute')).toBe('15 minutes');
    expect(countOf(2, 'NotReady node')).toBe('2 NotReady nodes');
  });

  it('calls a live session\'s report live, and only a departed agent\'s report a thing of the past', () => {
    const changedAt = new Date('2026-01-01T11:46:00Z');
    const lastSeenAt = new Date('2026-01-01T11:50:00Z');
    expect(reportFreshness({ agentConnection: 'connected', changedAt, lastSeenAt }, now)).toBe('Live · last change 14 min ago');
    expect(reportFreshness({ agentConnection: 'disconnected', changedAt, lastSeenAt }, now)).toBe(
      'As last reported 10 min ago (1 Jan 2026, 11:50 UTC), before the agent disconnected',
    );
    expect(addonsReportNote('connected')).not.toContain('once it connects');
    expect(addonsReportNote('never')).toContain('once it connects');
  });
});
