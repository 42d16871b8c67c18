'use client';
/**
 * New credentials for an integration, of its kind. The old ones are never shown (they
 * cannot be read back); what is typed here replaces them, and the last test is cleared.
 */
import { type FormEvent, useState } from 'react';
import { Button } from '@/components/ui/button';
import { controlClass, Field, Input } from '@/components/ui/field';
import { FormError } from '@/components/ui/states';
import { useSchemaForm } from '@/components/ui/use-schema-form';
import { MAX_SERVICE_ACCOUNT_KEY, replaceStorageCredentialsInput, type ReplaceStorageCredentialsInput } from '@/lib/schemas/storage';
import type { StorageKind } from '@/lib/storage';

export interface ReplaceCredentialsFormProps {
  integration: { id: number; kind: StorageKind; roleArn?: string };
  pending: boolean;
  error: unknown;
  onSubmit: (input: ReplaceStorageCredentialsInput) => void;
  onCancel: () => void;
}

const SECRET_INPUT = { type: 'password', autoComplete: 'new-password', spellCheck: false } as const;

export function ReplaceCredentialsForm({ integration, pending, error, onSubmit, onCancel }: ReplaceCredentialsFormProps) {
  const { kind } = integration;
  const [values, setValues] = useState({ accessKeyId: '', secretAccessKey: '', roleArn: integration.roleArn ?? '', serviceAccountKey: '', connectionString: '' });
  const { fieldErrors, formError, parse, fieldChanged, formRef } = useSchemaForm(replaceStorageCredentialsInput, error);
  const set = (key: keyof typeof values, value: string) => {
    setValues((current) => ({ ...current, [key]: value }));
    fieldChanged(key);
  };

  function submit(event: FormEvent) {
    event.preventDefault();
    const input =
      kind === 's3'
        ? { id: integration.id, kind, accessKeyId: values.accessKeyId, secretAccessKey: values.secretAccessKey, roleArn: values.roleArn }
        : kind === 's3-compatible'
          ? { id: integration.id, kind, accessKeyId: values.accessKeyId, secretAccessKey: values.secretAccessKey }
          : kind === 'gcs'
            ? { id: integration.id, kind, serviceAccountKey: values.serviceAccountKey }
            : { id: integration.id, kind, connectionString: values.connectionString };
    const parsed = parse(input);
    if (parsed) onSubmit(parsed);
  }

  return (
    <form ref={formRef} onSubmit={submit} noValidate autoComplete="off" className="space-y-4">
      {(kind === 's3' || kind === 's3-compatible') && (
        <>
          <Field label="Access key ID" required={kind === 's3-compatible'} errors={fieldErrors.accessKeyId}>
            {(c) => <Input {...c} autoComplete="off" spellCheck={false} value={values.accessKeyId} onChange={(e) => set('accessKeyId', e.target.value)} autoFocus />}
          </Field>
          <Field label="Secret access key" required={kind === 's3-compatible'} errors={fieldErrors.secretAccessKey}>
            {(c) => <Input {...c} {...SECRET_INPUT} value={values.secretAccessKey} onChange={(e) => set('secretAccessKey', e.target.value)} />}
          </Field>
        </>
      )}
      {kind === 's3' && (
        <Field label="Role ARN to assume" errors={fieldErrors.roleArn} hint="Optional. Without an access key, the server's own AWS identity assumes it.">
          {(c) => <Input {...c} autoComplete="off" spellCheck={false} value={values.roleArn} onChange={(e) => set('roleArn', e.target.value)} />}
        </Field>
      )}
      {kind === 'gcs' && (
        <Field label="Service-account key JSON" required errors={fieldErrors.serviceAccountKey}>
          {(c) => (
            <textarea
              {...c}
              rows={5}
              maxLength={MAX_SERVICE_ACCOUNT_KEY}
              autoComplete="off"
              spellCheck={false}
              className={`${controlClass(c['aria-invalid'])} font-mono text-xs [-webkit-text-security:disc]`}
              value={values.serviceAccountKey}
              onChange={(e) => set('serviceAccountKey', e.target.value)}
              autoFocus
            />
          )}
        </Field>
      )}
      {kind === 'azure-blob' && (
        <Field label="Connection string" required errors={fieldErrors.connectionString}>
          {(c) => <Input {...c} {...SECRET_INPUT} value={values.connectionString} onChange={(e) => set('connectionString', e.target.value)} autoFocus />}
        </Field>
      )}
      <FormError message={formError ?? fieldErrors.kind?.[0] ?? null} />
      <div className="flex justify-end gap-2">
        <Button variant="secondary" onClick={onCancel}>
          Cancel
        </Button>
        <Button type="submit" pending={pending}>
          Replace credentials
        </Button>
      </div>
    </form>
  );
}
