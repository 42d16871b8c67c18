'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { usePathname, useRouter } from 'next/navigation';
import { type ReactNode, useState } from 'react';
import { AccessBadge, repoHref } from '@/components/ml-repos/repo-format';
import { REPO_TABS } from '@/components/ml-repos/repo-tabs';
import { useRepo } from '@/components/ml-repos/use-repo';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { LinkTabs } from '@/components/ui/link-tabs';
import { PageHeader } from '@/components/ui/page-header';
import { ErrorState, LoadingState } from '@/components/ui/states';
import { useTRPC } from '@/components/trpc/client';
import { errorMessage } from '@/lib/form-errors';

/** The repo page's frame, shared by every tab: breadcrumb, header with the caller's access and actions, tab bar. */
export function RepoView({ name, children }: { name: string; children: ReactNode }) {
  const repo = useRepo(name);
  const pathname = usePathname();
  if (repo.isPending) return <LoadingState label={`Loading ${name}…`} />;
  if (repo.isError) {
    return (
      <>
        <PageHeader title={name} />
        <ErrorState error={repo.error} onRetry={() => repo.refetch()} />
        <p className="mt-4 text-sm">
          <Link href="/ml-repos" className="underline">
            Back to ML repos
          </Link>
        </p>
      </>
    );
  }
  const base = repoHref(name);
  const current = pathname.startsWith(`${base}/`) ? (pathname.slice(base.length + 1).split('/')[0] ?? '') : '';
  return (
    <>
      <nav aria-label="Breadcrumb" className="mb-2 text-sm text-zinc-500">
        <Link href="/ml-repos" className="hover:underline">
          ML repos
        </Link>{' '}
        / <span className="break-all">{repo.data.name}</span>
      </nav>
      <PageHeader
        title={repo.data.name}
        description={
          <span className="inline-flex flex-wrap items-center gap-2">
            <code className="break-all">{repo.data.location}</code> · Your access: <AccessBadge access={repo.data.yourAccess} />
          </span>
        }
        actions={repo.data.actions['mlRepo.delete'] && <DeleteRepoButton name={repo.data.name} />}
      />
      <LinkTabs label="ML repo sections" tabs={REPO_TABS.map((tab) => ({ href: repoHref(name, tab.segment), label: tab.label }))} currentHref={repoHref(name, current)} />
      <div className="mt-6">{children}</div>
    </>
  );
}

function DeleteRepoButton({ name }: { name: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const remove = useMutation(
    trpc.mlRepos.delete.mutationOptions({
      onSuccess: () => {
        void queryClient.invalidateQueries({ queryKey: trpc.mlRepos.list.queryKey() });
        router.push('/ml-repos');
      },
    }),
  );
  return (
    <>
      <Button variant="danger" onClick={() => setOpen(true)}>
        Delete repo
      </Button>
      <ConfirmDialog
        open={open}
        onCancel={() => (setOpen(false), remove.reset())}
        onConfirm={(typed) => remove.mutate({ name, confirmName: typed })}
        title={`Delete ML repo ${name}?`}
        description="The repo and all its grants are removed. The objects stored under its location stay in the bucket."
        confirmLabel="Delete repo"
        destructive
        pending={remove.isPending}
        typeToConfirm={name}
        error={remove.error ? errorMessage(remove.error) : null}
      />
    </>
  );
}
