'use client';

/** Filter controls for list views: one value, several values, or toggle chips. */
import type { ReactNode } from 'react';
import { Field, Select } from '@/components/ui/field';
import { cn } from '@/lib/cn';

/**
 * A filter where several values may be chosen: a disclosure of checkboxes, its summary
 * naming what is chosen. A value from a shared link that no longer exists still shows.
 */
export function MultiSelectFilter({
  label,
  selected,
  options,
  onToggle,
  onClear,
  noun,
}: {
  label: string;
  /** What each option's count counts, plural: `clusters`. */
  noun: string;
  selected: readonly string[];
  options: { value: string; label: string; count: number }[];
  onToggle: (value: string) => void;
  onClear: () => void;
}) {
  const known = new Set(options.map((o) => o.value));
  const all = [...options, ...selected.filter((value) => !known.has(value)).map((value) => ({ value, label: value, count: 0 }))];
  const chosen = all.filter((o) => selected.includes(o.value)).map((o) => o.label);
  return (
    <div className="text-sm">
      <span className="mb-1 block font-medium" id={`filter-${label}`}>
        {label}
      </span>
      <details className="group relative" data-filter={label}>
        <summary
          aria-describedby={`filter-${label}`}
          className="flex h-9 cursor-pointer list-none items-center justify-between gap-2 rounded-md border border-zinc-300 bg-white px-3 dark:border-zinc-700 dark:bg-zinc-900"
        >
          <span className="truncate">{chosen.length === 0 ? 'All' : chosen.join(', ')}</span>
          <span aria-hidden className="text-zinc-500">▾</span>
        </summary>
        <fieldset className="absolute z-20 mt-1 max-h-72 w-full min-w-48 overflow-auto rounded-md border border-zinc-200 bg-white p-2 shadow-lg dark:border-zinc-700 dark:bg-zinc-900">
          <legend className="sr-only">{label}</legend>
          {all.map((option) => (
            <label key={option.value} className="flex items-center gap-2 rounded px-1 py-1 hover:bg-zinc-50 dark:hover:bg-zinc-800">
              <input
                type="checkbox"
                className="size-4 accent-indigo-600"
                checked={selected.includes(option.value)}
                onChange={() => onToggle(option.value)}
              />
              <span className="min-w-0 flex-1 truncate" title={option.label}>
                {option.label}
              </span>
              {/* Out of the checkbox's name, so "Connected" never also matches "Disconnected 2". */}
              <span className="tabular-nums text-zinc-500" aria-hidden title={`${option.count} ${noun}`}>
                {option.count}
              </span>
            </label>
          ))}
          {selected.length > 0 && (
            <button type="button" className={cn('mt-1 w-full rounded px-1 py-1 text-left text-xs text-indigo-700 underline dark:text-indigo-300')} onClick={onClear}>
              Clear {label.toLowerCase()}
            </button>
          )}
        </fieldset>
      </details>
    </div>
  );
}

/** A filter with one value or All; a value from a shared link that no longer exists still shows. */
export function FilterSelect({
  label,
  value,
  options,
  onChange,
}: {
  label: string;
  value: string;
  options: { value: string; label: string }[];
  onChange: (value: string) => void;
}) {
  return (
    <Field label={label}>
      {(c) => (
        <Select {...c} value={value} onChange={(e) => onChange(e.target.value)}>
          <option value="">All</option>
          {/* A value from a shared link that no longer exists still shows, so the filter can be cleared. */}
          {value && !options.some((o) => o.value === value) && <option value={value}>{value}</option>}
          {options.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </Select>
      )}
    </Field>
  );
}

/** A row of ToggleChips under one label. */
export function ToggleGroup({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div role="group" aria-label={label} className="flex flex-wrap items-center gap-2 text-sm">
      <span className="font-medium">{label}</span>
      {children}
    </div>
  );
}

/** A filter value as a pressed/unpressed button: several may be pressed at once. */
export function ToggleChip({ pressed, label, onToggle, children }: { pressed: boolean; label: string; onToggle: () => void; children: ReactNode }) {
  return (
    <button
      type="button"
      aria-pressed={pressed}
      aria-label={label}
      onClick={onToggle}
      className={cn(
        'inline-flex h-8 items-center gap-1 rounded-full border px-2 text-xs',
        'focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-500',
        pressed
          ? 'border-indigo-600 bg-indigo-50 ring-1 ring-indigo-600 dark:bg-indigo-950'
          : 'border-zinc-300 bg-white hover:bg-zinc-50 dark:border-zinc-700 dark:bg-zinc-900 dark:hover:bg-zinc-800',
      )}
    >
      {pressed && <span aria-hidden>✓</span>}
      {children}
    </button>
  );
}
