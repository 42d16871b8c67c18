/**
 * A repo's artifacts: what is stored under `<storage root>/<repo name>/`, and
 * short-lived presigned URLs to download and upload objects there. The caller's access
 * was decided before any of these run (the router's `resourceProcedure`); here every
 * key is confined under the repo's own prefix, and the browser only ever gets URLs,
 * never a credential.
 */
import { eq } from 'drizzle-orm';
import type { MlRepoRow, StorageIntegrationRow } from '@/db/schema';
import { artifactKey, type artifactDownloadInput, type artifactUploadInput, type listArtifactsInput } from '@/lib/schemas/ml-repo-artifacts';
import type { z } from 'zod';
import { InvalidError, NotFoundError, PreconditionError } from '@/server/errors';
import type { Store } from '@/server/store';
import { type Actor, recordAudit } from '@/server/services/audit';
import { type StorageConnector, type StorageDriver, StorageError } from '@/server/storage/types';

/** How long a presigned URL works: long enough to start a large transfer, short enough that a leaked link soon dies. */
export const ARTIFACT_URL_TTL_SECONDS = 5 * 60;

/** What the artifact services need of the control plane. */
export interface ArtifactServices {
  store: Store;
  storage: StorageConnector;
}

export interface ArtifactFolder {
  /** The folder's own name (`v1`). */
  name: string;
  /** Relative to the repo, without a trailing `/` (`models/v1`). */
  path: string;
}

export interface ArtifactObject {
  /** The file's own name (`model.safetensors`). */
  name: string;
  /** Relative to the repo (`models/v1/model.safetensors`): what `downloadUrl` takes. */
  key: string;
  size: number;
  modifiedAt: Date;
}

export interface ArtifactListing {
  /** The folder listed, relative to the repo (`''` for its top). */
  folder: string;
  folders: ArtifactFolder[];
  objects: ArtifactObject[];
  nextCursor: string | null;
}

export interface PresignedArtifactUrl {
  url: string;
  /** The key relative to the repo. */
  key: string;
  expiresAt: Date;
}

interface RepoStorage {
  repo: MlRepoRow;
  integration: StorageIntegrationRow;
  driver: StorageDriver;
}

async function repoStorage(cp: ArtifactServices, name: string): Promise<RepoStorage> {
  const { mlRepos, storageIntegrations } = cp.store.tables;
  const [row] = await cp.store.db
    .select({ repo: mlRepos, integration: storageIntegrations })
    .from(mlRepos)
    .innerJoin(storageIntegrations, eq(storageIntegrations.id, mlRepos.storageIntegrationId))
    .where(eq(mlRepos.name, name))
    .limit(1);
  if (!row) throw new NotFoundError(`ML repo "${name}" does not exist`);
  return { ...row, driver: cp.storage.driverFor(row.integration) };
}

/** The key relative to the storage root: always under the repo's own prefix. */
function storageKey(repo: MlRepoRow, relative: string): string {
  // The schema refuses "..", "." and a leading "/" already; this holds even if a caller skipped it.
  if (relative.split('/').some((segment) => segment === '..' || segment === '.') || relative.startsWith('/')) {
    throw InvalidError.onField('key', 'A path cannot leave the repo');
  }
  return `${repo.name}/${relative}`;
}

/** Strips the repo's prefix from a key the driver returned. */
function relativeToRepo(repo: MlRepoRow, key: string): string {
  const prefix = `${repo.name}/`;
  return key.startsWith(prefix) ? key.slice(prefix.length) : key;
}

const lastSegment = (path: string) => path.slice(path.lastIndexOf('/') + 1);

/** Runs a storage call; its failure becomes a message the page can show as it is. */
async function onStorage<T>(integration: StorageIntegrationRow, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof StorageError) {
      throw new PreconditionError(`The storage integration "${integration.name}" answered: ${error.message}`);
    }
    throw error;
  }
}

