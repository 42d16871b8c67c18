'use client';

import { cn } from '@/lib/cn';

export interface SwitchProps {
  checked: boolean;
  onChange: (checked: boolean) => void;
  /** The accessible name, e.g. an addon's display name. */
  label: string;
  /** Show the label next to the switch (otherwise it is only the accessible name). */
  showLabel?: boolean;
  disabled?: boolean;
  describedBy?: string;
}

/** A toggle with role="switch": Space/Enter toggle it like any button. */
export function Switch({ checked, onChange, label, showLabel, disabled, describedBy }: SwitchProps) {
  return (
    <span className="inline-flex items-center gap-2">
      <button
        type="button"
        role="switch"
        aria-checked={checked}
        aria-label={label}
        aria-describedby={describedBy}
        disabled={disabled}
        onClick={() => onChange(!checked)}
        className={cn(
          'relative inline-flex h-5 w-9 shrink-0 items-center rounded-full transition-colors',
          'focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-500 disabled:opacity-50',
          checked ? 'bg-indigo-600' : 'bg-zinc-300 dark:bg-zinc-700',
        )}
      >
        <span
          aria-hidden
          className={cn('inline-block size-4 rounded-full bg-white shadow transition-transform', checked ? 'translate-x-4.5' : 'translate-x-0.5')}
        />
      </button>
      {showLabel && <span className="text-sm">{label}</span>}
    </span>
  );
}
