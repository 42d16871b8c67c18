'use client';

import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Button } from '@/components/ui/button';
import { Field, Input } from '@/components/ui/field';
import { FormError } from '@/components/ui/states';
import { useSchemaForm } from '@/components/ui/use-schema-form';
import { signInInput } from '@/lib/schemas/auth';
import { useTRPC } from '@/components/trpc/client';

export function SignInForm({ destination }: { destination: string }) {
  const trpc = useTRPC();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const signIn = useMutation(
    // A full navigation, so the server layout reads the new session cookie.
    trpc.auth.signIn.mutationOptions({ onSuccess: () => window.location.assign(destination) }),
  );
  const { fieldErrors, formError, parse, fieldChanged, formRef } = useSchemaForm(signInInput, signIn.error);

  function submit(event: FormEvent) {
    event.preventDefault();
    const parsed = parse({ email, password });
    if (parsed) signIn.mutate(parsed);
  }
  return (
    <form ref={formRef} onSubmit={submit} noValidate className="space-y-4">
      <Field label="Email" errors={fieldErrors.email}>
        {(control) => (
          <Input {...control} type="email" autoComplete="username" value={email} onChange={(e) => (setEmail(e.target.value), fieldChanged('email'))} autoFocus />
        )}
      </Field>
      <Field label="Password" errors={fieldErrors.password}>
        {(control) => (
          <Input {...control} type="password" autoComplete="current-password" value={password} onChange={(e) => (setPassword(e.target.value), fieldChanged('password'))} />
        )}
      </Field>
      <FormError message={formError} />
      <Button type="submit" className="w-full" pending={signIn.isPending}>
        Sign in
      </Button>
    </form>
  );
}
