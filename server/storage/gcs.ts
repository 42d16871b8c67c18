/**
 * Google Cloud Storage through the official SDK, from a service-account key JSON.
 * Download and upload URLs are V4 signed URLs, signed locally with the key's private
 * key (no call to Google). There is no GCS emulator here: this driver's request
 * building and error mapping are unit-tested (gcs.test.ts), not run against storage.
 */
import { Storage, type StorageOptions } from '@google-cloud/storage';
import { parseServiceAccountKey, type StorageCredentials, type StorageRootParts } from '@/lib/schemas/storage';
import { type ErrorContext, storageCall } from './errors';
import { keyRelativeToRoot, keyUnderRoot, listingPrefix, runConnectionTest } from './probe';
import { type ObjectListing, StorageError, type StorageDriver } from './types';

export interface GcsDriverOptions {
  root: StorageRootParts;
  credentials: StorageCredentials['gcs'];
  /** Tests point the SDK elsewhere; production talks to storage.googleapis.com. */
  apiEndpoint?: string;
}

/** The SDK's options for an integration (exported so tests can check them). */
export function gcsStorageOptions({ credentials, apiEndpoint }: Omit<GcsDriverOptions, 'root'>): StorageOptions {
  const key = parseServiceAccountKey(credentials.serviceAccountKey);
  if (!key) throw new StorageError('The service-account key could not be read: replace the credentials', 'invalid');
  return {
    projectId: key.project_id,
    credentials: { client_email: key.client_email, private_key: key.private_key },
    // One try: Test connection reports what happened instead of retrying for minutes.
    retryOptions: { autoRetry: false, maxRetries: 0 },
    ...(apiEndpoint ? { apiEndpoint } : {}),
  };
}

interface ListResponse {
  prefixes?: string[];
  nextPageToken?: string;
}

export function createGcsDriver({ root, credentials, apiEndpoint }: GcsDriverOptions): StorageDriver {
  const bucket = new Storage(gcsStorageOptions({ credentials, apiEndpoint })).bucket(root.bucket);
  const context: ErrorContext = {
    provider: 'gcs',
    bucket: root.bucket,
    secrets: [credentials.serviceAccountKey, parseServiceAccountKey(credentials.serviceAccountKey)?.private_key ?? ''].filter(Boolean),
  };
  const call = <T>(run: (signal: AbortSignal) => Promise<T>) => storageCall(run, context);
  const file = (key: string) => bucket.file(keyUnderRoot(root.prefix, key));

  return {
    testConnection() {
      return runConnectionTest({
        write: async (key, body) => {
          await call(() => file(key).save(body, { resumable: false, validation: false }));
        },
        read: (key) => call(async () => (await file(key).download())[0]),
        remove: async (key) => {
          await call(() => file(key).delete());
        },
      });
    },

    async list(folder, page): Promise<ObjectListing> {
      const prefix = listingPrefix(root.prefix, folder);
      const [files, , response] = await call(() =>
        bucket.getFiles({ prefix, delimiter: '/', maxResults: page.limit, pageToken: page.cursor ?? undefined, autoPaginate: false }),
      );
      const listed = (response ?? {}) as ListResponse;
      return {
        folders: (listed.prefixes ?? []).map((p) => keyRelativeToRoot(root.prefix, p)),
        objects: files
          .filter((f) => f.name !== prefix)
          .map((f) => ({
            key: keyRelativeToRoot(root.prefix, f.name),
            size: Number(f.metadata.size ?? 0),
            modifiedAt: new Date(String(f.metadata.updated ?? 0)),
          })),
        nextCursor: listed.nextPageToken ?? null,
      };
    },

    presignDownload(key, ttlSeconds) {
      return call(async () => (await file(key).getSignedUrl({ version: 'v4', action: 'read', expires: Date.now() + ttlSeconds * 1000 }))[0]);
    },

    presignUpload(key, ttlSeconds) {
      return call(async () => (await file(key).getSignedUrl({ version: 'v4', action: 'write', expires: Date.now() + ttlSeconds * 1000 }))[0]);
    },
  };
}
