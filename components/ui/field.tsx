'use client';

import { type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes, useId } from 'react';
import { cn } from '@/lib/cn';

const CONTROL =
  'block w-full rounded-md border bg-white px-3 py-1.5 text-sm text-zinc-900 shadow-xs placeholder:text-zinc-400 ' +
  'focus:outline-2 focus:outline-offset-0 focus:outline-indigo-500 dark:bg-zinc-900 dark:text-zinc-100 ' +
  'disabled:opacity-60';

export function controlClass(invalid: boolean): string {
  return cn(CONTROL, invalid ? 'border-red-500' : 'border-zinc-300 dark:border-zinc-700');
}

export interface FieldProps {
  label: string;
  /** Shown under the control; also its accessible description. */
  hint?: ReactNode;
  /** Only the first is shown: one thing to fix at a time, not messages run together. */
  errors?: string[] | undefined;
  required?: boolean;
  className?: string;
  /** Renders the control; spread the given props onto it so label, hint and error are wired. */
  children: (control: { id: string; 'aria-invalid': boolean; 'aria-describedby': string | undefined }) => ReactNode;
}

/** A labelled control with its hint and its error messages beside it. */
export function Field({ label, hint, errors, required, className, children }: FieldProps) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const error = errors?.[0];
  const errorId = error ? `${id}-error` : undefined;
  return (
    <div className={cn('space-y-1', className)}>
      <label htmlFor={id} className="block text-sm font-medium text-zinc-800 dark:text-zinc-200">
        {label}
        {required && <span className="text-red-600" aria-hidden> *</span>}
      </label>
      {children({
        id,
        'aria-invalid': Boolean(errorId),
        'aria-describedby': [errorId, hintId].filter(Boolean).join(' ') || undefined,
      })}
      {hint && (
        <p id={hintId} className="text-xs text-zinc-500 dark:text-zinc-400">
          {hint}
        </p>
      )}
      {errorId && (
        <p id={errorId} role="alert" className="text-xs font-medium break-words text-red-600 dark:text-red-400">
          {error}
        </p>
      )}
    </div>
  );
}

export function Input({ className, ...props }: InputHTMLAttributes<HTMLInputElement>) {
  return <input className={cn(controlClass(props['aria-invalid'] === true), className)} {...props} />;
}

export function Select({ className, ...props }: SelectHTMLAttributes<HTMLSelectElement>) {
  return <select className={cn(controlClass(props['aria-invalid'] === true), className)} {...props} />;
}
