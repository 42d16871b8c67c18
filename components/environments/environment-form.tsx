'use client';

import { type FormEvent, useState } from 'react';
import { Button } from '@/components/ui/button';
import { Field, Input, Select } from '@/components/ui/field';
import { FormError } from '@/components/ui/states';
import { Switch } from '@/components/ui/switch';
import { useSchemaForm } from '@/components/ui/use-schema-form';
import { type EnvironmentInput, environmentInput, OPTIMIZE_FOR } from '@/lib/schemas/environment';

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

export function EnvironmentForm({ initial = BLANK, submitLabel, pending, error, onSubmit, onCancel }: EnvironmentFormProps) {
  const [values, setValues] = useState<EnvironmentInput>(initial);
  const { fieldErrors, formError, parse } = useSchemaForm(environmentInput, error);

  function submit(event: FormEvent) {
    event.preventDefault();
    const parsed = parse(values);
    if (parsed) onSubmit(parsed);
  }

  return (
    <form onSubmit={submit} noValidate className="space-y-4">
      <Field label="Name" required errors={fieldErrors.name} hint="Lower-case letters, digits and -, e.g. dev, prod, team-ml">
        {(c) => <Input {...c} value={values.name} onChange={(e) => setValues({ ...values, name: e.target.value })} autoFocus />}
      </Field>
      <Field label="Colour" required errors={fieldErrors.color} hint="Hex, e.g. #22c55e">
        {(c) => (
          <div className="flex gap-2">
            <input
              type="color"
              aria-hidden
              tabIndex={-1}
              className="h-9 w-10 rounded border border-zinc-300 dark:border-zinc-700"
              value={/^#[0-9a-fA-F]{6}$/.test(values.color) ? values.color : '#000000'}
              onChange={(e) => setValues({ ...values, color: e.target.value })}
            />
            <Input {...c} value={values.color} onChange={(e) => setValues({ ...values, color: e.target.value })} />
          </div>
        )}
      </Field>
      <Field label="Optimise for" errors={fieldErrors.optimizeFor}>
        {(c) => (
          <Select
            {...c}
            value={values.optimizeFor}
            onChange={(e) => setValues({ ...values, optimizeFor: e.target.value as EnvironmentInput['optimizeFor'] })}
          >
            {OPTIMIZE_FOR.map((o) => (
              <option key={o} value={o}>
                {o === 'cost' ? 'Cost' : 'Availability'}
              </option>
            ))}
          </Select>
        )}
      </Field>
      <div className="flex items-center justify-between rounded-md border border-zinc-200 p-3 dark:border-zinc-800">
        <div>
          <p className="text-sm font-medium">Production</p>
          <p className="text-xs text-zinc-500">Production environments get stricter guardrails on access and availability.</p>
        </div>
        <Switch label="Production" checked={values.isProduction} onChange={(isProduction) => setValues({ ...values, isProduction })} />
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
