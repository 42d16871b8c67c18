/**
 * The cluster Metrics tab's inputs: which chart, over which time range, broken down how.
 * The tab's range picker validates a custom range with the same schema the procedure
 * parses, so the form and the server refuse the same ranges with the same words.
 */
import { z } from 'zod';
import { clusterRef } from './cluster';

/** The picker's presets, as the catalog contract names them (server/metrics/types.ts CHART_RANGES). */
export const CHART_RANGE_PRESETS = ['1h', '6h', '24h', '7d'] as const;
export type ChartRangePresetId = (typeof CHART_RANGE_PRESETS)[number];

export const CHART_RANGE_LABELS: Readonly<Record<ChartRangePresetId, string>> = {
  '1h': 'Last hour',
  '6h': 'Last 6 hours',
  '24h': 'Last 24 hours',
  '7d': 'Last 7 days',
};

export const CHART_RANGE_SECONDS: Readonly<Record<ChartRangePresetId, number>> = {
  '1h': 3_600,
  '6h': 6 * 3_600,
  '24h': 24 * 3_600,
  '7d': 7 * 24 * 3_600,
};

/** A custom range is at least this long: shorter holds too few samples to chart. */
export const MIN_CUSTOM_RANGE_SECONDS = 5 * 60;
/** And at most this long: longer than Prometheus keeps by default (15 d) is mostly empty, and costly to ask. */
export const MAX_CUSTOM_RANGE_SECONDS = 31 * 24 * 3_600;
/** Clocks differ: an end this far in the future is still "now". */
const FUTURE_SKEW_SECONDS = 5 * 60;

/** Unix seconds; a 32-bit-safe bound keeps a pasted huge number a field message, not a crash. */
const unixSeconds = (what: string) =>
  z
    .number(`${what} must be a time`)
    .int(`${what} must be whole seconds`)
    .min(0, `${what} must be after 1970`)
    .max(4_102_444_800, `${what} must be before 2100`);

export const customChartRange = z
  .object({ start: unixSeconds('Start'), end: unixSeconds('End') })
  .superRefine((range, ctx) => {
    if (range.end <= range.start) {
      ctx.addIssue({ code: 'custom', path: ['end'], message: 'End must be after start' });
      return;
    }
    const span = range.end - range.start;
    if (span < MIN_CUSTOM_RANGE_SECONDS) {
      ctx.addIssue({ code: 'custom', path: ['end'], message: 'Choose a range of at least 5 minutes' });
    } else if (span > MAX_CUSTOM_RANGE_SECONDS) {
      ctx.addIssue({ code: 'custom', path: ['start'], message: 'Choose a range of at most 31 days' });
    }
    if (range.start > Date.now() / 1000 + FUTURE_SKEW_SECONDS) {
      ctx.addIssue({ code: 'custom', path: ['start'], message: 'Start must not be in the future' });
    }
  });
export type CustomChartRange = z.infer<typeof customChartRange>;

export const chartRange = z.union([z.object({ preset: z.enum(CHART_RANGE_PRESETS, 'Choose a time range') }), customChartRange], 'Choose a time range');
export type ChartRange = z.infer<typeof chartRange>;

const MAX_CHART_ID = 100;
/** Breakdown names are label names (`node`, `gpu`, `modelName`). */
const MAX_BREAKDOWN = 63;

export const chartId = z
  .string()
  .min(1, 'Choose a chart')
  .max(MAX_CHART_ID, `A chart id has at most ${MAX_CHART_ID} characters`)
  .regex(/^[A-Za-z0-9_.-]+$/, 'A chart id holds letters, digits, ".", "-" and "_"');

export const metricChartInput = clusterRef.extend({
  chartId,
  range: chartRange,
  /** One of the chart's `breakdowns`; the chart's default series without it. */
  breakdown: z
    .string()
    .min(1, 'Choose a breakdown')
    .max(MAX_BREAKDOWN, `A breakdown has at most ${MAX_BREAKDOWN} characters`)
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'A breakdown is a label name')
    .optional(),
});
export type MetricChartInput = z.infer<typeof metricChartInput>;
