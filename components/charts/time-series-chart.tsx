'use client';

/**
 * The one chart wrapper (STYLE.md habit 7): a feature hands it a chart's series, unit and
 * kind; it draws them with units on the axis and in the tooltip, a legend, and a "Show as
 * table" view of the same numbers for readers who cannot tell colours apart or use a
 * screen reader. recharts is loaded only when a plot is drawn (next/dynamic), so pages
 * that import this file but chart nothing, and pages that never import it, do not pay
 * for it.
 */
import dynamic from 'next/dynamic';
import { useMemo, useState } from 'react';
import { Button } from '@/components/ui/button';
import type { ChartSeries, MetricChartSpec, MetricUnit } from '@/server/metrics/types';
import { chartRows, hasValues, seriesKey } from './chart-data';
import { formatSampleTime, formatValue, UNIT_LABELS } from './units';

export interface TimeSeriesChartProps {
  /** What the chart shows, for its accessible name. */
  title: string;
  unit: MetricUnit;
  kind: MetricChartSpec['kind'];
  series: readonly ChartSeries[];
  /** The range shown, unix seconds. */
  start: number;
  end: number;
}

/** The plot's box while recharts loads: the same height, so nothing jumps. */
export function ChartSkeleton({ label = 'Loading chart…' }: { label?: string }) {
  return (
    <div role="status" className="flex h-60 items-center justify-center rounded-md bg-zinc-100 text-xs text-zinc-500 motion-safe:animate-pulse dark:bg-zinc-900">
      {label}
    </div>
  );
}

const TimeSeriesPlot = dynamic(() => import('./time-series-plot'), { ssr: false, loading: () => <ChartSkeleton /> });

export function TimeSeriesChart(props: TimeSeriesChartProps) {
  const [asTable, setAsTable] = useState(false);
  if (!hasValues(props.series)) {
    return (
      <p className="flex h-60 items-center justify-center rounded-md border border-dashed border-zinc-300 text-sm text-zinc-500 dark:border-zinc-700">
        No data in this range
      </p>
    );
  }
  return (
    <div className="space-y-2">
      <div className="flex justify-end">
        <Button variant="ghost" size="sm" aria-pressed={asTable} onClick={() => setAsTable((shown) => !shown)}>
          {asTable ? 'Show as chart' : 'Show as table'}
        </Button>
      </div>
      {asTable ? <SeriesTable {...props} /> : <TimeSeriesPlot {...props} />}
    </div>
  );
}

const TABLE_PAGE_ROWS = 50;

/** The chart's numbers: one row per sample time (newest first), one column per series, each value with its unit. */
function SeriesTable({ title, unit, series }: TimeSeriesChartProps) {
  const rows = useMemo(() => chartRows(series).reverse(), [series]);
  const [page, setPage] = useState(1);
  const pageCount = Math.max(1, Math.ceil(rows.length / TABLE_PAGE_ROWS));
  const current = Math.min(page, pageCount);
  const shown = rows.slice((current - 1) * TABLE_PAGE_ROWS, current * TABLE_PAGE_ROWS);
  return (
    <div className="space-y-2">
      <div className="max-h-96 max-w-full overflow-auto rounded-md border border-zinc-200 dark:border-zinc-800">
        <table aria-label={`${title} (${UNIT_LABELS[unit]})`} className="min-w-full text-xs tabular-nums">
          <thead className="sticky top-0 bg-zinc-50 dark:bg-zinc-900">
            <tr>
              <th scope="col" className="px-2 py-1.5 text-left font-medium whitespace-nowrap">
                Time (UTC)
              </th>
              {series.map((s, index) => (
                <th key={seriesKey(index)} scope="col" className="px-2 py-1.5 text-right font-medium whitespace-nowrap">
                  {s.name}
                </th>
              ))}
            </tr>
          </thead>
          <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800">
            {shown.map((row) => (
              <tr key={row.t}>
                <th scope="row" className="px-2 py-1 text-left font-normal whitespace-nowrap">
                  {formatSampleTime(row.t)}
                </th>
                {series.map((_, index) => (
                  <td key={seriesKey(index)} className="px-2 py-1 text-right whitespace-nowrap">
                    {formatValue(row[seriesKey(index)] ?? null, unit)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {pageCount > 1 && (
        <nav aria-label={`Pages of ${title}`} className="flex items-center justify-end gap-2 text-xs">
          <Button variant="secondary" size="sm" disabled={current <= 1} onClick={() => setPage(current - 1)}>
            Newer
          </Button>
          <span aria-live="polite">
            Page {current} of {pageCount}
          </span>
          <Button variant="secondary" size="sm" disabled={current >= pageCount} onClick={() => setPage(current + 1)}>
            Older
          </Button>
        </nav>
      )}
    </div>
  );
}
