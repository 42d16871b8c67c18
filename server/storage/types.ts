/**
 * What the control plane asks of an object store, whatever its kind. One driver per
 * integration, built from its settings and opened credentials by `cp.storage`
 * (server/storage/index.ts); services never touch an SDK.
 *
 * Keys are relative to the integration's root (`s3://bucket/prefix` → key `a/b` is
 * `prefix/a/b` in `bucket`). Errors are `StorageError`s whose message is plain words
 * ("Bucket models does not exist", "Access denied: the key was refused", "The endpoint
 * could not be reached"), safe to show: never a credential, a signature or a stack.
 */
import type { StorageIntegrationRow } from '@/db/schema';
import type { ConnectionTestResult, StorageKind, StorageSettings } from '@/lib/storage';

export interface StoredObject {
  /** Relative to the root, e.g. `my-repo/models/v1/model.safetensors`. */
  key: string;
  size: number;
  modifiedAt: Date;
}

export interface ObjectListing {
  /** Sub-folders directly under the listed prefix, relative to the root, ending in `/`. */
  folders: string[];
  objects: StoredObject[];
  /** Pass back to get the next page; null on the last page. */
  nextCursor: string | null;
}

export interface StorageDriver {
  /** Writes, reads back and deletes a probe object under the root; reports each step. Never throws. */
  testConnection(): Promise<ConnectionTestResult>;
  /** One page of what is directly under `prefix` (a folder view: `/` is the delimiter). */
  list(prefix: string, page: { cursor?: string | null; limit: number }): Promise<ObjectListing>;
  /** A URL the browser can GET the object from for `ttlSeconds`, without credentials. */
  presignDownload(key: string, ttlSeconds: number): Promise<string>;
  /** A URL the browser can PUT the object to for `ttlSeconds`, without credentials. */
  presignUpload(key: string, ttlSeconds: number): Promise<string>;
}

/** What a driver is built from: the integration's row, with its credentials opened. */
export interface StorageTarget {
  kind: StorageKind;
  rootUri: string;
  settings: StorageSettings;
  /** The opened credentials JSON for the kind (lib/schemas/storage.ts `StorageCredentials`). */
  credentials: unknown;
}

/** A storage failure in plain words, safe to show to the user. */
export class StorageError extends Error {
  constructor(
    message: string,
    readonly reason: 'bucket-missing' | 'access-denied' | 'wrong-region' | 'unreachable' | 'not-found' | 'invalid' | 'other',
  ) {
    super(message);
    this.name = 'StorageError';
  }
}

/** Builds drivers for integrations: the control plane's `cp.storage` (server/storage/index.ts). */
export interface StorageConnector {
  /** A driver for one integration, its credentials opened with the control plane's key. */
  driverFor(integration: StorageIntegrationRow): StorageDriver;
}
