'use client';

import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Button } from '@/components/ui/button';
import { Field, Input } from '@/components/ui/field';
import { FormError } from '@/components/ui/states';
import { useSchemaForm } from '@/components/ui/use-schema-form';
import { useUnsavedChangesWarning } from '@/components/ui/use-unsaved-changes';
import { type ChangePasswordInput, changePasswordInput } from '@/lib/schemas/auth';
import { useTRPC } from '@/components/trpc/client';

const BLANK: ChangePasswordInput = { currentPassword: '', newPassword: '' };

export function ChangePasswordForm() {
  const trpc = useTRPC();
  const [values, setValues] = useState<ChangePasswordInput>(BLANK);
  const change = useMutation(trpc.auth.changePassword.mutationOptions({ onSuccess: () => setValues(BLANK) }));
  const { fieldErrors, formError, parse, fieldChanged, formRef } = useSchemaForm(changePasswordInput, change.error);
  useUnsavedChangesWarning(values.currentPassword !== '' || values.newPassword !== '');

  const set = (key: keyof ChangePasswordInput, value: string) => {
    setValues((current) => ({ ...current, [key]: value }));
    fieldChanged(key);
  };

  function submit(event: FormEvent) {
    event.preventDefault();
    const parsed = parse(values);
    if (parsed) change.mutate(parsed);
  }

  return (
    <form ref={formRef} onSubmit={submit} noValidate className="max-w-sm space-y-4">
      <Field label="Current password" errors={fieldErrors.currentPassword}>
        {(c) => (
          <Input {...c} type="password" autoComplete="current-password" value={values.currentPassword} onChange={(e) => set('currentPassword', e.target.value)} />
        )}
      </Field>
      <Field label="New password" errors={fieldErrors.newPassword} hint="At least 12 characters. Your other sessions are signed out.">
        {(c) => <Input {...c} type="password" autoComplete="new-password" value={values.newPassword} onChange={(e) => set('newPassword', e.target.value)} />}
      </Field>
      <FormError message={formError} />
      {change.isSuccess && (
        <p role="status" className="text-sm text-green-700 dark:text-green-400">
          Password changed. Other sessions were signed out.
        </p>
      )}
      <Button type="submit" pending={change.isPending}>
        Change password
      </Button>
    </form>
  );
}
