'use client';

import { type FormEvent, useState } from 'react';
import { Button } from '@/components/ui/button';
import { Field, Input, Select } from '@/components/ui/field';
import { FormError } from '@/components/ui/states';
import { useSchemaForm } from '@/components/ui/use-schema-form';
import { useUnsavedChangesWarning } from '@/components/ui/use-unsaved-changes';
import { CHANNEL_KINDS } from '@/lib/alerts';
import { type ChannelInput, channelInput } from '@/lib/schemas/alerts';
import { CHANNEL_KIND_LABELS } from './words';

export interface ChannelFormProps {
  pending: boolean;
  error: unknown;
  onSubmit: (values: ChannelInput) => void;
  onCancel: () => void;
}

const BLANK: ChannelInput = { name: '', kind: 'webhook', url: '' };

export function ChannelForm({ pending, error, onSubmit, onCancel }: ChannelFormProps) {
  const [values, setValues] = useState<ChannelInput>(BLANK);
  const { fieldErrors, formError, parse, fieldChanged, formRef } = useSchemaForm(channelInput, error);
  useUnsavedChangesWarning(values.name !== '' || values.url !== '');

  const set = <K extends keyof ChannelInput>(key: K, value: ChannelInput[K]) => {
    setValues((current) => ({ ...current, [key]: value }));
    fieldChanged(key);
  };

  function submit(event: FormEvent) {
    event.preventDefault();
    const parsed = parse(values);
    if (parsed) onSubmit(parsed);
  }

  return (
    <form ref={formRef} onSubmit={submit} noValidate className="space-y-4">
      <Field label="Name" required errors={fieldErrors.name} hint="Up to 64 characters, e.g. on-call or #gpu-alerts">
        {(c) => <Input {...c} value={values.name} onChange={(e) => set('name', e.target.value)} autoFocus />}
      </Field>
      <Field
        label="Format"
        errors={fieldErrors.kind}
        hint={
          values.kind === 'slack'
            ? 'Slack’s incoming-webhook message ({ text, blocks }).'
            : 'Fleetdeck’s JSON: event, alert, rule, cluster and a delivery id (see the README).'
        }
      >
        {(c) => (
          <Select {...c} value={values.kind} onChange={(e) => set('kind', e.target.value as ChannelInput['kind'])}>
            {CHANNEL_KINDS.map((kind) => (
              <option key={kind} value={kind}>
                {CHANNEL_KIND_LABELS[kind]}
              </option>
            ))}
          </Select>
        )}
      </Field>
      <Field
        label="Webhook URL"
        required
        errors={fieldErrors.url}
        hint="Stored encrypted and never shown again: afterwards only its host and last four characters are."
      >
        {(c) => <Input {...c} type="url" autoComplete="off" spellCheck={false} value={values.url} onChange={(e) => set('url', e.target.value)} />}
      </Field>
      <FormError message={formError} />
      <div className="flex justify-end gap-2">
        <Button variant="secondary" onClick={onCancel}>
          Cancel
        </Button>
        <Button type="submit" pending={pending}>
          Create channel
        </Button>
      </div>
    </form>
  );
}
