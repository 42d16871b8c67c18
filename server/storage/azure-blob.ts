/**
 * Azure Blob through the official SDK, from a connection string. Presigned URLs are
 * blob SAS tokens signed with the account key, so a connection string holding only a
 * SAS can test and list but cannot issue URLs (handing out its own SAS would hand out
 * the credential). A browser PUT to the upload URL must send `x-ms-blob-type: BlockBlob`.
 */
import {
  BlobSASPermissions,
  BlobServiceClient,
  generateBlobSASQueryParameters,
  SASProtocol,
  StorageSharedKeyCredential,
} from '@azure/storage-blob';
import { parseConnectionString, type StorageCredentials, type StorageRootParts } from '@/lib/schemas/storage';
import { type ErrorContext, STORAGE_CALL_TIMEOUT_MS, storageCall } from './errors';
import { keyRelativeToRoot, keyUnderRoot, listingPrefix, runConnectionTest } from './probe';
import { type ObjectListing, StorageError, type StorageDriver } from './types';

export interface AzureBlobDriverOptions {
  root: StorageRootParts;
  credentials: StorageCredentials['azure-blob'];
}

/** Clock skew between us and Azure: a SAS valid from a little before now. */
const SAS_SKEW_MS = 5 * 60_000;

export function createAzureBlobDriver({ root, credentials }: AzureBlobDriverOptions): StorageDriver {
  const settings = parseConnectionString(credentials.connectionString);
  const accountName = settings.get('AccountName');
  const accountKey = settings.get('AccountKey');
  const context: ErrorContext = {
    provider: 'azure',
    bucket: root.bucket,
    secrets: [credentials.connectionString, accountKey ?? '', settings.get('SharedAccessSignature') ?? ''].filter(Boolean),
  };
  const call = <T>(run: (signal: AbortSignal) => Promise<T>) => storageCall(run, context);

  let container: ReturnType<BlobServiceClient['getContainerClient']>;
  try {
    const service = BlobServiceClient.fromConnectionString(credentials.connectionString, {
      retryOptions: { maxTries: 1, tryTimeoutInMs: STORAGE_CALL_TIMEOUT_MS },
    });
    container = service.getContainerClient(root.bucket);
  } catch {
    // The SDK's message may quote the connection string: say what is wrong instead.
    throw new StorageError('The connection string could not be used: replace the credentials', 'invalid');
  }
  const blob = (key: string) => container.getBlockBlobClient(keyUnderRoot(root.prefix, key));

  function presign(key: string, ttlSeconds: number, permissions: string): string {
    if (!accountName || !accountKey) {
      throw new StorageError('Presigned URLs need the account key: replace the credentials with a connection string holding AccountKey', 'invalid');
    }
    const client = blob(key);
    const now = Date.now();
    const sas = generateBlobSASQueryParameters(
      {
        containerName: root.bucket,
        blobName: keyUnderRoot(root.prefix, key),
        permissions: BlobSASPermissions.parse(permissions),
        startsOn: new Date(now - SAS_SKEW_MS),
        expiresOn: new Date(now + ttlSeconds * 1000),
        protocol: client.url.startsWith('https:') ? SASProtocol.Https : SASProtocol.HttpsAndHttp,
      },
      new StorageSharedKeyCredential(accountName, accountKey),
    ).toString();
    return `${client.url}?${sas}`;
  }

  return {
    testConnection() {
      return runConnectionTest({
        write: async (key, body) => {
          await call((abortSignal) => blob(key).upload(body, body.length, { abortSignal }));
        },
        read: (key) => call((abortSignal) => blob(key).downloadToBuffer(0, undefined, { abortSignal })),
        remove: async (key) => {
          await call((abortSignal) => blob(key).delete({ abortSignal }));
        },
      });
    },

    async list(folder, page): Promise<ObjectListing> {
      const prefix = listingPrefix(root.prefix, folder);
      const answer = await call(async (abortSignal) => {
        const pages = container
          .listBlobsByHierarchy('/', { prefix, abortSignal })
          .byPage({ continuationToken: page.cursor ?? undefined, maxPageSize: page.limit });
        const first = await pages.next();
        return first.done ? null : first.value;
      });
      if (!answer) return { folders: [], objects: [], nextCursor: null };
      return {
        folders: (answer.segment.blobPrefixes ?? []).map((p) => keyRelativeToRoot(root.prefix, p.name)),
        objects: answer.segment.blobItems
          .filter((item) => item.name !== prefix)
          .map((item) => ({
            key: keyRelativeToRoot(root.prefix, item.name),
            size: Number(item.properties.contentLength ?? 0),
            modifiedAt: item.properties.lastModified,
          })),
        nextCursor: answer.continuationToken ? answer.continuationToken : null,
      };
    },

    async presignDownload(key, ttlSeconds) {
      return presign(key, ttlSeconds, 'r');
    },

    async presignUpload(key, ttlSeconds) {
      return presign(key, ttlSeconds, 'cw');
    },
  };
}
