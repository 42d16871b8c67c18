/**
 * AWS S3 and S3-compatible servers (MinIO, Ceph, s3rver) through the official SDK.
 * S3-compatible endpoints are addressed path-style (`endpoint/bucket/key`): most such
 * servers have no per-bucket host names. AWS S3 may assume a role: with an access key
 * the key assumes it, without one the server's own AWS identity does.
 *
 * Listing uses ListObjects (V1) with a marker as the cursor: every S3-compatible server
 * answers it, while s3rver's V2 continuation tokens need DES, which Node 20's OpenSSL 3
 * no longer has (an InternalError on any truncated page).
 *
 * Checksums are sent only when S3 requires them: newer SDKs otherwise put CRC headers
 * into presigned PUT URLs, which a browser upload (with its own body) then fails.
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsCommand,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { StorageRootParts, StorageCredentials } from '@/lib/schemas/storage';
import type { StorageSettings } from '@/lib/storage';
import { type ErrorContext, STORAGE_CALL_TIMEOUT_MS, storageCall } from './errors';
import { keyRelativeToRoot, keyUnderRoot, listingPrefix, runConnectionTest } from './probe';
import type { ObjectListing, StorageDriver } from './types';

/** S3-compatible servers ignore the region, but SigV4 signs one. */
const COMPATIBLE_REGION = 'us-east-1';

export interface S3DriverOptions {
  kind: 's3' | 's3-compatible';
  root: StorageRootParts;
  settings: StorageSettings;
  credentials: StorageCredentials['s3'];
}

/** The client configuration for an integration (exported so tests can check how requests are built). */
export function s3ClientConfig({ kind, settings, credentials }: Omit<S3DriverOptions, 'root'>): S3ClientConfig {
  const region = kind === 's3' ? (settings.region ?? COMPATIBLE_REGION) : COMPATIBLE_REGION;
  const keyPair =
    credentials.accessKeyId && credentials.secretAccessKey
      ? { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey }
      : undefined;
  const roleArn = kind === 's3' ? settings.roleArn : undefined;
  return {
    region,
    ...(kind === 's3-compatible' ? { endpoint: settings.endpoint, forcePathStyle: true } : {}),
    credentials: roleArn
      ? fromTemporaryCredentials({
          ...(keyPair ? { masterCredentials: keyPair } : {}),
          params: { RoleArn: roleArn, RoleSessionName: 'fleetdeck-storage', DurationSeconds: 3600 },
          clientConfig: { region, maxAttempts: 1 },
        })
      : keyPair,
    // One try, short timeouts: Test connection answers within seconds, never hangs.
    maxAttempts: 1,
    requestHandler: { connectionTimeout: STORAGE_CALL_TIMEOUT_MS, requestTimeout: STORAGE_CALL_TIMEOUT_MS },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    // S3 tells us where a bucket really is; following silently would hide a wrong region.
    followRegionRedirects: false,
  };
}

export function createS3Driver(options: S3DriverOptions): StorageDriver {
  const { root } = options;
  const client = new S3Client(s3ClientConfig(options));
  const context: ErrorContext = {
    provider: 's3',
    bucket: root.bucket,
    region: options.kind === 's3' ? options.settings.region : undefined,
    secrets: [options.credentials.secretAccessKey ?? ''].filter(Boolean),
  };
  const call = <T>(run: (signal: AbortSignal) => Promise<T>) => storageCall(run, context);

  return {
    testConnection() {
      return runConnectionTest({
        write: async (key, body) => {
          await call((abortSignal) =>
            client.send(new PutObjectCommand({ Bucket: root.bucket, Key: keyUnderRoot(root.prefix, key), Body: body }), { abortSignal }),
          );
        },
        read: (key) =>
          call(async (abortSignal) => {
            const object = await client.send(new GetObjectCommand({ Bucket: root.bucket, Key: keyUnderRoot(root.prefix, key) }), { abortSignal });
            return Buffer.from((await object.Body?.transformToByteArray()) ?? []);
          }),
        remove: async (key) => {
          await call((abortSignal) => client.send(new DeleteObjectCommand({ Bucket: root.bucket, Key: keyUnderRoot(root.prefix, key) }), { abortSignal }));
        },
      });
    },

    async list(folder, page): Promise<ObjectListing> {
      const prefix = listingPrefix(root.prefix, folder);
      const answer = await call((abortSignal) =>
        client.send(
          new ListObjectsCommand({ Bucket: root.bucket, Prefix: prefix, Delimiter: '/', MaxKeys: page.limit, Marker: page.cursor ?? undefined }),
          { abortSignal },
        ),
      );
      const folders = (answer.CommonPrefixes ?? []).flatMap((p) => (p.Prefix ? [p.Prefix] : []));
      const objects = (answer.Contents ?? []).filter((o) => o.Key && o.Key !== prefix);
      // NextMarker comes with a delimiter; servers that omit it continue after the last name listed.
      const last = [...folders, ...objects.map((o) => o.Key ?? '')].sort().at(-1) ?? null;
      return {
        folders: folders.map((p) => keyRelativeToRoot(root.prefix, p)),
        objects: objects.map((o) => ({
          key: keyRelativeToRoot(root.prefix, o.Key ?? ''),
          size: Number(o.Size ?? 0),
          modifiedAt: o.LastModified ?? new Date(0),
        })),
        nextCursor: answer.IsTruncated ? (answer.NextMarker ?? last) : null,
      };
    },

    presignDownload(key, ttlSeconds) {
      return call(() => getSignedUrl(client, new GetObjectCommand({ Bucket: root.bucket, Key: keyUnderRoot(root.prefix, key) }), { expiresIn: ttlSeconds }));
    },

    presignUpload(key, ttlSeconds) {
      return call(() => getSignedUrl(client, new PutObjectCommand({ Bucket: root.bucket, Key: keyUnderRoot(root.prefix, key) }), { expiresIn: ttlSeconds }));
    },
  };
}
