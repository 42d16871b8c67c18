'use client';

import { type FormEvent, useState } from 'react';
import { Button } from '@/components/ui/button';
import { Field, Input, Select } from '@/components/ui/field';
import { FormError } from '@/components/ui/states';
import { useSchemaForm } from '@/components/ui/use-schema-form';
import { type CreateUserInput, createUserInput } from '@/lib/schemas/auth';

export function UserForm(props: { pending: boolean; error: unknown; onSubmit: (v: CreateUserInput) => void; onCancel: () => void }) {
  const [values, setValues] = useState<CreateUserInput>({ email: '', name: '', role: 'member', password: '' });
  const { fieldErrors, formError, parse } = useSchemaForm(createUserInput, props.error);

  function submit(event: FormEvent) {
    event.preventDefault();
    const parsed = parse(values);
    if (parsed) props.onSubmit(parsed);
  }

  return (
    <form onSubmit={submit} noValidate className="space-y-4">
      <Field label="Email" required errors={fieldErrors.email}>
        {(c) => <Input {...c} type="email" value={values.email} onChange={(e) => setValues({ ...values, email: e.target.value })} autoFocus />}
      </Field>
      <Field label="Name" required errors={fieldErrors.name}>
        {(c) => <Input {...c} value={values.name} onChange={(e) => setValues({ ...values, name: e.target.value })} />}
      </Field>
      <Field label="Role" errors={fieldErrors.role}>
        {(c) => (
          <Select {...c} value={values.role} onChange={(e) => setValues({ ...values, role: e.target.value as CreateUserInput['role'] })}>
            <option value="member">Member — sees what they are granted</option>
            <option value="admin">Admin — manages the whole fleet</option>
          </Select>
        )}
      </Field>
      <Field label="Initial password" required errors={fieldErrors.password} hint="At least 12 characters. Share it privately.">
        {(c) => (
          <Input {...c} type="password" autoComplete="new-password" value={values.password} onChange={(e) => setValues({ ...values, password: e.target.value })} />
        )}
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
