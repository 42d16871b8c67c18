'use client';

import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { AddGrantForm } from '@/components/ml-repos/add-grant-form';
import { AccessBadge, ExpiredBadge, formatExpiry, ProductionBadge } from '@/components/ml-repos/repo-format';
import { RepoSection } from '@/components/ml-repos/repo-section';
import { useRefreshAccess, useRepo } from '@/components/ml-repos/use-repo';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { type Column, DataTable } from '@/components/ui/data-table';
import { EmptyState, ErrorState, LoadingState } from '@/components/ui/states';
import { useTRPC } from '@/components/trpc/client';
import type { RouterOutputs } from '@/components/trpc/types';
import { errorMessage, serverFieldErrors } from '@/lib/form-errors';
import { REPO_ROLES, type RepoRole, WORKSPACE_GRANT_ROLES } from '@/lib/ml-repos';

type Grant = RouterOutputs['mlRepos']['grants']['list'][number];
type AccessRow = RouterOutputs['mlRepos']['whoCanAccess'][number];

const KIND_LABELS = { user: 'User', team: 'Team', workspace: 'Workspace' } as const;

/** The Access tab: the grants (managed by repo admins), a form to add one, and who can access the repo, and why. */
export function RepoAccessTab({ name }: { name: string }) {
  const { data: repo } = useRepo(name);
  if (!repo) return null;
  const canManage = repo.actions['mlRepo.grants.manage'];
  return (
    <div className="space-y-6">
      <RepoSection
        title="Grants"
        description="Users and teams get viewer, editor or admin; workspaces get viewer or editor. An expired grant stays listed and gives no access."
      >
        <GrantsTable name={name} canManage={canManage} />
      </RepoSection>
      {canManage && (
        <RepoSection title="Add grant" description="Give a user, a team or a workspace access to this repo.">
          <AddGrantForm name={name} />
        </RepoSection>
      )}
      <RepoSection title="Who can access this repo, and why" description="Every user and workspace with access, its effective role, and the grant that gives it.">
        <WhoCanAccess name={name} />
      </RepoSection>
    </div>
  );
}

function SubjectCell({ grant }: { grant: Grant }) {
  const s = grant.subject;
  return (
    <span className="flex min-w-0 flex-col items-start gap-1 max-sm:items-end">
      <span className="flex flex-wrap items-center gap-1.5">
        <span className="text-xs text-zinc-500">{KIND_LABELS[s.kind]}</span>
        <span className={s.kind === 'workspace' ? 'font-mono text-sm break-all' : 'break-all'}>{s.label}</span>
      </span>
      <span className="flex flex-wrap gap-1">
        {s.kind === 'workspace' && s.production && <ProductionBadge />}
        {grant.expired && <ExpiredBadge />}
      </span>
    </span>
  );
}

function RoleControl({ name, grant }: { name: string; grant: Grant }) {
  const trpc = useTRPC();
  const refresh = useRefreshAccess(name);
  const change = useMutation(trpc.mlRepos.grants.changeRole.mutationOptions({ onSettled: () => refresh() }));
  const roles: readonly RepoRole[] = grant.subject.kind === 'workspace' ? WORKSPACE_GRANT_ROLES : REPO_ROLES;
  return (
    <span className="flex flex-col items-start gap-1 max-sm:items-end">
      <select
        aria-label={`Role of ${grant.subject.label}`}
        className="rounded-md border border-zinc-300 bg-white px-2 py-1 text-sm dark:border-zinc-700 dark:bg-zinc-900"
        value={grant.role}
        disabled={change.isPending}
        onChange={(e) => change.mutate({ name, grantId: grant.id, role: e.target.value as RepoRole })}
      >
        {roles.map((role) => (
          <option key={role} value={role}>
            {role}
          </option>
        ))}
      </select>
      {change.error && (
        <span role="alert" className="max-w-[16rem] text-xs text-red-600 dark:text-red-400">
          {errorMessage(change.error)}
        </span>
      )}
    </span>
  );
}

/** The expiry day of a grant (end of day, UTC); cleared, the grant never expires. */
function ExpiryControl({ name, grant }: { name: string; grant: Grant }) {
  const trpc = useTRPC();
  const refresh = useRefreshAccess(name);
  const change = useMutation(trpc.mlRepos.grants.changeRole.mutationOptions({ onSettled: () => refresh() }));
  const current = grant.expiresAt ? grant.expiresAt.toISOString().slice(0, 10) : '';
  return (
    <span className="flex flex-col items-start gap-1 max-sm:items-end">
      <input
        type="date"
        aria-label={`Expiry of ${grant.subject.label}`}
        className="rounded-md border border-zinc-300 bg-white px-2 py-1 text-sm dark:border-zinc-700 dark:bg-zinc-900"
        defaultValue={current}
        key={current}
        disabled={change.isPending}
        onBlur={(e) => {
          const day = e.target.value;
          if (day === current) return;
          change.mutate({ name, grantId: grant.id, role: grant.role, expiresAt: day ? new Date(`${day}T23:59:59.999Z`) : null });
        }}
      />
      <span className="text-xs text-zinc-500">{grant.expiresAt ? 'Clear to never expire' : 'Never expires'}</span>
      {change.error && (
        <span role="alert" className="max-w-[16rem] text-xs text-red-600 dark:text-red-400">
          {serverFieldErrors(change.error).expiresAt?.[0] ?? errorMessage(change.error)}
        </span>
      )}
    </span>
  );
}

