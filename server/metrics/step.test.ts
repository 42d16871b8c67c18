import { describe, expect, it } from 'vitest';
import { chartWindow, MAX_RANGE_SECONDS, MIN_STEP_SECONDS, PRESET_SECONDS, PROMETHEUS_MAX_POINTS, READABLE_STEPS, stepFor, TARGET_POINTS } from './step';

const HOUR = 3_600;
const DAY = 24 * HOUR;

describe('stepFor', () => {
  it.each([
    ['1h', PRESET_SECONDS['1h'], 15],
    ['6h', PRESET_SECONDS['6h'], 60],
    ['24h', PRESET_SECONDS['24h'], 5 * 60],
    ['7d', PRESET_SECONDS['7d'], 30 * 60],
    ['31 days', 31 * DAY, 3 * HOUR],
    ['5 minutes', 5 * 60, 15],
  ])('gives a readable step for %s', (_name, range, step) => {
    expect(stepFor(range)).toBe(step);
  });

  it('never asks for more than 11,000 points, and keeps readable steps while they fit (over many ranges)', () => {
    // Deterministic pseudo-random ranges from 1 s to 20 years, plus the boundaries of every readable step.
    let seed = 12_345;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const ranges = Array.from({ length: 5_000 }, () => Math.max(1, Math.round(Math.exp(random() * Math.log(20 * 365 * DAY)))));
    for (const step of READABLE_STEPS) ranges.push(step * TARGET_POINTS, step * TARGET_POINTS + 1, step * PROMETHEUS_MAX_POINTS + 1);
    ranges.push(1, 0.5, 10_000 * 365 * DAY);
    let previous = { range: 0, step: 0 };
    for (const range of [...ranges].sort((a, b) => a - b)) {
      const step = stepFor(range);
      expect(Number.isInteger(step), `step for ${range}`).toBe(true);
      expect(step).toBeGreaterThanOrEqual(MIN_STEP_SECONDS);
      // Prometheus refuses (end - start) / step > 11,000.
      expect(range / step, `points for ${range}`).toBeLessThanOrEqual(PROMETHEUS_MAX_POINTS);
      if (range <= MAX_RANGE_SECONDS) {
        expect(READABLE_STEPS).toContain(step);
        expect(range / step).toBeLessThanOrEqual(TARGET_POINTS);
      }
      // A longer range never gets a finer step.
      if (range > previous.range) expect(step).toBeGreaterThanOrEqual(previous.step);
      previous = { range, step };
    }
  });

  it('refuses a range that is not a positive number of seconds', () => {
    for (const bad of [0, -60, Number.NaN, Number.POSITIVE_INFINITY]) expect(() => stepFor(bad)).toThrow(RangeError);
  });
});

describe('chartWindow', () => {
  const now = 1_800_000_000;

  it('ends a preset now, with its step', () => {
    expect(chartWindow({ preset: '7d' }, now)).toEqual({ start: now - 7 * DAY, end: now, step: 1_800 });
    expect(chartWindow({ preset: '1h' }, now)).toEqual({ start: now - HOUR, end: now, step: 15 });
  });

  it('takes a custom range with its step', () => {
    expect(chartWindow({ start: now - 2 * DAY, end: now }, now)).toEqual({ start: now - 2 * DAY, end: now, step: 10 * 60 });
  });

  it('refuses an empty, reversed, unreadable or over-long custom range with a message that says what to do', () => {
    expect(() => chartWindow({ start: now, end: now }, now)).toThrow('The range is empty: choose an end after the start');
    expect(() => chartWindow({ start: now, end: now - HOUR }, now)).toThrow('The range ends before it starts: swap start and end');
    expect(() => chartWindow({ start: Number.NaN, end: now }, now)).toThrow('Start and end must both be times');
    expect(() => chartWindow({ start: now - 32 * DAY, end: now }, now)).toThrow('The range is longer than 31 days: choose a shorter one');
    expect(chartWindow({ start: now - 31 * DAY, end: now }, now).step).toBe(3 * HOUR);
  });
});
