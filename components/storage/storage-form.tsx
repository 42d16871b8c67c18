'use client';
/**
 * A new storage integration: the kind decides the fields (one zod schema per kind, the
 * same the server parses). Secrets go in password inputs the browser neither fills nor
 * remembers; they are sent once and never shown again.
 */
import { type FormEvent, useState } from 'react';
import { Button } from '@/components/ui/button';
import { controlClass, Field, Input, Select } from '@/components/ui/field';
import { FormError } from '@/components/ui/states';
import { useSchemaForm } from '@/components/ui/use-schema-form';
import { useUnsavedChangesWarning } from '@/components/ui/use-unsaved-changes';
import { AWS_REGIONS, createStorageIntegrationInput, type CreateStorageIntegrationInput, MAX_SERVICE_ACCOUNT_KEY } from '@/lib/schemas/storage';
import { STORAGE_KIND_LABELS, STORAGE_KINDS, type StorageKind } from '@/lib/storage';

type FieldName = 'name' | 'rootUri' | 'region' | 'endpoint' | 'accessKeyId' | 'secretAccessKey' | 'roleArn' | 'serviceAccountKey' | 'connectionString';
type Values = Record<FieldName, string>;

const BLANK: Values = {
  name: '',
  rootUri: '',
  region: 'us-east-1',
  endpoint: '',
  accessKeyId: '',
  secretAccessKey: '',
  roleArn: '',
  serviceAccountKey: '',
  connectionString: '',
};

/** What each kind sends besides name and root. */
const KIND_FIELDS: Record<StorageKind, FieldName[]> = {
  s3: ['region', 'accessKeyId', 'secretAccessKey', 'roleArn'],
  gcs: ['serviceAccountKey'],
  'azure-blob': ['connectionString'],
  's3-compatible': ['endpoint', 'accessKeyId', 'secretAccessKey'],
};

export const ROOT_EXAMPLES: Record<StorageKind, string> = {
  s3: 's3://bucket/prefix',
  gcs: 'gs://bucket/prefix',
  'azure-blob': 'https://<account>.blob.core.windows.net/<container>/<prefix>',
  's3-compatible': 's3://bucket/prefix',
};

/** The input for `kind` from the form's values: only that kind's fields. */
function inputFor(kind: StorageKind, values: Values): Record<string, string> {
  const input: Record<string, string> = { kind, name: values.name, rootUri: values.rootUri };
  for (const field of KIND_FIELDS[kind]) input[field] = values[field];
  return input;
}

export interface StorageFormProps {
  pending: boolean;
  /** The failed mutation, if any: its field errors show beside the fields. */
  error: unknown;
  onSubmit: (input: CreateStorageIntegrationInput) => void;
  onCancel: () => void;
}

/** Props every secret input shares: hidden as typed, never autofilled or saved by the browser. */
const SECRET_INPUT = { type: 'password', autoComplete: 'new-password', spellCheck: false, 'data-1p-ignore': true } as const;

