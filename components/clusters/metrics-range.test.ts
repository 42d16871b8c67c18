import { describe, expect, it } from 'vitest';
import { customChartRange } from '@/lib/schemas/metric-charts';
import { chartRangeQueryString, DEFAULT_CHART_RANGE, fromUtcField, parseChartRange, toUtcField } from './metrics-range';

describe('the Metrics tab range in the URL', () => {
  it('round-trips presets and custom ranges', () => {
    for (const range of [{ preset: '7d' as const }, { start: 1_700_000_000, end: 1_700_086_400 }]) {
      expect(parseChartRange(new URLSearchParams(chartRangeQueryString(range)))).toEqual(range);
    }
    expect(chartRangeQueryString(DEFAULT_CHART_RANGE)).toBe('');
  });

  it('falls back to the last hour for what the schema refuses', () => {
    expect(parseChartRange(new URLSearchParams('range=2y'))).toEqual(DEFAULT_CHART_RANGE);
    expect(parseChartRange(new URLSearchParams('start=200&end=100'))).toEqual(DEFAULT_CHART_RANGE);
  });
});

describe('the custom range form', () => {
  it('reads and writes its fields in UTC', () => {
    const at = Date.UTC(2026, 10, 23, 14, 5) / 1000;
    expect(toUtcField(at)).toBe('2026-11-23T14:05');
    expect(fromUtcField('2026-11-23T14:05')).toBe(at);
    expect(fromUtcField('')).toBeUndefined();
    expect(fromUtcField('yesterday')).toBeUndefined();
  });

  it('refuses an end before the start, a range under 5 minutes or over 31 days, beside the field', () => {
    const issues = (start: number, end: number) => customChartRange.safeParse({ start, end }).error?.issues.map((i) => [i.path[0], i.message]);
    const t = 1_700_000_000;
    expect(issues(t, t - 60)).toEqual([['end', 'End must be after start']]);
    expect(issues(t, t + 60)).toEqual([['end', 'Choose a range of at least 5 minutes']]);
    expect(issues(t, t + 40 * 86_400)).toEqual([['start', 'Choose a range of at most 31 days']]);
    expect(issues(t, t + 3_600)).toBeUndefined();
  });
});
