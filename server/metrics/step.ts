/**
 * The `query_range` step for a chart's time range: a step a person reads easily (15 s,
 * 1 m, 5 m, 30 m, 1 h…) giving a few hundred points a series — enough for any chart width,
 * cheap for Prometheus and the agent — and never over Prometheus' limit of 11,000 points
 * per series (it refuses a query when (end − start) / step > 11,000).
 */
import { CHART_RANGE_SECONDS, MAX_CUSTOM_RANGE_SECONDS } from '@/lib/schemas/metric-charts';
import type { ChartRangePreset } from './types';

/** Prometheus refuses a range query with more points than this per series. */
export const PROMETHEUS_MAX_POINTS = 11_000;
/** About as many points as a chart can show: the step grows until a range fits in this many. */
export const TARGET_POINTS = 360;
/** Steps finer than common scrape intervals (15–30 s) only repeat samples. */
export const MIN_STEP_SECONDS = 15;
/** Custom ranges longer than this (31 days, the range picker's own limit) are refused. */
export const MAX_RANGE_SECONDS = MAX_CUSTOM_RANGE_SECONDS;

/** The readable steps, in seconds, smallest first. */
export const READABLE_STEPS: readonly number[] = [
  15, 30, 60, 2 * 60, 5 * 60, 10 * 60, 15 * 60, 30 * 60, 3_600, 2 * 3_600, 3 * 3_600, 6 * 3_600, 12 * 3_600, 24 * 3_600,
];

/** How long each preset range is (the range picker's own table). */
export const PRESET_SECONDS: Readonly<Record<ChartRangePreset, number>> = CHART_RANGE_SECONDS;

/**
 * The step in seconds for a range `rangeSeconds` long: the smallest readable step giving at
 * most {@link TARGET_POINTS} points, and in any case at least `rangeSeconds / 11,000` (a
 * whole number of seconds), so a query never asks for more points than Prometheus allows.
 */
export function stepFor(rangeSeconds: number): number {
  if (!Number.isFinite(rangeSeconds) || rangeSeconds <= 0) throw new RangeError(`A chart range must be a positive number of seconds, not ${rangeSeconds}`);
  const readable = READABLE_STEPS.find((step) => rangeSeconds / step <= TARGET_POINTS) ?? READABLE_STEPS[READABLE_STEPS.length - 1]!;
  return Math.max(readable, Math.ceil(rangeSeconds / PROMETHEUS_MAX_POINTS));
}

/** A range a chart can query: unix seconds and the step. */
export interface StepWindow {
  start: number;
  end: number;
  step: number;
}

/**
 * A preset ending now, or a custom `{start, end}` (unix seconds), with its step. A custom
 * range that is empty, reversed, not finite or longer than 31 days is refused with a
 * message a person can act on. (The chart procedure's input schema, lib/schemas/metric-charts.ts,
 * refuses the same ranges before they get here; this guards callers without it, such as benches.)
 */
export function chartWindow(range: { preset: ChartRangePreset } | { start: number; end: number }, nowSeconds: number): StepWindow {
  if ('preset' in range) {
    const span = PRESET_SECONDS[range.preset];
    return { start: nowSeconds - span, end: nowSeconds, step: stepFor(span) };
  }
  const { start, end } = range;
  if (!Number.isFinite(start) || !Number.isFinite(end)) throw new RangeError('Start and end must both be times');
  if (end === start) throw new RangeError('The range is empty: choose an end after the start');
  if (end < start) throw new RangeError('The range ends before it starts: swap start and end');
  if (end - start > MAX_RANGE_SECONDS) throw new RangeError('The range is longer than 31 days: choose a shorter one');
  return { start, end, step: stepFor(end - start) };
}