export function StorageForm({ pending, error, onSubmit, onCancel }: StorageFormProps) {
  const [kind, setKind] = useState<StorageKind>('s3-compatible');
  const [values, setValues] = useState<Values>(BLANK);
  const { fieldErrors, formError, parse, fieldChanged, formRef } = useSchemaForm(createStorageIntegrationInput, error);
  useUnsavedChangesWarning(Object.entries(values).some(([key, value]) => value !== BLANK[key as FieldName]));

  const set = (key: FieldName, value: string) => {
    setValues((current) => ({ ...current, [key]: value }));
    fieldChanged(key);
  };
  const text =
    (key: FieldName, props: { placeholder?: string; secret?: boolean } = {}) =>
    (c: { id: string; 'aria-invalid': boolean; 'aria-describedby': string | undefined }) => (
      <Input
        {...c}
        {...(props.secret ? SECRET_INPUT : { autoComplete: 'off', spellCheck: false })}
        name={key}
        placeholder={props.placeholder}
        value={values[key]}
        onChange={(e) => set(key, e.target.value)}
      />
    );

  function submit(event: FormEvent) {
    event.preventDefault();
    const parsed = parse(inputFor(kind, values));
    if (parsed) onSubmit(parsed);
  }

  return (
    <form ref={formRef} onSubmit={submit} noValidate autoComplete="off" className="space-y-4">
      <Field label="Kind" required errors={fieldErrors.kind}>
        {(c) => (
          <Select {...c} value={kind} onChange={(e) => (setKind(e.target.value as StorageKind), fieldChanged('kind'))}>
            {STORAGE_KINDS.map((k) => (
              <option key={k} value={k}>
                {STORAGE_KIND_LABELS[k]}
              </option>
            ))}
          </Select>
        )}
      </Field>
      <Field label="Name" required errors={fieldErrors.name} hint="3–63 characters, shown where ML repos pick their storage.">
        {text('name', { placeholder: 'team-artifacts' })}
      </Field>
      {kind === 's3-compatible' && (
        <Field label="Endpoint URL" required errors={fieldErrors.endpoint} hint="The server's http(s) address; buckets are addressed path-style.">
          {text('endpoint', { placeholder: 'https://minio.example.com:9000' })}
        </Field>
      )}
      <Field label="Root URI" required errors={fieldErrors.rootUri} hint={`Where repos are stored: ${ROOT_EXAMPLES[kind]}`}>
        {text('rootUri', { placeholder: ROOT_EXAMPLES[kind] })}
      </Field>
      {kind === 's3' && (
        <Field label="Region" required errors={fieldErrors.region}>
          {(c) => (
            <Select {...c} value={values.region} onChange={(e) => set('region', e.target.value)}>
              {AWS_REGIONS.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </Select>
          )}
        </Field>
      )}
      {(kind === 's3' || kind === 's3-compatible') && (
        <>
          <Field label="Access key ID" required={kind === 's3-compatible'} errors={fieldErrors.accessKeyId}>
            {text('accessKeyId')}
          </Field>
          <Field label="Secret access key" required={kind === 's3-compatible'} errors={fieldErrors.secretAccessKey} hint="Write-only: it is never shown again.">
            {text('secretAccessKey', { secret: true })}
          </Field>
        </>
      )}
      {kind === 's3' && (
        <Field
          label="Role ARN to assume"
          errors={fieldErrors.roleArn}
          hint="Optional. Without an access key, the server's own AWS identity assumes it."
        >
          {text('roleArn', { placeholder: 'arn:aws:iam::123456789012:role/fleetdeck-storage' })}
        </Field>
      )}
      {kind === 'gcs' && (
        <Field
          label="Service-account key JSON"
          required
          errors={fieldErrors.serviceAccountKey}
          hint="Paste the key file from IAM → Service accounts → Keys. Write-only: it is never shown again."
        >
          {(c) => (
            <textarea
              {...c}
              name="serviceAccountKey"
              rows={5}
              maxLength={MAX_SERVICE_ACCOUNT_KEY}
              autoComplete="off"
              spellCheck={false}
              className={`${controlClass(c['aria-invalid'])} font-mono text-xs [-webkit-text-security:disc]`}
              value={values.serviceAccountKey}
              onChange={(e) => set('serviceAccountKey', e.target.value)}
            />
          )}
        </Field>
      )}
      {kind === 'azure-blob' && (
        <Field
          label="Connection string"
          required
          errors={fieldErrors.connectionString}
          hint={'From the storage account\u2019s "Access keys" page. Write-only: it is never shown again.'}
        >
          {text('connectionString', { secret: true })}
        </Field>
      )}
      <FormError message={formError} />
      <div className="flex justify-end gap-2">
        <Button variant="secondary" onClick={onCancel}>
          Cancel
        </Button>
        <Button type="submit" pending={pending}>
          Create integration
        </Button>
      </div>
    </form>
  );
}
