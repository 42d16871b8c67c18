'use client';

import { type FormEvent, useState } from 'react';
import { Button } from '@/components/ui/button';
import { Field, Input, Select } from '@/components/ui/field';
import { FormError } from '@/components/ui/states';
import { useSchemaForm } from '@/components/ui/use-schema-form';
import { useUnsavedChangesWarning } from '@/components/ui/use-unsaved-changes';
import { type CreateUserInput, createUserInput } from '@/lib/schemas/auth';

const BLANK: CreateUserInput = { email: '', name: '', role: 'member', password: '' };

export function UserForm(props: { pending: boolean; error: unknown; onSubmit: (v: CreateUserInput) => void; onCancel: () => void }) {
  const [values, setValues] = useState<CreateUserInput>(BLANK);
  const { fieldErrors, formError, parse, fieldChanged, formRef } = useSchemaForm(createUserInput, props.error);
  useUnsavedChangesWarning(values.email !== '' || values.name !== '' || values.password !== '');

  const set = <K extends keyof CreateUserInput>(key: K, value: CreateUserInput[K]) => {
    setValues((current) => ({ ...current, [key]: value }));
    fieldChanged(key);
  };

  function submit(event: FormEvent) {
    event.preventDefault();
    const parsed = parse(values);
    if (parsed) props.onSubmit(parsed);
  }

  return (
    <form ref={formRef} onSubmit={submit} noValidate className="space-y-4">
      <Field label="Email" required errors={fieldErrors.email}>
        {(c) => <Input {...c} type="email" value={values.email} onChange={(e) => set('email', e.target.value)} autoFocus />}
      </Field>
      <Field label="Name" required errors={fieldErrors.name}>
        {(c) => <Input {...c} value={values.name} onChange={(e) => set('name', e.target.value)} />}
      </Field>
      <Field label="Role" errors={fieldErrors.role}>
        {(c) => (
          <Select {...c} value={values.role} onChange={(e) => set('role', e.target.value as CreateUserInput['role'])}>
            <option value="member">Member — sees what they are granted</option>
            <option value="admin">Admin — manages the whole fleet</option>
          </Select>
        )}
      </Field>
      <Field label="Initial password" required errors={fieldErrors.password} hint="At least 12 characters. Share it privately.">
        {(c) => <Input {...c} type="password" autoComplete="new-password" value={values.password} onChange={(e) => set('password', e.target.value)} />}
      </Field>
      <FormError message={formError} />
      <div className="flex justify-end gap-2">
        <Button variant="secondary" onClick={props.onCancel}>
          Cancel
        </Button>
        <Button type="submit" pending={props.pending}>
          Create user
        </Button>
      </div>
    </form>
  );
}
