'use client';

import { type FormEvent, useState } from 'react';
import { EnvironmentChip } from '@/components/environments/environment-chip';
import { Button } from '@/components/ui/button';
import { Field, Input, Select } from '@/components/ui/field';
import { FormError } from '@/components/ui/states';
import { Switch } from '@/components/ui/switch';
import { useSchemaForm } from '@/components/ui/use-schema-form';
import { useUnsavedChangesWarning } from '@/components/ui/use-unsaved-changes';
import { lowContrastThemes, MIN_NON_TEXT_CONTRAST } from '@/lib/color-contrast';
import {
  type EnvironmentInput,
  environmentInput,
  OPTIMIZE_FOR,
  OPTIMIZE_FOR_LABELS,
  OPTIMIZE_FOR_NOTE,
} from '@/lib/schemas/environment';

export interface EnvironmentFormProps {
  initial?: EnvironmentInput;
  submitLabel: string;
  pending: boolean;
  /** The failed mutation, if any: its field errors show beside the fields. */
  error: unknown;
  onSubmit: (values: EnvironmentInput) => void;
  onCancel: () => void;
}

const BLANK: EnvironmentInput = { name: '', color: '#6366f1', isProduction: false, optimizeFor: 'cost' };
const HEX = /^#[0-9a-fA-F]{6}$/;

export const PRODUCTION_MEANS =
  'Marked with a Production badge wherever it appears; its clusters come first among those needing attention; deleting it asks for its name to be typed.';

export function EnvironmentForm({ initial = BLANK, submitLabel, pending, error, onSubmit, onCancel }: EnvironmentFormProps) {
  const [values, setValues] = useState<EnvironmentInput>(initial);
  const { fieldErrors, formError, parse, fieldChanged, formRef } = useSchemaForm(environmentInput, error);
  const dirty = (Object.keys(initial) as (keyof EnvironmentInput)[]).some((key) => values[key] !== initial[key]);
  useUnsavedChangesWarning(dirty);

  const set = <K extends keyof EnvironmentInput>(key: K, value: EnvironmentInput[K]) => {
    setValues((current) => ({ ...current, [key]: value }));
    fieldChanged(key);
  };

  function submit(event: FormEvent) {
    event.preventDefault();
    const parsed = parse(values);
    if (parsed) onSubmit(parsed);
  }

  const validColor = HEX.test(values.color);
  const lowContrast = validColor ? lowContrastThemes(values.color) : [];

  return (
    <form ref={formRef} onSubmit={submit} noValidate className="space-y-4">
      <Field label="Name" required errors={fieldErrors.name} hint="Lower-case letters, digits and -, e.g. dev, prod, team-ml">
        {(c) => <Input {...c} value={values.name} onChange={(e) => set('name', e.target.value)} autoFocus />}
      </Field>
      <Field label="Colour" required errors={fieldErrors.color} hint="Hex, e.g. #22c55e. Chip text is black or white, whichever reads better.">
        {(c) => (
          <div className="flex items-center gap-2">
            <input
              type="color"
              aria-hidden
              tabIndex={-1}
              className="h-9 w-10 shrink-0 rounded border border-zinc-300 dark:border-zinc-700"
              value={validColor ? values.color : '#000000'}
              onChange={(e) => set('color', e.target.value)}
            />
            <Input {...c} value={values.color} onChange={(e) => set('color', e.target.value)} />
            {validColor && (
              <span className="shrink-0" aria-label="Preview">
                <EnvironmentChip name={values.name.trim().slice(0, 32) || 'preview'} color={values.color} />
              </span>
            )}
          </div>
        )}
      </Field>
      {lowContrast.length > 0 && (
        <p role="status" data-testid="contrast-warning" className="rounded-md border border-amber-300 bg-amber-50 p-2 text-xs text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-200">
          Low contrast: this colour is hard to tell from the page in the{' '}
          {lowContrast.map((t) => `${t.theme} theme (${t.ratio.toFixed(1)}:1)`).join(' and the ')}; {MIN_NON_TEXT_CONTRAST}:1 is the
          minimum to see a chip at a glance. Chips get a thin edge, but a {lowContrast[0]?.theme === 'light' ? 'darker' : 'lighter'} colour
          reads better.
        </p>
      )}
      <Field label="Optimise for" errors={fieldErrors.optimizeFor} hint={OPTIMIZE_FOR_NOTE}>
        {(c) => (
          <Select {...c} value={values.optimizeFor} onChange={(e) => set('optimizeFor', e.target.value as EnvironmentInput['optimizeFor'])}>
            {OPTIMIZE_FOR.map((o) => (
              <option key={o} value={o}>
                {OPTIMIZE_FOR_LABELS[o]}
              </option>
            ))}
          </Select>
        )}
      </Field>
      <div className="flex items-center justify-between gap-3 rounded-md border border-zinc-200 p-3 dark:border-zinc-800">
        <div>
          <p className="text-sm font-medium">Production</p>
          <p className="text-xs text-zinc-500 dark:text-zinc-400">{PRODUCTION_MEANS}</p>
        </div>
        <Switch label="Production" checked={values.isProduction} onChange={(isProduction) => set('isProduction', isProduction)} />
      </div>
      <FormError message={formError} />
      <div className="flex justify-end gap-2">
        <Button variant="secondary" onClick={onCancel}>
          Cancel
        </Button>
        <Button type="submit" pending={pending}>
          {submitLabel}
        </Button>
      </div>
    </form>
  );
}
