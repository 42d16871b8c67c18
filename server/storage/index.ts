/**
 * `cp.storage`: builds a driver for an integration row, its credentials opened with
 * the control plane's key. Services ask for a driver per call and never hold one: the
 * credentials may have been replaced since.
 */
import type { StorageIntegrationRow } from '@/db/schema';
import { parseStorageRoot, type StorageCredentials, storedCredentials } from '@/lib/schemas/storage';
import type { StorageKind } from '@/lib/storage';
import type { Logger } from '@/server/logger';
import type { SecretBox } from '@/server/secrets/secret-box';
import { createAzureBlobDriver } from './azure-blob';
import { createGcsDriver } from './gcs';
import { createS3Driver } from './s3';
import { type StorageConnector, type StorageDriver, StorageError, type StorageTarget } from './types';

export { StorageError } from './types';
export type { StorageConnector, StorageDriver } from './types';

export const CREDENTIALS_PURPOSE = 'storage-integration.credentials' as const;

/** Opens the row's credentials and checks them against the kind's stored shape. */
export function openCredentials<K extends StorageKind>(secrets: SecretBox, kind: K, sealed: string): StorageCredentials[K] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(secrets.open(sealed, CREDENTIALS_PURPOSE));
  } catch {
    throw new StorageError('The stored credentials could not be opened (was the secret key changed?): replace the credentials', 'invalid');
  }
  const result = storedCredentials[kind].safeParse(parsed);
  if (!result.success) throw new StorageError('The stored credentials are not usable for this kind: replace the credentials', 'invalid');
  return result.data as StorageCredentials[K];
}

/** A driver for a target whose credentials are already opened. */
export function driverForTarget(target: StorageTarget): StorageDriver {
  const root = parseStorageRoot(target.kind, target.rootUri);
  if (typeof root === 'string') throw new StorageError(`The integration's root URI is not valid: ${root}`, 'invalid');
  switch (target.kind) {
    case 's3':
    case 's3-compatible':
      return createS3Driver({
        kind: target.kind,
        root,
        settings: target.settings,
        credentials: storedCredentials[target.kind].parse(target.credentials),
      });
    case 'azure-blob':
      return createAzureBlobDriver({ root, credentials: storedCredentials['azure-blob'].parse(target.credentials) });
    case 'gcs':
      return createGcsDriver({ root, credentials: storedCredentials.gcs.parse(target.credentials) });
  }
}

export function createStorageConnector({ secrets, log }: { secrets: SecretBox; log?: Logger }): StorageConnector {
  return {
    driverFor(integration: StorageIntegrationRow): StorageDriver {
      try {
        const credentials = openCredentials(secrets, integration.kind, integration.credentialsSealed);
        return driverForTarget({ kind: integration.kind, rootUri: integration.rootUri, settings: integration.settings, credentials });
      } catch (error) {
        // Which integration failed to open, never with what.
        log?.warn('storage integration unusable', { integrationId: integration.id, reason: error instanceof StorageError ? error.message : 'driver failed to build' });
        if (error instanceof StorageError) throw error;
        throw new StorageError('The storage client could not be set up for this integration: replace the credentials', 'invalid');
      }
    },
  };
}
