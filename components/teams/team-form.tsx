'use client';

import { type FormEvent, useState } from 'react';
import { Button } from '@/components/ui/button';
import { controlClass, Field, Input } from '@/components/ui/field';
import { FormError } from '@/components/ui/states';
import { useSchemaForm } from '@/components/ui/use-schema-form';
import { useUnsavedChangesWarning } from '@/components/ui/use-unsaved-changes';
import { type CreateTeamInput, createTeamInput, MAX_TEAM_DESCRIPTION, TEAM_NAME_RULE } from '@/lib/schemas/team';

export interface TeamFormProps {
  initial?: CreateTeamInput;
  submitLabel: string;
  pending: boolean;
  /** The failed mutation, if any: its field errors show beside the fields. */
  error: unknown;
  onSubmit: (values: CreateTeamInput) => void;
  onCancel: () => void;
}

const BLANK: CreateTeamInput = { name: '', description: '' };

/** A team's name and description, for creating one and for renaming it. */
export function TeamForm({ initial = BLANK, submitLabel, pending, error, onSubmit, onCancel }: TeamFormProps) {
  const [values, setValues] = useState<CreateTeamInput>(initial);
  const { fieldErrors, formError, parse, fieldChanged, formRef } = useSchemaForm(createTeamInput, error);
  useUnsavedChangesWarning(values.name !== initial.name || values.description !== initial.description);

  const set = (key: keyof CreateTeamInput, value: string) => {
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
      <Field label="Team name" required errors={fieldErrors.name} hint={TEAM_NAME_RULE}>
        {(c) => <Input {...c} value={values.name} autoComplete="off" onChange={(e) => set('name', e.target.value)} autoFocus />}
      </Field>
      <Field label="Description" errors={fieldErrors.description} hint={`What the team works on; at most ${MAX_TEAM_DESCRIPTION} characters.`}>
        {(c) => (
          <textarea
            {...c}
            rows={3}
            maxLength={MAX_TEAM_DESCRIPTION}
            className={controlClass(c['aria-invalid'])}
            value={values.description}
            onChange={(e) => set('description', e.target.value)}
          />
        )}
      </Field>
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
