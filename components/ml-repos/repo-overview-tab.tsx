'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { AccessBadge } from '@/components/ml-repos/repo-format';
import { RepoSection } from '@/components/ml-repos/repo-section';
import { useRepo } from '@/components/ml-repos/use-repo';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { FormError } from '@/components/ui/states';
import { useSchemaForm } from '@/components/ui/use-schema-form';
import { useTRPC } from '@/components/trpc/client';
import { formatInstant } from '@/lib/format-time';
import { updateRepoInput } from '@/lib/schemas/ml-repo';
import { STORAGE_KIND_LABELS } from '@/lib/storage';

/** Description, storage and location, the caller's access, and the grant counts. */
export function RepoOverviewTab({ name }: { name: string }) {
  const { data: repo } = useRepo(name);
  const [editing, setEditing] = useState(false);
  if (!repo) return null;
  return (
    <div className="grid gap-4 lg:grid-cols-2">
      <RepoSection title="About">
        {editing ? (
          <DescriptionEditor name={repo.name} initial={repo.description} onDone={() => setEditing(false)} />
        ) : (
          <div className="space-y-2">
            <p className="text-sm whitespace-pre-wrap [overflow-wrap:anywhere]">{repo.description || <span className="text-zinc-500">No description.</span>}</p>
            {repo.actions['mlRepo.update'] && (
              <Button variant="secondary" size="sm" onClick={() => setEditing(true)}>
                Edit description
              </Button>
            )}
          </div>
        )}
        <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
          <dt className="text-zinc-500">Created</dt>
          <dd>
            {formatInstant(repo.createdAt)}
            {repo.createdBy ? ` by ${repo.createdBy}` : ''}
          </dd>
          <dt className="text-zinc-500">Your access</dt>
          <dd>
            <AccessBadge access={repo.yourAccess} />
          </dd>
        </dl>
      </RepoSection>
      <RepoSection title="Storage">
        <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
          <dt className="text-zinc-500">Integration</dt>
          <dd>
            {repo.storage.name} ({STORAGE_KIND_LABELS[repo.storage.kind]})
          </dd>
          <dt className="text-zinc-500">Location</dt>
          <dd>
            <code className="break-all">{repo.location}</code>
          </dd>
          <dt className="text-zinc-500">Grants</dt>
          <dd>
            {repo.grantCount} live
            {repo.totalGrantCount > repo.grantCount ? `, ${repo.totalGrantCount - repo.grantCount} expired` : ''}
          </dd>
        </dl>
      </RepoSection>
    </div>
  );
}

function DescriptionEditor({ name, initial, onDone }: { name: string; initial: string; onDone: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [description, setDescription] = useState(initial);
  const update = useMutation(
    trpc.mlRepos.update.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries({ queryKey: trpc.mlRepos.get.queryKey({ name }) });
        onDone();
      },
    }),
  );
  const { fieldErrors, formError, parse, fieldChanged, formRef } = useSchemaForm(updateRepoInput, update.error);
  function submit(event: FormEvent) {
    event.preventDefault();
    const parsed = parse({ name, description });
    if (parsed) update.mutate(parsed);
  }
  return (
    <form ref={formRef} onSubmit={submit} noValidate className="space-y-3">
      <Field label="Description" errors={fieldErrors.description}>
        {(c) => (
          <textarea
            {...c}
            rows={3}
            value={description}
            onChange={(e) => (setDescription(e.target.value), fieldChanged('description'))}
            className="block w-full rounded-md border border-zinc-300 bg-white px-3 py-1.5 text-sm dark:border-zinc-700 dark:bg-zinc-900"
          />
        )}
      </Field>
      <FormError message={formError} />
      <div className="flex gap-2">
        <Button type="submit" size="sm" pending={update.isPending}>
          Save description
        </Button>
        <Button variant="secondary" size="sm" onClick={onDone}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
