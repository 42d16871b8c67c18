import { describe, expect, it } from 'vitest';
import { countOf, formatDuration, formatInstant, formatInstantWithSeconds } from './format-time';

describe('formatInstant', () => {
  it.each([
    ['2026-11-23T14:03:59.999Z', '23 Nov 2026, 14:03 UTC'],
    ['2026-01-01T00:00:00Z', '1 Jan 2026, 00:00 UTC'],
    ['2026-12-31T23:59:00Z', '31 Dec 2026, 23:59 UTC'],
    // The same instant written with an offset: always told in UTC.
    ['2026-07-04T01:30:00+02:00', '3 Jul 2026, 23:30 UTC'],
  ])('%s → %s', (iso, expected) => {
    expect(formatInstant(new Date(iso))).toBe(expected);
  });

  it('adds seconds when asked', () => {
    expect(formatInstantWithSeconds(new Date('2026-11-23T14:03:07Z'))).toBe('23 Nov 2026, 14:03:07 UTC');
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0 s'],
    [-5_000, '0 s'],
    [59_999, '59 s'],
    [60_000, '1 min'],
    [59 * 60_000 + 59_000, '59 min'],
    [3_600_000, '1 h'],
    [3 * 3_600_000 + 20 * 60_000, '3 h 20 min'],
    [24 * 3_600_000, '1 d'],
    [52 * 3_600_000 + 59 * 60_000, '2 d 4 h'],
  ])('%d ms → %s', (ms, expected) => {
    expect(formatDuration(ms)).toBe(expected);
  });
});

describe('countOf', () => {
  it.each([
    [0, '0 reconnects'],
    [1, '1 reconnect'],
    [4, '4 reconnects'],
    [1200, '1,200 reconnects'],
  ])('%d', (count, expected) => {
    expect(countOf(count, 'reconnect')).toBe(expected);
  });
});