export async function listArtifacts(cp: ArtifactServices, input: z.output<typeof listArtifactsInput>): Promise<ArtifactListing> {
  const { repo, integration, driver } = await repoStorage(cp, input.name);
  const prefix = input.folder === '' ? storageKey(repo, '') : storageKey(repo, `${input.folder}/`);
  const page = await onStorage(integration, () => driver.list(prefix, { cursor: input.cursor ?? null, limit: input.limit }));
  return {
    folder: input.folder,
    folders: page.folders.map((folder) => {
      const path = relativeToRepo(repo, folder).replace(/\/$/, '');
      return { name: lastSegment(path), path };
    }),
    objects: page.objects
      // A zero-byte "folder marker" some tools write (`models/`) is the folder itself, not a file in it.
      .filter((object) => !object.key.endsWith('/'))
      .map((object) => {
        const key = relativeToRepo(repo, object.key);
        return { name: lastSegment(key), key, size: object.size, modifiedAt: object.modifiedAt };
      }),
    nextCursor: page.nextCursor,
  };
}

/**
 * Where a page's script may send uploads: the storage endpoints presigned URLs point at,
 * for the pages' `connect-src` (server/http/security-headers.ts). Downloads are
 * navigations and need none. Derived from what is stored (never from credentials): an
 * S3-compatible endpoint, an Azure account's blob host, AWS S3 and GCS's public hosts.
 */
export async function artifactUploadOrigins(store: Store): Promise<string[]> {
  const { storageIntegrations } = store.tables;
  const rows = await store.db
    .select({ kind: storageIntegrations.kind, rootUri: storageIntegrations.rootUri, settings: storageIntegrations.settings })
    .from(storageIntegrations);
  const origins = new Set<string>();
  for (const row of rows) {
    try {
      if (row.kind === 's3-compatible' && row.settings.endpoint) origins.add(new URL(row.settings.endpoint).origin);
      if (row.kind === 'azure-blob') origins.add(new URL(row.rootUri).origin);
      // Presigned S3 URLs name the bucket's host (or s3.<region>) under amazonaws.com.
      if (row.kind === 's3') origins.add('https://*.amazonaws.com');
      if (row.kind === 'gcs') origins.add('https://storage.googleapis.com');
    } catch {
      // A stored value that is not a URL adds no origin: uploads there are refused by the page, nothing else breaks.
    }
  }
  return [...origins].sort();
}

const expiry = () => new Date(Date.now() + ARTIFACT_URL_TTL_SECONDS * 1000);

export async function artifactDownloadUrl(cp: ArtifactServices, input: z.output<typeof artifactDownloadInput>): Promise<PresignedArtifactUrl> {
  const { repo, integration, driver } = await repoStorage(cp, input.name);
  const key = storageKey(repo, input.key);
  const expiresAt = expiry();
  const url = await onStorage(integration, () => driver.presignDownload(key, ARTIFACT_URL_TTL_SECONDS));
  return { url, key: input.key, expiresAt };
}

/**
 * A URL to PUT one file to, valid for `ARTIFACT_URL_TTL_SECONDS`. Issuing it is audited
 * (who may write what where): the upload itself goes from the browser to the storage.
 */
export async function artifactUploadUrl(
  cp: ArtifactServices,
  actor: Actor,
  input: z.output<typeof artifactUploadInput>,
): Promise<PresignedArtifactUrl> {
  const { repo, integration, driver } = await repoStorage(cp, input.name);
  const relative = artifactKey(input.folder, input.fileName);
  const key = storageKey(repo, relative);
  const expiresAt = expiry();
  const url = await onStorage(integration, () => driver.presignUpload(key, ARTIFACT_URL_TTL_SECONDS));
  await cp.store.transaction((tx) =>
    recordAudit(tx, actor, {
      action: 'mlRepo.artifact.upload',
      target: { type: 'mlRepo', id: repo.id, label: repo.name },
      after: { key: relative, size: input.size, contentType: input.contentType ?? null, expiresAt: expiresAt.toISOString() },
    }),
  );
  return { url, key: relative, expiresAt };
}