function RevokeButton({ name, grant }: { name: string; grant: Grant }) {
  const trpc = useTRPC();
  const refresh = useRefreshAccess(name);
  const [open, setOpen] = useState(false);
  const revoke = useMutation(
    trpc.mlRepos.grants.revoke.mutationOptions({
      onSuccess: async () => {
        await refresh();
        setOpen(false);
      },
    }),
  );
  return (
    <>
      <Button variant="secondary" size="sm" aria-label={`Revoke ${grant.subject.label}`} onClick={() => setOpen(true)}>
        Revoke
      </Button>
      <ConfirmDialog
        open={open}
        onCancel={() => (setOpen(false), revoke.reset())}
        onConfirm={() => revoke.mutate({ name, grantId: grant.id })}
        title="Revoke this grant?"
        description={`${KIND_LABELS[grant.subject.kind]} ${grant.subject.label} loses the ${grant.role} access this grant gives on ${name}.`}
        confirmLabel="Revoke grant"
        destructive
        pending={revoke.isPending}
        error={revoke.error ? errorMessage(revoke.error) : null}
      />
    </>
  );
}

function GrantsTable({ name, canManage }: { name: string; canManage: boolean }) {
  const trpc = useTRPC();
  const grants = useQuery(trpc.mlRepos.grants.list.queryOptions({ name }));
  if (grants.isPending) return <LoadingState label="Loading grants…" />;
  if (grants.isError) return <ErrorState error={grants.error} onRetry={() => grants.refetch()} />;
  if (grants.data.length === 0) return <EmptyState title="No grants">Nobody but tenant admins can access this repo.</EmptyState>;
  const columns: Column<Grant>[] = [
    { id: 'subject', header: 'Subject', cell: (g) => <SubjectCell grant={g} /> },
    { id: 'role', header: 'Role', cell: (g) => (canManage ? <RoleControl name={name} grant={g} /> : g.role) },
    { id: 'expires', header: 'Expires', cell: (g) => (canManage ? <ExpiryControl name={name} grant={g} /> : formatExpiry(g.expiresAt)) },
    { id: 'granted', header: 'Granted by', cell: (g) => g.grantedBy ?? '—' },
  ];
  if (canManage) columns.push({ id: 'actions', header: 'Actions', align: 'right', cell: (g) => <RevokeButton name={name} grant={g} /> });
  return <DataTable label="Grants" columns={columns} rows={grants.data} rowKey={(g) => g.id} />;
}

function subjectLabel(row: AccessRow): string {
  return row.subject.kind === 'user' ? (row.subject.name ? `${row.subject.name} <${row.subject.email}>` : row.subject.email) : row.subject.fqn;
}

const ACCESS_COLUMNS: Column<AccessRow>[] = [
  {
    id: 'subject',
    header: 'Subject',
    cell: (r) => (
      <span className="flex flex-wrap items-center gap-1.5">
        <span className="text-xs text-zinc-500">{KIND_LABELS[r.subject.kind]}</span>
        <span className={r.subject.kind === 'workspace' ? 'font-mono text-sm break-all' : 'break-all'}>{subjectLabel(r)}</span>
        {r.subject.kind === 'workspace' && r.subject.production && <ProductionBadge />}
      </span>
    ),
  },
  { id: 'access', header: 'Effective role', cell: (r) => <AccessBadge access={r.access} /> },
  {
    id: 'path',
    header: 'Why',
    wrap: true,
    cell: (r) => (r.access === 'none' ? (r.note ?? 'No live grant') : r.pathText),
  },
];

function WhoCanAccess({ name }: { name: string }) {
  const trpc = useTRPC();
  const who = useQuery(trpc.mlRepos.whoCanAccess.queryOptions({ name }));
  if (who.isPending) return <LoadingState label="Working out who can access this repo…" />;
  if (who.isError) return <ErrorState error={who.error} onRetry={() => who.refetch()} />;
  if (who.data.length === 0) return <EmptyState title="Nobody has a grant">Only tenant admins can access this repo.</EmptyState>;
  return (
    <DataTable
      label="Who can access this repo"
      columns={ACCESS_COLUMNS}
      rows={who.data}
      rowKey={(r) => (r.subject.kind === 'user' ? `u${r.subject.userId}` : `w${r.subject.workspaceId}`)}
    />
  );
}
