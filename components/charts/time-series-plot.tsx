'use client';

/**
 * The recharts part of the time series chart: loaded on demand by `TimeSeriesChart`
 * (next/dynamic), so only pages that draw a chart download recharts.
 */
import { useMemo } from 'react';
import { Area, Bar, CartesianGrid, ComposedChart, Legend, Line, Tooltip, XAxis, YAxis } from 'recharts';
import type { MetricChartSpec } from '@/server/metrics/types';
import { chartRows, seriesKey, seriesStyle } from './chart-data';
import { formatSampleTime, formatTimeTick, formatValue, UNIT_LABELS, valueDomain } from './units';
import type { TimeSeriesChartProps } from './time-series-chart';

export const PLOT_HEIGHT = 240;

export default function TimeSeriesPlot({ title, unit, kind, series, start, end }: TimeSeriesChartProps) {
  const rows = useMemo(() => chartRows(series), [series]);
  const range = end - start;
  return (
    <ComposedChart
      responsive
      data={rows}
      style={{ width: '100%', height: PLOT_HEIGHT }}
      margin={{ top: 8, right: 16, bottom: 0, left: 8 }}
      accessibilityLayer
      title={title}
    >
      <CartesianGrid strokeDasharray="3 3" className="stroke-zinc-200 dark:stroke-zinc-800" vertical={false} />
      <XAxis
        dataKey="t"
        type="number"
        scale="time"
        domain={[start, end]}
        tickFormatter={(value: number) => formatTimeTick(value, range)}
        minTickGap={32}
        tick={{ fontSize: 11 }}
        className="fill-zinc-500"
      />
      <YAxis
        domain={valueDomain(unit)}
        tickFormatter={(value: number) => formatValue(value, unit)}
        width={72}
        tick={{ fontSize: 11 }}
        label={{ value: UNIT_LABELS[unit], angle: -90, position: 'insideLeft', fontSize: 11, offset: 0 }}
      />
      <Tooltip
        labelFormatter={(label) => (typeof label === 'number' ? formatSampleTime(label) : String(label))}
        formatter={(value) => formatValue(typeof value === 'number' ? value : null, unit)}
        contentStyle={{ fontSize: 12 }}
        isAnimationActive={false}
      />
      <Legend wrapperStyle={{ fontSize: 12 }} />
      {series.map((s, index) => seriesElement(kind, index, s.name))}
    </ComposedChart>
  );
}

function seriesElement(kind: MetricChartSpec['kind'], index: number, name: string) {
  const { color, dash } = seriesStyle(index);
  const key = seriesKey(index);
  switch (kind) {
    case 'stacked-area':
      return (
        <Area
          key={key}
          dataKey={key}
          name={name}
          stackId="stack"
          type="linear"
          stroke={color}
          strokeDasharray={dash}
          fill={color}
          fillOpacity={0.25}
          isAnimationActive={false}
        />
      );
    case 'bar':
      return <Bar key={key} dataKey={key} name={name} fill={color} isAnimationActive={false} />;
    case 'line':
      return (
        <Line
          key={key}
          dataKey={key}
          name={name}
          type="linear"
          stroke={color}
          strokeDasharray={dash}
          strokeWidth={1.5}
          dot={false}
          isAnimationActive={false}
        />
      );
  }
}
