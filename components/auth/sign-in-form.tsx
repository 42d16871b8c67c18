'use client';

import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Button } from '@/components/ui/button';
import { Field, Input } from '@/components/ui/field';
import { errorMessage, type FieldErrors, serverFieldErrors, validateWith } from '@/lib/form-errors';
import { signInInput } from '@/lib/schemas/auth';
import { useTRPC } from '@/lib/trpc/react';

export function SignInForm({ destination }: { destination: string }) {
  const trpc = useTRPC();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  const signIn = useMutation(
    trpc.auth.signIn.mutationOptions({
      // A full navigation, so the server layout reads the new session cookie.
      onSuccess: () => window.location.assign(destination),
      onError: (error) => setFieldErrors(serverFieldErrors(error)),
    }),
  );

  function submit(event: FormEvent) {
    event.preventDefault();
    const parsed = validateWith(signInInput, { email, password });
    if (!parsed.ok) return setFieldErrors(parsed.fieldErrors);
    setFieldErrors({});
    signIn.mutate(parsed.data);
  }

  const formError = signIn.error && !Object.keys(serverFieldErrors(signIn.error)).length ? errorMessage(signIn.error) : null;
  return (
    <form onSubmit={submit} noValidate className="space-y-4">
      <Field label="Email" errors={fieldErrors.email}>
        {(control) => (
          <Input {...control} type="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} autoFocus />
        )}
      </Field>
      <Field label="Password" errors={fieldErrors.password}>
        {(control) => (
          <Input {...control} type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} />
        )}
      </Field>
      {formError && (
        <p role="alert" className="rounded-md bg-red-50 p-2 text-sm text-red-700 dark:bg-red-950 dark:text-red-300">
          {formError}
        </p>
      )}
      <Button type="submit" className="w-full" pending={signIn.isPending}>
        Sign in
      </Button>
    </form>
  );
}
