import { describe, expect, it } from 'vitest';
import type { ChartSeries } from '@/server/metrics/types';
import { chartRows, hasValues, seriesStyle } from './chart-data';
import { formatSampleTime, formatTimeTick, formatValue, valueDomain } from './units';

describe('a value with its unit', () => {
  it.each([
    [42.456, 'percent', '42.5 %'],
    [0.25, 'ratio', '25 %'],
    [12 * 1024 ** 3, 'bytes', '12 GiB'],
    [1536, 'bytes', '1.5 KiB'],
    [71.26, 'celsius', '71.3 °C'],
    [350, 'watts', '350 W'],
    [1200, 'watts', '1.2 kW'],
    [3_400_000, 'joules', '3.4 MJ'],
    [1, 'cores', '1 core'],
    [12.5, 'cores', '12.5 cores'],
    [7, 'count', '7'],
    [25_000, 'count', '25k'],
  ] as const)('%s %s reads %s', (value, unit, text) => {
    expect(formatValue(value, unit)).toBe(text);
  });

  it('is a dash for a gap, never 0', () => {
    expect(formatValue(null, 'percent')).toBe('—');
    expect(formatValue(Number.NaN, 'bytes')).toBe('—');
  });

  it('keeps percentages on a 0–100 axis unless a value goes past it', () => {
    const [, upper] = valueDomain('percent');
    expect(upper(40)).toBe(100);
    expect(upper(130)).toBe(130);
    expect(valueDomain('ratio')[1](0.5)).toBe(1);
  });
});

describe('times', () => {
  const at = Date.UTC(2026, 10, 23, 14, 5, 30) / 1000;
  it('are clock ticks within a day and dated beyond, in UTC', () => {
    expect(formatTimeTick(at, 3_600)).toBe('14:05');
    expect(formatTimeTick(at, 7 * 86_400)).toBe('23 Nov 14:05');
    expect(formatSampleTime(at)).toBe('23 Nov 2026, 14:05:30 UTC');
  });
});

describe('chart rows', () => {
  const series: ChartSeries[] = [
    { name: 'a', labels: {}, points: [[0, 1], [60, null], [120, 3]] },
    { name: 'b', labels: {}, points: [[60, 5]] },
  ];
  it('are one per time, each series under its index, gaps null', () => {
    expect(chartRows(series)).toEqual([
      { t: 0, s0: 1, s1: null },
      { t: 60, s0: null, s1: 5 },
      { t: 120, s0: 3, s1: null },
    ]);
    expect(hasValues(series)).toBe(true);
    expect(hasValues([{ name: 'c', labels: {}, points: [[0, null]] }])).toBe(false);
  });

  it('tell series apart by dash pattern once colours repeat', () => {
    expect(seriesStyle(0).dash).toBeUndefined();
    expect(seriesStyle(8).color).toBe(seriesStyle(0).color);
    expect(seriesStyle(8).dash).toBeDefined();
  });
});
