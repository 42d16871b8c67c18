'use client';

import { useMutation, useQuery } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useRefreshAccess } from '@/components/ml-repos/use-repo';
import { ProductionBadge } from '@/components/ml-repos/repo-format';
import { Button } from '@/components/ui/button';
import { Field, Input, Select } from '@/components/ui/field';
import { FormError } from '@/components/ui/states';
import { useSchemaForm } from '@/components/ui/use-schema-form';
import { useSearchBox } from '@/components/ui/use-url-list';
import { useTRPC } from '@/components/trpc/client';
import { type GrantSubjectKind, REPO_ROLES, type RepoRole, WORKSPACE_GRANT_ROLES } from '@/lib/ml-repos';
import { createGrantInput, type CreateGrantInput } from '@/lib/schemas/ml-repo';

const NOUNS: Record<GrantSubjectKind, string> = { user: 'user', team: 'team', workspace: 'workspace' };

/** The end of the chosen day (UTC): a grant "until 2026-12-31" still counts on that day. */
function expiryOf(day: string): Date | undefined {
  return day ? new Date(`${day}T23:59:59.999Z`) : undefined;
}

/** Subject kind → a searchable candidate picker (workspaces by FQN), a role for that kind, an optional expiry day. */
export function AddGrantForm({ name }: { name: string }) {
  const trpc = useTRPC();
  const refresh = useRefreshAccess(name);
  const [kind, setKind] = useState<GrantSubjectKind>('user');
  const [search, setSearch] = useState('');
  const [searchText, setSearchText] = useSearchBox(search, setSearch);
  const [picked, setPicked] = useState<{ id: number; label: string } | null>(null);
  const [role, setRole] = useState<RepoRole>('viewer');
  const [day, setDay] = useState('');
  const candidates = useQuery(trpc.mlRepos.grantCandidates.queryOptions({ name, kind, search }));
  const grant = useMutation(
    trpc.mlRepos.grants.grant.mutationOptions({
      onSuccess: async () => {
        setPicked(null);
        setDay('');
        setSearchText('');
        await refresh();
        await candidates.refetch();
      },
    }),
  );
  const { fieldErrors, formError, parse, fieldChanged, formRef } = useSchemaForm(createGrantInput, grant.error);
  const roles: readonly RepoRole[] = kind === 'workspace' ? WORKSPACE_GRANT_ROLES : REPO_ROLES;

  function submit(event: FormEvent) {
    event.preventDefault();
    const subject = picked
      ? kind === 'user'
        ? { kind, userId: picked.id }
        : kind === 'team'
          ? { kind, teamId: picked.id }
          : { kind, workspaceId: picked.id }
      : undefined;
    const parsed = parse({ name, subject, role, expiresAt: expiryOf(day) });
    if (parsed) grant.mutate(parsed as CreateGrantInput);
  }

  return (
    <form ref={formRef} onSubmit={submit} noValidate className="space-y-4" aria-label="Add grant">
      <div className="grid gap-4 sm:grid-cols-3">
        <Field label="Subject kind">
          {(c) => (
            <Select
              {...c}
              value={kind}
              onChange={(e) => {
                const next = e.target.value as GrantSubjectKind;
                setKind(next);
                setPicked(null);
                if (next === 'workspace' && role === 'admin') setRole('viewer');
                fieldChanged('subject');
              }}
            >
              <option value="user">User</option>
              <option value="team">Team</option>
              <option value="workspace">Workspace</option>
            </Select>
          )}
        </Field>
        <Field label="Role to grant" errors={fieldErrors.role} hint={kind === 'workspace' ? 'Workspaces get viewer or editor, never admin.' : undefined}>
          {(c) => (
            <Select {...c} value={role} onChange={(e) => (setRole(e.target.value as RepoRole), fieldChanged('role'))}>
              {roles.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </Select>
          )}
        </Field>
        <Field label="Expires on" errors={fieldErrors.expiresAt} hint="Optional. Access ends after this day (UTC).">
          {(c) => <Input {...c} type="date" value={day} onChange={(e) => (setDay(e.target.value), fieldChanged('expiresAt'))} />}
        </Field>
      </div>
      <Field
        label={`Find a ${NOUNS[kind]}`}
        errors={fieldErrors.subject}
        hint={kind === 'workspace' ? 'By FQN, e.g. gpu-west:team-ml.' : kind === 'user' ? 'By name or email.' : 'By name.'}
      >
        {(c) => <Input {...c} type="search" value={searchText} autoComplete="off" onChange={(e) => setSearchText(e.target.value)} />}
      </Field>
      <fieldset className="space-y-1">
        <legend className="text-sm font-medium text-zinc-800 dark:text-zinc-200">Choose the {NOUNS[kind]}</legend>
        {candidates.isPending ? (
          <p className="text-sm text-zinc-500">Loading…</p>
        ) : candidates.isError ? (
          <FormError message={candidates.error.message} />
        ) : candidates.data.length === 0 ? (
          <p className="text-sm text-zinc-500">No {NOUNS[kind]} without a grant matches.</p>
        ) : (
          <ul className="max-h-64 space-y-1 overflow-y-auto rounded-md border border-zinc-200 p-2 dark:border-zinc-800">
            {candidates.data.map((candidate) => (
              <li key={candidate.id}>
                <label className="flex cursor-pointer flex-wrap items-center gap-2 text-sm">
                  <input
                    type="radio"
                    name="grant-subject"
                    checked={picked?.id === candidate.id}
                    onChange={() => (setPicked({ id: candidate.id, label: candidate.label }), fieldChanged('subject'))}
                  />
                  <span className={kind === 'workspace' ? 'font-mono break-all' : 'break-all'}>{candidate.label}</span>
                  {kind === 'workspace' && <span className="text-xs text-zinc-500">{candidate.detail}</span>}
                  {candidate.production && <ProductionBadge />}
                </label>
              </li>
            ))}
          </ul>
        )}
      </fieldset>
      <FormError message={formError} />
      <Button type="submit" pending={grant.isPending}>
        Add grant
      </Button>
    </form>
  );
}
