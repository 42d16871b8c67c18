/**
 * A time series chart's data in the shapes the plot and the table both read: one row per
 * sample time, one column per series. Series are addressed by index (`s0`, `s1`…), never
 * by their names, which are free text (a node or GPU model name).
 */
import type { ChartSeries } from '@/server/metrics/types';

/** `t` in unix seconds, then each series' value (null: a gap) under its key. */
export type ChartRow = { t: number } & Record<string, number | null>;

export const seriesKey = (index: number): string => `s${index}`;

/**
 * The rows, by time. Series arrive on the same grid from the server (one point per
 * step), but a row is made for any time any series has, so nothing is dropped if not.
 */
export function chartRows(series: readonly ChartSeries[]): ChartRow[] {
  const byTime = new Map<number, ChartRow>();
  series.forEach((s, index) => {
    const key = seriesKey(index);
    for (const [time, value] of s.points) {
      let row = byTime.get(time);
      if (!row) {
        row = { t: time } as ChartRow;
        byTime.set(time, row);
      }
      row[key] = value;
    }
  });
  const rows = [...byTime.values()].sort((a, b) => a.t - b.t);
  // A series without a point at some time is a gap there, not a missing key.
  for (const row of rows) series.forEach((_, index) => (row[seriesKey(index)] ??= null));
  return rows;
}

/**
 * Colours that stay apart in light and dark mode (Okabe–Ito, safe for the common colour
 * blindnesses), then repeated with another dash pattern: series are told apart by
 * pattern and legend name too, never by colour alone.
 */
const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#7f7f7f'] as const;
const DASHES = [undefined, '6 3', '2 2', '8 3 2 3'] as const;

export interface SeriesStyle {
  color: string;
  dash: string | undefined;
}

export function seriesStyle(index: number): SeriesStyle {
  return {
    color: PALETTE[index % PALETTE.length] ?? PALETTE[0],
    dash: DASHES[Math.floor(index / PALETTE.length) % DASHES.length],
  };
}

/** Whether the chart has anything to draw: some series with some value. */
export function hasValues(series: readonly ChartSeries[]): boolean {
  return series.some((s) => s.points.some(([, value]) => value !== null));
}
