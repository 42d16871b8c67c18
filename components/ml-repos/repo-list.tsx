'use client';

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import { AccessBadge, repoHref } from '@/components/ml-repos/repo-format';
import { type Column, DataTable } from '@/components/ui/data-table';
import { Field, Input } from '@/components/ui/field';
import { PageHeader } from '@/components/ui/page-header';
import { Pagination } from '@/components/ui/pagination';
import { EmptyState, ErrorState, LoadingState } from '@/components/ui/states';
import { useSearchBox } from '@/components/ui/use-url-list';
import { useTRPC } from '@/components/trpc/client';
import type { RouterOutputs } from '@/components/trpc/types';
import { STORAGE_KIND_LABELS } from '@/lib/storage';

type RepoRow = RouterOutputs['mlRepos']['list']['rows'][number];

const LINK_BUTTON =
  'inline-flex h-9 items-center rounded-md bg-indigo-600 px-3.5 text-sm font-medium text-white hover:bg-indigo-500 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-500';

const PAGE_SIZE = 25;

const COLUMNS: Column<RepoRow>[] = [
  {
    id: 'name',
    header: 'Repo',
    cell: (r) => (
      <span className="flex min-w-0 flex-col items-start gap-0.5 max-sm:items-end">
        <Link href={repoHref(r.name)} className="font-medium text-indigo-700 hover:underline dark:text-indigo-300">
          {r.name}
        </Link>
        {r.description && <span className="max-w-[20rem] truncate text-xs text-zinc-500" title={r.description}>{r.description}</span>}
      </span>
    ),
  },
  { id: 'storage', header: 'Storage', cell: (r) => `${r.storage.name} (${STORAGE_KIND_LABELS[r.storage.kind]})` },
  { id: 'location', header: 'Location', cell: (r) => <code className="block max-w-[22rem] truncate text-xs" title={r.location}>{r.location}</code> },
  { id: 'grants', header: 'Grants', align: 'right', cell: (r) => r.grantCount },
  { id: 'access', header: 'Your access', cell: (r) => <AccessBadge access={r.yourAccess} /> },
];

/** `/ml-repos`: the repos the caller may see, with storage, location, grant count and their own access. */
export function ReposView() {
  const trpc = useTRPC();
  const [search, setSearch] = useState('');
  const [page, setPage] = useState(1);
  const [searchText, setSearchText] = useSearchBox(search, (next) => (setSearch(next), setPage(1)));
  const list = useQuery(trpc.mlRepos.list.queryOptions({ search, page, pageSize: PAGE_SIZE }, { placeholderData: keepPreviousData }));
  const action = list.data?.canCreate ? (
    <Link href="/ml-repos/new" className={LINK_BUTTON}>
      New ML repo
    </Link>
  ) : undefined;

  return (
    <>
      <PageHeader
        title="ML repos"
        description="Models, artifacts and run metadata on a storage integration, with access granted to users, teams and workspaces."
        actions={action}
      />
      <div role="search" aria-label="Filter ML repos" className="mb-4 max-w-md">
        <Field label="Search ML repos">
          {(c) => <Input {...c} type="search" placeholder="Name or description" value={searchText} onChange={(e) => setSearchText(e.target.value)} />}
        </Field>
      </div>
      {list.isPending ? (
        <LoadingState label="Loading ML repos…" />
      ) : list.isError ? (
        <ErrorState error={list.error} onRetry={() => list.refetch()} />
      ) : list.data.total === 0 ? (
        search ? (
          <EmptyState title={`No ML repo matches "${search}"`} />
        ) : (
          <EmptyState title="No ML repos yet" action={action}>
            {list.data.canCreate
              ? 'Create one on a storage integration; you become its admin and grant access to others.'
              : 'Repos appear here once someone grants you, your team or one of your workspaces access.'}
          </EmptyState>
        )
      ) : (
        <>
          <DataTable label="ML repos" columns={COLUMNS} rows={list.data.rows} rowKey={(r) => r.id} />
          <Pagination page={list.data.page} pageCount={list.data.pageCount} total={list.data.total} pageSize={list.data.pageSize} noun="repos" onPage={setPage} />
        </>
      )}
    </>
  );
}
