'use client';

import { type FormEvent, useState } from 'react';
import { Button } from '@/components/ui/button';
import { Field, Input, Select } from '@/components/ui/field';
import { FormError } from '@/components/ui/states';
import { Switch } from '@/components/ui/switch';
import { useSchemaForm } from '@/components/ui/use-schema-form';
import { useUnsavedChangesWarning } from '@/components/ui/use-unsaved-changes';
import { ALERT_CONDITIONS } from '@/lib/alerts';
import { type RuleFormValues, type RuleInput, ruleInput } from '@/lib/schemas/alerts';
import { CONDITION_HINTS, CONDITION_LABELS } from './words';

export interface RuleFormProps {
  initial?: RuleFormValues;
  environments: { id: number; name: string }[];
  channels: { id: number; name: string; enabled: boolean }[];
  submitLabel: string;
  pending: boolean;
  error: unknown;
  onSubmit: (values: RuleInput) => void;
  onCancel: () => void;
}

const BLANK: RuleFormValues = { name: '', environmentId: null, condition: 'disconnected', forMinutes: 5, channelIds: [], enabled: true };

export function RuleForm({ initial = BLANK, environments, channels, submitLabel, pending, error, onSubmit, onCancel }: RuleFormProps) {
  const [values, setValues] = useState<RuleFormValues>(initial);
  const [minutesText, setMinutesText] = useState(String(initial.forMinutes));
  const { fieldErrors, formError, parse, fieldChanged, formRef } = useSchemaForm(ruleInput, error);
  useUnsavedChangesWarning(JSON.stringify({ ...values, forMinutes: minutesText }) !== JSON.stringify({ ...initial, forMinutes: String(initial.forMinutes) }));

  const set = <K extends keyof RuleFormValues>(key: K, value: RuleFormValues[K]) => {
    setValues((current) => ({ ...current, [key]: value }));
    fieldChanged(key);
  };
  const toggleChannel = (id: number, on: boolean) =>
    set('channelIds', on ? [...values.channelIds, id] : values.channelIds.filter((channelId) => channelId !== id));

  const takesMinutes = values.condition === 'disconnected';

  function submit(event: FormEvent) {
    event.preventDefault();
    const forMinutes = takesMinutes ? (minutesText.trim() === '' ? Number.NaN : Number(minutesText)) : 0;
    const parsed = parse({ ...values, forMinutes });
    if (parsed) onSubmit(parsed);
  }

  return (
    <form ref={formRef} onSubmit={submit} noValidate className="space-y-4">
      <Field label="Name" required errors={fieldErrors.name} hint="Up to 64 characters, e.g. prod-disconnected">
        {(c) => <Input {...c} value={values.name} onChange={(e) => set('name', e.target.value)} autoFocus />}
      </Field>
      <Field label="Environment" errors={fieldErrors.environmentId} hint="The rule watches every cluster carrying it.">
        {(c) => (
          <Select
            {...c}
            value={values.environmentId === null ? '' : String(values.environmentId)}
            onChange={(e) => set('environmentId', e.target.value === '' ? null : Number(e.target.value))}
          >
            <option value="">All clusters</option>
            {environments.map((env) => (
              <option key={env.id} value={env.id}>
                {env.name}
              </option>
            ))}
          </Select>
        )}
      </Field>
      <Field label="Condition" errors={fieldErrors.condition} hint={CONDITION_HINTS[values.condition]}>
        {(c) => (
          <Select {...c} value={values.condition} onChange={(e) => set('condition', e.target.value as RuleFormValues['condition'])}>
            {ALERT_CONDITIONS.map((condition) => (
              <option key={condition} value={condition}>
                {CONDITION_LABELS[condition]}
              </option>
            ))}
          </Select>
        )}
      </Field>
      {takesMinutes && (
        <Field label="For minutes" required errors={fieldErrors.forMinutes} hint="0 to 10,080 (a week). Checked every minute.">
          {(c) => (
            <Input
              {...c}
              type="number"
              inputMode="numeric"
              min={0}
              max={10_080}
              value={minutesText}
              onChange={(e) => {
                setMinutesText(e.target.value);
                fieldChanged('forMinutes');
              }}
            />
          )}
        </Field>
      )}
      <fieldset className="space-y-2" aria-invalid={Boolean(fieldErrors.channelIds)} aria-describedby={fieldErrors.channelIds ? 'rule-channels-error' : undefined}>
        <legend className="text-sm font-medium text-zinc-800 dark:text-zinc-200">
          Send to<span className="text-red-600" aria-hidden> *</span>
        </legend>
        {channels.length === 0 ? (
          <p className="text-xs text-zinc-500 dark:text-zinc-400">Create a channel first.</p>
        ) : (
          channels.map((channel) => (
            <label key={channel.id} className="flex items-center gap-2 text-sm">
              <input type="checkbox" checked={values.channelIds.includes(channel.id)} onChange={(e) => toggleChannel(channel.id, e.target.checked)} />
              <span className="break-all">{channel.name}</span>
              {!channel.enabled && <span className="text-xs text-zinc-500">(disabled)</span>}
            </label>
          ))
        )}
        {fieldErrors.channelIds?.[0] && (
          <p id="rule-channels-error" role="alert" className="text-xs font-medium text-red-600 dark:text-red-400">
            {fieldErrors.channelIds[0]}
          </p>
        )}
      </fieldset>
      <div className="flex items-center justify-between gap-3 rounded-md border border-zinc-200 p-3 dark:border-zinc-800">
        <p className="text-sm">Enabled</p>
        <Switch label="Enabled" checked={values.enabled} onChange={(enabled) => set('enabled', enabled)} />
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
