'use client';

/**
 * The Metrics tab's time range: the presets as toggle buttons, and Custom, which opens a
 * start/end form in UTC checked with the procedure's own schema (`customChartRange`), so
 * the form refuses what the server would, with the same words, beside the field.
 */
import { type FormEvent, useState } from 'react';
import { Button } from '@/components/ui/button';
import { controlClass, Field } from '@/components/ui/field';
import { fromUtcField, toUtcField } from '@/components/clusters/metrics-range';
import { CHART_RANGE_LABELS, CHART_RANGE_PRESETS, CHART_RANGE_SECONDS, customChartRange, type ChartRange } from '@/lib/schemas/metric-charts';

type FieldErrors = Partial<Record<'start' | 'end', string[]>>;

export function MetricsRangePicker({ range, onChange }: { range: ChartRange; onChange: (range: ChartRange) => void }) {
  const custom = !('preset' in range);
  const [editing, setEditing] = useState(false);
  return (
    <div className="space-y-2">
      <fieldset className="flex flex-wrap gap-1">
        <legend className="sr-only">Time range</legend>
        {CHART_RANGE_PRESETS.map((preset) => {
          const active = 'preset' in range && range.preset === preset;
          return (
            <Button
              key={preset}
              size="sm"
              variant={active ? 'primary' : 'secondary'}
              aria-pressed={active}
              title={CHART_RANGE_LABELS[preset]}
              onClick={() => {
                setEditing(false);
                onChange({ preset });
              }}
            >
              {preset}
            </Button>
          );
        })}
        <Button size="sm" variant={custom ? 'primary' : 'secondary'} aria-pressed={custom} aria-expanded={editing} onClick={() => setEditing((open) => !open)}>
          Custom
        </Button>
      </fieldset>
      {editing && (
        <CustomRangeForm
          initial={range}
          onApply={(next) => {
            setEditing(false);
            onChange(next);
          }}
        />
      )}
    </div>
  );
}

function CustomRangeForm({ initial, onApply }: { initial: ChartRange; onApply: (range: ChartRange) => void }) {
  const now = Math.floor(Date.now() / 1000);
  const seed = 'preset' in initial ? { start: now - CHART_RANGE_SECONDS[initial.preset], end: now } : initial;
  const [start, setStart] = useState(toUtcField(seed.start));
  const [end, setEnd] = useState(toUtcField(seed.end));
  const [errors, setErrors] = useState<FieldErrors>({});

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const startSeconds = fromUtcField(start);
    const endSeconds = fromUtcField(end);
    const missing: FieldErrors = {};
    if (startSeconds === undefined) missing.start = ['Enter a start date and time'];
    if (endSeconds === undefined) missing.end = ['Enter an end date and time'];
    if (startSeconds === undefined || endSeconds === undefined) return setErrors(missing);
    const parsed = customChartRange.safeParse({ start: startSeconds, end: endSeconds });
    if (!parsed.success) {
      const next: FieldErrors = {};
      for (const issue of parsed.error.issues) {
        const field = issue.path[0] === 'start' ? 'start' : 'end';
        next[field] = [...(next[field] ?? []), issue.message];
      }
      return setErrors(next);
    }
    setErrors({});
    onApply(parsed.data);
  };

  return (
    <form onSubmit={submit} noValidate aria-label="Custom time range" className="flex flex-wrap items-end gap-3 rounded-md border border-zinc-200 p-3 dark:border-zinc-800">
      <Field label="Start (UTC)" errors={errors.start}>
        {(control) => <input {...control} type="datetime-local" value={start} onChange={(e) => setStart(e.target.value)} className={controlClass(Boolean(errors.start))} />}
      </Field>
      <Field label="End (UTC)" errors={errors.end}>
        {(control) => <input {...control} type="datetime-local" value={end} onChange={(e) => setEnd(e.target.value)} className={controlClass(Boolean(errors.end))} />}
      </Field>
      <Button type="submit" size="sm">
        Apply
      </Button>
    </form>
  );
}
