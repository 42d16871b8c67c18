/**
 * The Metrics tab's time range as it lives in the URL (`?range=7d`, or
 * `?start=<unix s>&end=<unix s>` for a custom range), and the custom form's UTC
 * date-time fields. A range the schema refuses falls back to the last hour.
 */
import { CHART_RANGE_PRESETS, chartRange, type ChartRange, type ChartRangePresetId } from '@/lib/schemas/metric-charts';

export const DEFAULT_CHART_RANGE: ChartRange = { preset: '1h' };

export function parseChartRange(params: URLSearchParams): ChartRange {
  const preset = params.get('range');
  if (preset && (CHART_RANGE_PRESETS as readonly string[]).includes(preset)) return { preset: preset as ChartRangePresetId };
  const start = params.get('start');
  const end = params.get('end');
  if (start && end) {
    const parsed = chartRange.safeParse({ start: Number(start), end: Number(end) });
    if (parsed.success) return parsed.data;
  }
  return DEFAULT_CHART_RANGE;
}

/** `?range=…` or `?start=…&end=…`; "" for the default, so the tab's plain URL is the last hour. */
export function chartRangeQueryString(range: ChartRange): string {
  if ('preset' in range) return range.preset === '1h' ? '' : `?range=${range.preset}`;
  return `?start=${range.start}&end=${range.end}`;
}

const pad = (value: number) => String(value).padStart(2, '0');

/** A `datetime-local` field's value for a moment, in UTC ("2026-11-23T14:05"). */
export function toUtcField(unixSeconds: number): string {
  const at = new Date(unixSeconds * 1000);
  return `${at.getUTCFullYear()}-${pad(at.getUTCMonth() + 1)}-${pad(at.getUTCDate())}T${pad(at.getUTCHours())}:${pad(at.getUTCMinutes())}`;
}

/** The moment a `datetime-local` field names, read as UTC; undefined when empty or not a date. */
export function fromUtcField(value: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(value)) return undefined;
  const ms = Date.parse(`${value.length === 16 ? `${value}:00` : value}Z`);
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
}
