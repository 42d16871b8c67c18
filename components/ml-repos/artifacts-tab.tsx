'use client';

import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { type ChangeEvent, useRef, useState } from 'react';
import { Button } from '@/components/ui/button';
import { type Column, DataTable } from '@/components/ui/data-table';
import { EmptyState, ErrorState, FormError, LoadingState } from '@/components/ui/states';
import { useRepo } from '@/components/ml-repos/use-repo';
import { useTRPC } from '@/components/trpc/client';
import type { RouterOutputs } from '@/components/trpc/types';
import { errorMessage } from '@/lib/form-errors';
import { formatInstant } from '@/lib/format-time';
import { artifactUploadInput, MAX_ARTIFACT_UPLOAD_BYTES } from '@/lib/schemas/ml-repo-artifacts';

type Listing = RouterOutputs['mlRepos']['artifacts']['list'];
type Entry = { kind: 'folder'; name: string; path: string } | ({ kind: 'object' } & Listing['objects'][number]);

const PAGE_SIZE = 50;
const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'] as const;

/** "512 B", "1.5 MiB": binary units, one decimal past bytes. */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${UNITS[unit]}`;
}

/**
 * A repo's Artifacts tab: what is stored under its location, folder by folder. Downloads
 * and uploads go straight between the browser and the storage through presigned URLs the
 * server issues after checking the caller's role; no credential reaches this page.
 * Upload is offered when the repo's actions allow it; the server decides each upload regardless.
 */
export function RepoArtifactsTab({ name }: { name: string }) {
  const trpc = useTRPC();
  const repo = useRepo(name);
  const canUpload = repo.data?.actions['mlRepo.artifacts.write'] ?? false;
  const [folder, setFolder] = useState('');
  const listing = useInfiniteQuery(
    trpc.mlRepos.artifacts.list.infiniteQueryOptions({ name, folder, limit: PAGE_SIZE }, { getNextPageParam: (page) => page.nextCursor }),
  );
  const download = useMutation(
    trpc.mlRepos.artifacts.downloadUrl.mutationOptions({
      onSuccess: ({ url }) => window.location.assign(url),
    }),
  );

  const entries: Entry[] = [];
  for (const page of listing.data?.pages ?? []) {
    for (const f of page.folders) entries.push({ kind: 'folder', ...f });
  }
  for (const page of listing.data?.pages ?? []) {
    for (const o of page.objects) entries.push({ kind: 'object', ...o });
  }

  const columns: Column<Entry>[] = [
    {
      id: 'name',
      header: 'Name',
      cell: (e) =>
        e.kind === 'folder' ? (
          <button
            type="button"
            onClick={() => setFolder(e.path)}
            className="inline-flex items-center gap-1.5 font-medium text-indigo-700 hover:underline dark:text-indigo-300"
            aria-label={`Open folder ${e.name}`}
          >
            <FolderIcon />
            {e.name}/
          </button>
        ) : (
          <span title={e.key} className="block max-w-[24rem] truncate">
            {e.name}
          </span>
        ),
    },
    { id: 'size', header: 'Size', align: 'right', cell: (e) => (e.kind === 'object' ? formatBytes(e.size) : '—') },
    { id: 'modified', header: 'Modified', cell: (e) => (e.kind === 'object' ? formatInstant(new Date(e.modifiedAt)) : '') },
    {
      id: 'actions',
      header: 'Actions',
      cell: (e) =>
        e.kind === 'object' ? (
          <Button
            variant="ghost"
            size="sm"
            aria-label={`Download ${e.name}`}
            pending={download.isPending && download.variables?.key === e.key}
            onClick={() => download.mutate({ name, key: e.key })}
          >
            Download
          </Button>
        ) : null,
    },
  ];

  return (
    <section aria-label="Artifacts" className="space-y-3">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <FolderBreadcrumb repo={name} folder={folder} onOpen={setFolder} />
        {canUpload && <UploadButton name={name} folder={folder} />}
      </div>
      <FormError message={download.error ? errorMessage(download.error) : null} />
      {listing.isPending ? (
        <LoadingState label="Loading artifacts…" />
      ) : listing.isError ? (
        <ErrorState error={listing.error} onRetry={() => listing.refetch()} />
      ) : entries.length === 0 ? (
        <EmptyState title="Nothing stored here yet">
          {folder === '' ? 'Models, artifacts and run metadata written to this repo appear here.' : 'This folder is empty.'}
        </EmptyState>
      ) : (
        <>
          <DataTable label={`Artifacts in ${folder || name}`} columns={columns} rows={entries} rowKey={(e) => `${e.kind}:${e.kind === 'folder' ? e.path : e.key}`} />
          {listing.hasNextPage && (
            <Button variant="secondary" size="sm" pending={listing.isFetchingNextPage} onClick={() => listing.fetchNextPage()}>
              Load more
            </Button>
          )}
        </>
      )}
    </section>
  );
}

function FolderIcon() {
  return (
    <svg viewBox="0 0 20 20" fill="currentColor" className="size-4 shrink-0" aria-hidden>
      <path d="M2 5.5A1.5 1.5 0 0 1 3.5 4h4l2 2h7A1.5 1.5 0 0 1 18 7.5v7a1.5 1.5 0 0 1-1.5 1.5h-13A1.5 1.5 0 0 1 2 14.5v-9Z" />
    </svg>
  );
}

function FolderBreadcrumb({ repo, folder, onOpen }: { repo: string; folder: string; onOpen: (folder: string) => void }) {
  const segments = folder === '' ? [] : folder.split('/');
  const crumbs = [{ label: repo, path: '' }, ...segments.map((segment, i) => ({ label: segment, path: segments.slice(0, i + 1).join('/') }))];
  return (
    <nav aria-label="Folder" className="min-w-0 text-sm">
      <ol className="flex flex-wrap items-center gap-1">
        {crumbs.map((crumb, i) => {
          const last = i === crumbs.length - 1;
          return (
            <li key={crumb.path} className="flex items-center gap-1">
              {i > 0 && <span className="text-zinc-400" aria-hidden>/</span>}
              {last ? (
                <span aria-current="page" className="font-medium">
                  {crumb.label}
                </span>
              ) : (
                <button type="button" onClick={() => onOpen(crumb.path)} className="text-indigo-700 hover:underline dark:text-indigo-300">
                  {crumb.label}
                </button>
              )}
            </li>
          );
        })}
      </ol>
    </nav>
  );
}

type UploadState = { phase: 'idle' } | { phase: 'uploading'; fileName: string; percent: number } | { phase: 'done'; fileName: string } | { phase: 'failed'; message: string };

/** The storage's refusal of a PUT, in words for the page. */
class UploadRefused extends Error {}

/**
 * PUTs one file to a presigned URL. XMLHttpRequest rather than fetch: only it reports
 * upload progress, which a multi-gigabyte model needs.
 */
function putFile(url: string, file: File, onProgress: (percent: number) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('PUT', url);
    request.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(Math.round((event.loaded / event.total) * 100));
    };
    request.onload = () =>
      request.status >= 200 && request.status < 300
        ? resolve()
        : reject(new UploadRefused(`The storage refused the upload (HTTP ${request.status}). The upload link may have expired: try again.`));
    // A network error with no status is what a browser reports when the bucket's CORS
    // rules do not allow a PUT from this page's origin (or the storage is unreachable).
    request.onerror = () =>
      reject(
        new UploadRefused(
          "The storage did not accept the upload from this page. Its bucket must allow PUT requests from this site's address (CORS); ask an admin to configure it.",
        ),
      );
    request.send(file);
  });
}

function UploadButton({ name, folder }: { name: string; folder: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const input = useRef<HTMLInputElement>(null);
  const [state, setState] = useState<UploadState>({ phase: 'idle' });
  const uploadUrl = useMutation(trpc.mlRepos.artifacts.uploadUrl.mutationOptions());

  async function upload(event: ChangeEvent<HTMLInputElement>) {
    const file = event.target.files?.[0];
    event.target.value = '';
    if (!file) return;
    const parsed = artifactUploadInput.safeParse({ name, folder, fileName: file.name, size: file.size, contentType: file.type || undefined });
    if (!parsed.success) {
      const message = file.size > MAX_ARTIFACT_UPLOAD_BYTES ? 'A file can be at most 5 GiB (one upload request)' : parsed.error.issues[0]?.message;
      setState({ phase: 'failed', message: message ?? 'That file cannot be uploaded' });
      return;
    }
    setState({ phase: 'uploading', fileName: file.name, percent: 0 });
    try {
      const { url } = await uploadUrl.mutateAsync(parsed.data);
      await putFile(url, file, (percent) => setState({ phase: 'uploading', fileName: file.name, percent }));
      setState({ phase: 'done', fileName: file.name });
      await queryClient.invalidateQueries({ queryKey: trpc.mlRepos.artifacts.list.pathKey() });
    } catch (error) {
      setState({ phase: 'failed', message: error instanceof UploadRefused ? error.message : errorMessage(error) });
    }
  }

  return (
    <div className="flex flex-col items-end gap-1">
      <input ref={input} type="file" className="sr-only" aria-label="File to upload" onChange={upload} tabIndex={-1} />
      <Button variant="secondary" size="sm" pending={state.phase === 'uploading'} onClick={() => input.current?.click()}>
        Upload file{folder ? ` to ${folder}/` : ''}
      </Button>
      <p aria-live="polite" className="text-xs text-zinc-500 dark:text-zinc-400">
        {state.phase === 'uploading' && `Uploading ${state.fileName}… ${state.percent}%`}
        {state.phase === 'done' && `Uploaded ${state.fileName}`}
      </p>
      {state.phase === 'failed' && <FormError message={state.message} />}
    </div>
  );
}
