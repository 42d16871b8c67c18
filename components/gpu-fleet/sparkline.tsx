/**
 * A tiny inline SVG line for a table cell or a card: 24 hours at a glance. Drawn by hand,
 * not with recharts, so the GPU Fleet page does not load the chart library (issue 12:
 * recharts only where charts are). Gaps in the data are gaps in the line. The label says
 * the first and last values for screen readers: colour is never the only carrier.
 */
export interface SparklineProps {
  /** Values in time order; null is a gap. */
  values: readonly (number | null)[];
  /** Accessible description, e.g. "Allocated GPUs over 24 h: 12 → 14". */
  label: string;
  /** Fixed top of the scale (e.g. 100 for a percentage); the data's maximum otherwise. */
  max?: number;
  width?: number;
  height?: number;
  className?: string;
}

export function Sparkline({ values, label, max, width = 96, height = 24, className }: SparklineProps) {
  const numbers = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (numbers.length === 0) {
    return (
      <span className="text-xs text-zinc-500" aria-label={label}>
        no history
      </span>
    );
  }
  const top = Math.max(max ?? 0, ...numbers, 1);
  const step = values.length > 1 ? width / (values.length - 1) : 0;
  const y = (v: number) => height - 1 - (v / top) * (height - 2);
  const segments: string[] = [];
  let current = '';
  values.forEach((v, i) => {
    if (v === null || !Number.isFinite(v)) {
      if (current) segments.push(current);
      current = '';
      return;
    }
    current += `${current ? 'L' : 'M'}${(i * step).toFixed(1)},${y(v).toFixed(1)}`;
  });
  if (current) segments.push(current);
  let lastIndex = values.length - 1;
  while (lastIndex > 0 && (values[lastIndex] === null || !Number.isFinite(values[lastIndex]))) lastIndex--;
  const last = values[lastIndex] ?? 0;
  return (
    <svg role="img" aria-label={label} width={width} height={height} viewBox={`0 0 ${width} ${height}`} className={className ?? 'text-indigo-600 dark:text-indigo-400'}>
      <title>{label}</title>
      {segments.map((d, i) => (
        <path key={i} d={d} fill="none" stroke="currentColor" strokeWidth={1.5} strokeLinejoin="round" strokeLinecap="round" />
      ))}
      <circle cx={lastIndex * step} cy={y(last)} r={2} fill="currentColor" />
    </svg>
  );
}

/** "12 → 14" over a series, for a sparkline's label. */
export function seriesSummary(values: readonly (number | null)[], format: (v: number) => string = String): string {
  const numbers = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (numbers.length === 0) return 'no history';
  return `${format(numbers[0]!)} → ${format(numbers.at(-1)!)}`;
}
