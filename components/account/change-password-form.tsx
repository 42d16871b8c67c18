'use client';

import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Button } from '@/components/ui/button';
import { Field, Input } from '@/components/ui/field';
import { errorMessage, type FieldErrors, serverFieldErrors, validateWith } from '@/lib/form-errors';
import { type ChangePasswordInput, changePasswordInput } from '@/lib/schemas/auth';
import { useTRPC } from '@/lib/trpc/react';

const BLANK: ChangePasswordInput = { currentPassword: '', newPassword: '' };

export function ChangePasswordForm() {
  const trpc = useTRPC();
  const [values, setValues] = useState<ChangePasswordInput>(BLANK);
  const [clientErrors, setClientErrors] = useState<FieldErrors>({});
  const change = useMutation(trpc.auth.changePassword.mutationOptions({ onSuccess: () => setValues(BLANK) }));
  const fieldErrors = { ...serverFieldErrors(change.error), ...clientErrors };
  const formError = change.error && !Object.keys(serverFieldErrors(change.error)).length ? errorMessage(change.error) : null;

  function submit(event: FormEvent) {
    event.preventDefault();
    const parsed = validateWith(changePasswordInput, values);
    if (!parsed.ok) return setClientErrors(parsed.fieldErrors);
    setClientErrors({});
    change.mutate(parsed.data);
  }

  return (
    <form onSubmit={submit} noValidate className="max-w-sm space-y-4">
      <Field label="Current password" errors={fieldErrors.currentPassword}>
        {(c) => (
          <Input {...c} type="password" autoComplete="current-password" value={values.currentPassword} onChange={(e) => setValues({ ...values, currentPassword: e.target.value })} />
        )}
      </Field>
      <Field label="New password" errors={fieldErrors.newPassword} hint="At least 12 characters. Your other sessions are signed out.">
        {(c) => (
          <Input {...c} type="password" autoComplete="new-password" value={values.newPassword} onChange={(e) => setValues({ ...values, newPassword: e.target.value })} />
        )}
      </Field>
      {formError && (
        <p role="alert" className="rounded-md bg-red-50 p-2 text-sm text-red-700 dark:bg-red-950 dark:text-red-300">
          {formError}
        </p>
      )}
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
