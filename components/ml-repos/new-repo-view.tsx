'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { type FormEvent, useState } from 'react';
import { repoHref } from '@/components/ml-repos/repo-format';
import { Button } from '@/components/ui/button';
import { Field, Input, Select } from '@/components/ui/field';
import { PageHeader } from '@/components/ui/page-header';
import { EmptyState, ErrorState, FormError, LoadingState } from '@/components/ui/states';
import { useSchemaForm } from '@/components/ui/use-schema-form';
import { useUnsavedChangesWarning } from '@/components/ui/use-unsaved-changes';
import { useTRPC } from '@/components/trpc/client';
import { repoLocation } from '@/lib/ml-repos';
import { createRepoInput, type CreateRepoInput, MAX_REPO_DESCRIPTION, REPO_NAME_RULE } from '@/lib/schemas/ml-repo';
import { STORAGE_KIND_LABELS } from '@/lib/storage';

interface Values {
  name: string;
  description: string;
  storageIntegrationId: number | null;
}

const BLANK: Values = { name: '', description: '', storageIntegrationId: null };

/** `/ml-repos/new`: admins and team leads create a repo on a storage integration and become its admin. */
export function NewRepoView() {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const allowed = useQuery(trpc.mlRepos.list.queryOptions({ pageSize: 1 }));
  const storage = useQuery(trpc.storage.list.queryOptions());
  const [values, setValues] = useState<Values>(BLANK);
  const create = useMutation(
    trpc.mlRepos.create.mutationOptions({
      onSuccess: (repo) => {
        void queryClient.invalidateQueries({ queryKey: trpc.mlRepos.list.queryKey() });
        router.push(repoHref(repo.name));
      },
    }),
  );
  const { fieldErrors, formError, parse, fieldChanged, formRef } = useSchemaForm(createRepoInput, create.error);
  useUnsavedChangesWarning(JSON.stringify(values) !== JSON.stringify(BLANK) && !create.isPending && !create.isSuccess);

  const set = <K extends keyof Values>(key: K, value: Values[K]) => {
    setValues((current) => ({ ...current, [key]: value }));
    fieldChanged(key);
  };
  const chosen = storage.data?.find((s) => s.id === values.storageIntegrationId);
  const name = values.name.trim();

  function submit(event: FormEvent) {
    event.preventDefault();
    const parsed = parse({ name, description: values.description, storageIntegrationId: values.storageIntegrationId ?? undefined });
    if (parsed) create.mutate(parsed as CreateRepoInput & { storageIntegrationId: number });
  }

  return (
    <>
      <nav aria-label="Breadcrumb" className="mb-2 text-sm text-zinc-500">
        <Link href="/ml-repos" className="hover:underline">
          ML repos
        </Link>{' '}
        / New
      </nav>
      <PageHeader title="New ML repo" description="A folder on a storage integration for models, artifacts and run metadata. You become its admin." />
      {allowed.isPending || storage.isPending ? (
        <LoadingState label="Loading…" />
      ) : allowed.isError ? (
        <ErrorState error={allowed.error} onRetry={() => allowed.refetch()} />
      ) : !allowed.data.canCreate ? (
        <EmptyState title="Only admins and team leads create ML repos">Ask a team lead or an admin to create one and grant you access.</EmptyState>
      ) : storage.isError ? (
        <ErrorState error={storage.error} onRetry={() => storage.refetch()} />
      ) : storage.data.length === 0 ? (
        <EmptyState title="No storage integration yet">An admin adds one under Settings → Storage; a repo lives on one.</EmptyState>
      ) : (
        <form ref={formRef} onSubmit={submit} noValidate className="max-w-2xl space-y-5">
          <Field label="Repo name" required errors={fieldErrors.name} hint={REPO_NAME_RULE}>
            {(c) => <Input {...c} value={values.name} autoComplete="off" autoFocus onChange={(e) => set('name', e.target.value)} />}
          </Field>
          <Field label="Description" errors={fieldErrors.description} hint={`Optional, at most ${MAX_REPO_DESCRIPTION} characters.`}>
            {(c) => (
              <textarea
                {...c}
                rows={3}
                value={values.description}
                onChange={(e) => set('description', e.target.value)}
                className="block w-full rounded-md border border-zinc-300 bg-white px-3 py-1.5 text-sm dark:border-zinc-700 dark:bg-zinc-900"
              />
            )}
          </Field>
          <Field label="Storage integration" required errors={fieldErrors.storageIntegrationId}>
            {(c) => (
              <Select {...c} value={values.storageIntegrationId ?? ''} onChange={(e) => set('storageIntegrationId', e.target.value ? Number(e.target.value) : null)}>
                <option value="">Choose a storage integration…</option>
                {storage.data.map((s) => (
                  <option key={s.id} value={s.id}>
                    {s.name} ({STORAGE_KIND_LABELS[s.kind]})
                  </option>
                ))}
              </Select>
            )}
          </Field>
          <p className="text-sm text-zinc-600 dark:text-zinc-400" aria-live="polite">
            Location:{' '}
            <code className="break-all" data-testid="repo-location-preview">
              {chosen ? repoLocation(chosen.rootUri, name || '<repo name>') : '<storage root>/<repo name>'}
            </code>
          </p>
          <FormError message={formError} />
          <div className="flex gap-2">
            <Button type="submit" pending={create.isPending || create.isSuccess}>
              Create ML repo
            </Button>
            <Button variant="secondary" onClick={() => router.push('/ml-repos')}>
              Cancel
            </Button>
          </div>
        </form>
      )}
    </>
  );
}
