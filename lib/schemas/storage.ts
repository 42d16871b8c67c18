/**
 * Storage integration inputs, shared by the Settings → Storage form and the storage
 * router: one schema drives both. The form is flat (one field per input, so a server
 * field error lands beside its input) and the kind decides which fields apply.
 *
 * Credentials are write-only: these schemas take them, the server seals them, and no
 * message here ever quotes a secret (a refused key is described, never echoed).
 */
import { z } from 'zod';
import { MAX_NAME, MAX_URL, quoted, recordId, withoutNul } from '@/lib/schemas/limits';
import type { StorageKind } from '@/lib/storage';

// ── Limits ──────────────────────────────────────────────────────────────────

export const MIN_INTEGRATION_NAME = 3;
export const MAX_INTEGRATION_NAME = MAX_NAME;
/** S3 object keys are at most 1,024 bytes; a root longer than that leaves no room for a key. */
export const MAX_ROOT_URI = 1_024;
/** AWS access key ids are 16–128 characters. */
export const MAX_ACCESS_KEY_ID = 128;
/** Secrets of S3-compatible servers vary; none is near this long. */
export const MAX_SECRET = 512;
/** A real service-account key JSON is about 2,300 characters. */
export const MAX_SERVICE_ACCOUNT_KEY = 8_192;
/** An account-key connection string is ~200 characters; one with a SAS token can be longer. */
export const MAX_CONNECTION_STRING = 4_096;
/** IAM role ARNs: 20–2,048 characters. */
export const MAX_ROLE_ARN = 2_048;

// ── AWS regions ─────────────────────────────────────────────────────────────

/** The AWS regions an S3 bucket can live in (commercial, GovCloud and China partitions). */
export const AWS_REGIONS = [
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'af-south-1',
  'ap-east-1',
  'ap-east-2',
  'ap-south-1',
  'ap-south-2',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-southeast-3',
  'ap-southeast-4',
  'ap-southeast-5',
  'ap-southeast-7',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ca-central-1',
  'ca-west-1',
  'eu-central-1',
  'eu-central-2',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'eu-south-1',
  'eu-south-2',
  'eu-north-1',
  'il-central-1',
  'me-south-1',
  'me-central-1',
  'mx-central-1',
  'sa-east-1',
  'us-gov-east-1',
  'us-gov-west-1',
  'cn-north-1',
  'cn-northwest-1',
] as const;
export type AwsRegion = (typeof AWS_REGIONS)[number];

// ── Root URIs ───────────────────────────────────────────────────────────────

/** Where an integration's root points: the bucket (or container) and the prefix under it, without slashes at either end. */
export interface StorageRootParts {
  bucket: string;
  prefix: string;
  /** Azure Blob only: the storage account. */
  account?: string;
}

/** A prefix: path segments of characters every object store accepts in a key, no empty, "." or ".." segment. */
const PREFIX_SEGMENT = /^[A-Za-z0-9!_.*'()-]+$/;

function prefixProblem(prefix: string): string | null {
  if (prefix === '') return null;
  for (const segment of prefix.split('/')) {
    if (segment === '') return 'The prefix has an empty segment ("//"): remove the extra slash';
    if (segment === '.' || segment === '..') return 'The prefix cannot hold "." or ".." segments';
    if (!PREFIX_SEGMENT.test(segment)) return 'The prefix may hold letters, digits and ! _ . * \' ( ) - between slashes';
  }
  return null;
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/** Why `bucket` breaks Amazon's bucket naming rules, or null. */
export function s3BucketProblem(bucket: string): string | null {
  if (bucket.length < 3 || bucket.length > 63) return 'An S3 bucket name is 3–63 characters';
  if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(bucket)) {
    return 'An S3 bucket name uses lower-case letters, digits, "." and "-", and starts and ends with a letter or digit';
  }
  if (bucket.includes('..') || bucket.includes('.-') || bucket.includes('-.')) return 'An S3 bucket name cannot have ".." or a "-" next to a "."';
  if (IPV4.test(bucket)) return 'An S3 bucket name cannot look like an IP address';
  if (bucket.startsWith('xn--') || bucket.startsWith('sthree-')) return 'An S3 bucket name cannot start with "xn--" or "sthree-"';
  if (bucket.endsWith('-s3alias') || bucket.endsWith('--ol-s3')) return 'An S3 bucket name cannot end with "-s3alias" or "--ol-s3"';
  return null;
}

/** Why `bucket` breaks Google's bucket naming rules (names without dots), or null. */
export function gcsBucketProblem(bucket: string): string | null {
  const max = bucket.includes('.') ? 222 : 63;
  if (bucket.length < 3 || bucket.length > max) return 'A GCS bucket name is 3–63 characters (up to 222 with dots)';
  if (!/^[a-z0-9][a-z0-9._-]*[a-z0-9]$/.test(bucket)) {
    return 'A GCS bucket name uses lower-case letters, digits, "-", "_" and ".", and starts and ends with a letter or digit';
  }
  if (bucket.startsWith('goog') || bucket.includes('google')) return 'A GCS bucket name cannot start with "goog" or contain "google"';
  if (IPV4.test(bucket)) return 'A GCS bucket name cannot look like an IP address';
  return null;
}

/** Why `container` breaks Azure's container naming rules, or null. */
export function azureContainerProblem(container: string): string | null {
  if (container.length < 3 || container.length > 63) return 'An Azure container name is 3–63 characters';
  if (!/^[a-z0-9](-?[a-z0-9])*$/.test(container)) {
    return 'An Azure container name uses lower-case letters, digits and single "-", starting and ending with a letter or digit';
  }
  return null;
}

/** Azure storage account names: 3–24 lower-case letters and digits. */
const AZURE_ACCOUNT = /^[a-z0-9]{3,24}$/;

/** `scheme://bucket/prefix` → parts, or why not. */
function bucketUri(scheme: 's3' | 'gs', uri: string, bucketCheck: (bucket: string) => string | null): StorageRootParts | string {
  const example = `${scheme}://bucket/prefix`;
  if (!uri.startsWith(`${scheme}://`)) return `Enter a root like ${example}`;
  const rest = uri.slice(scheme.length + 3).replace(/\/+$/, '');
  const slash = rest.indexOf('/');
  const bucket = slash === -1 ? rest : rest.slice(0, slash);
  const prefix = slash === -1 ? '' : rest.slice(slash + 1);
  if (bucket === '') return `The root names no bucket: enter it like ${example}`;
  const problem = bucketCheck(bucket) ?? prefixProblem(prefix);
  return problem ?? { bucket, prefix };
}

function azureUri(uri: string): StorageRootParts | string {
  const example = 'https://<account>.blob.core.windows.net/<container>/<prefix>';
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return `Enter a root like ${example}`;
  }
  const host = url.hostname.toLowerCase();
  if (url.protocol !== 'https:' || !host.endsWith('.blob.core.windows.net') || url.port !== '' || url.search !== '' || url.hash !== '' || url.username !== '') {
    return `Enter a root like ${example}`;
  }
  const account = host.slice(0, -'.blob.core.windows.net'.length);
  if (!AZURE_ACCOUNT.test(account)) return 'The storage account in the root is 3–24 lower-case letters and digits';
  const path = url.pathname.replace(/^\/+/, '').replace(/\/+$/, '');
  const slash = path.indexOf('/');
  const container = slash === -1 ? path : path.slice(0, slash);
  const prefix = slash === -1 ? '' : path.slice(slash + 1);
  if (container === '') return `The root names no container: enter it like ${example}`;
  const problem = azureContainerProblem(container) ?? prefixProblem(prefix);
  return problem ?? { account, bucket: container, prefix };
}

/** The bucket (container), prefix and account a root URI names for `kind`, or a plain sentence saying what is wrong. */
export function parseStorageRoot(kind: StorageKind, rootUri: string): StorageRootParts | string {
  switch (kind) {
    case 's3':
    case 's3-compatible':
      return bucketUri('s3', rootUri, s3BucketProblem);
    case 'gcs':
      return bucketUri('gs', rootUri, gcsBucketProblem);
    case 'azure-blob':
      return azureUri(rootUri);
  }
}

function rootUriFor(kind: StorageKind) {
  return withoutNul(
    z
      .string()
      .trim()
      .min(1, 'Root URI is required')
      .max(MAX_ROOT_URI, `Root URI must be at most ${MAX_ROOT_URI} characters`),
  )
    .superRefine((uri, ctx) => {
      const parts = parseStorageRoot(kind, uri);
      if (typeof parts === 'string') ctx.addIssue({ code: 'custom', message: parts });
    })
    .transform((uri) => uri.replace(/\/+$/, ''));
}

// ── Credentials ─────────────────────────────────────────────────────────────

const accessKeyId = z
  .string()
  .trim()
  .max(MAX_ACCESS_KEY_ID, `Access key ID must be at most ${MAX_ACCESS_KEY_ID} characters`)
  .regex(/^[A-Za-z0-9_+=.@-]*$/, 'Access key ID holds letters and digits only (no spaces)');

const secretAccessKey = z
  .string()
  .max(MAX_SECRET, `Secret access key must be at most ${MAX_SECRET} characters`)
  .regex(/^\S*$/, 'Secret access key cannot hold spaces or line breaks');

const ROLE_ARN = /^arn:aws(-cn|-us-gov)?:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;

const roleArn = z
  .string()
  .trim()
  .max(MAX_ROLE_ARN, `Role ARN must be at most ${MAX_ROLE_ARN} characters`)
  .refine((arn) => arn === '' || ROLE_ARN.test(arn), 'Enter a role ARN like arn:aws:iam::123456789012:role/fleetdeck-storage');

/** What a service-account key JSON must hold to sign requests. */
const serviceAccountKeyShape = z.object({
  type: z.literal('service_account'),
  project_id: z.string().min(1).max(MAX_NAME),
  private_key: z.string().max(MAX_SERVICE_ACCOUNT_KEY).regex(/-----BEGIN (RSA )?PRIVATE KEY-----[\s\S]+-----END (RSA )?PRIVATE KEY-----/),
  client_email: z.string().max(254).regex(/^[^@\s]+@[^@\s]+\.[^@\s]+$/),
});
export type ServiceAccountKey = z.infer<typeof serviceAccountKeyShape>;

/** Why a pasted key is not a service-account key JSON, in words that never quote it; null when it is. */
export function serviceAccountKeyProblem(text: string): string | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return 'The key could not be read as JSON: paste the whole key file downloaded from Google Cloud';
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return 'The key must be a JSON object (the key file downloaded from Google Cloud)';
  const key = parsed as Record<string, unknown>;
  if (key.type !== 'service_account') return 'The key is not a service-account key ("type" must be "service_account")';
  const result = serviceAccountKeyShape.safeParse(parsed);
  if (result.success) return null;
  const missing = [...new Set(result.error.issues.map((issue) => String(issue.path[0])))];
  const labels: Record<string, string> = { project_id: 'project_id', private_key: 'a PEM private_key', client_email: 'a client_email address' };
  return `The key needs ${missing.map((field) => labels[field] ?? field).join(', ')}`;
}

/** The key's fields, or null when `text` is not a service-account key JSON. */
export function parseServiceAccountKey(text: string): ServiceAccountKey | null {
  try {
    const result = serviceAccountKeyShape.safeParse(JSON.parse(text));
    return result.success ? result.data : null;
  } catch {
    return null;
  }
}

const serviceAccountKey = z
  .string()
  .trim()
  .min(1, 'Paste the service-account key JSON')
  .max(MAX_SERVICE_ACCOUNT_KEY, `The key JSON must be at most ${MAX_SERVICE_ACCOUNT_KEY} characters`)
  .superRefine((text, ctx) => {
    const problem = serviceAccountKeyProblem(text);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/** An Azure connection string's settings (`Key=Value;…`), keys as written. */
export function parseConnectionString(text: string): Map<string, string> {
  const settings = new Map<string, string>();
  for (const part of text.split(';')) {
    const trimmed = part.trim();
    if (trimmed === '') continue;
    const eq = trimmed.indexOf('=');
    if (eq <= 0) continue;
    settings.set(trimmed.slice(0, eq).trim(), trimmed.slice(eq + 1).trim());
  }
  return settings;
}

/** The storage account a connection string is for: AccountName, or the one its BlobEndpoint names. */
export function connectionStringAccount(settings: Map<string, string>): string | null {
  const named = settings.get('AccountName');
  if (named) return named;
  const endpoint = settings.get('BlobEndpoint');
  if (!endpoint) return null;
  try {
    const url = new URL(endpoint);
    // The emulator (and any loopback endpoint) names the account in the path.
    if (IPV4.test(url.hostname) || url.hostname === 'localhost') return url.pathname.split('/').filter(Boolean)[0] ?? null;
    return url.hostname.split('.')[0] ?? null;
  } catch {
    return null;
  }
}

/** Why `text` is not a usable connection string, never quoting it; null when it is. */
export function connectionStringProblem(text: string): string | null {
  const settings = parseConnectionString(text);
  if (settings.size === 0) return 'Paste the connection string from the storage account\'s "Access keys" page';
  const endpoint = settings.get('BlobEndpoint');
  if (endpoint !== undefined) {
    try {
      const url = new URL(endpoint);
      if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'BlobEndpoint must be an http(s) URL';
    } catch {
      return 'BlobEndpoint is not a URL';
    }
  }
  const hasAccountKey = settings.has('AccountName') && settings.has('AccountKey');
  const hasSas = settings.has('SharedAccessSignature') && endpoint !== undefined;
  if (!hasAccountKey && !hasSas) {
    return 'The connection string needs AccountName and AccountKey, or BlobEndpoint and SharedAccessSignature';
  }
  const key = settings.get('AccountKey');
  if (key !== undefined && !/^[A-Za-z0-9+/]+={0,2}$/.test(key)) return 'AccountKey is not a base64 key: copy it again from the portal';
  return null;
}

const connectionString = withoutNul(
  z
    .string()
    .trim()
    .min(1, 'Paste the connection string')
    .max(MAX_CONNECTION_STRING, `The connection string must be at most ${MAX_CONNECTION_STRING} characters`),
).superRefine((text, ctx) => {
  const problem = connectionStringProblem(text);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

const endpointUrl = z
  .string()
  .trim()
  .min(1, 'Endpoint URL is required')
  .max(MAX_URL, `Endpoint URL must be at most ${MAX_URL} characters`)
  .superRefine((value, ctx) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      ctx.addIssue({ code: 'custom', message: `${quoted(value)} is not a URL: enter one like https://minio.example.com:9000` });
      return;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') ctx.addIssue({ code: 'custom', message: 'The endpoint must be an http:// or https:// URL' });
    else if (url.username || url.password) ctx.addIssue({ code: 'custom', message: 'Put the access key in its own fields, not in the URL' });
    else if (url.search || url.hash) ctx.addIssue({ code: 'custom', message: 'The endpoint cannot carry a query or fragment' });
  })
  .transform((value) => value.replace(/\/+$/, ''));

// ── Create ──────────────────────────────────────────────────────────────────

export const integrationName = withoutNul(
  z
    .string()
    .trim()
    .min(MIN_INTEGRATION_NAME, `Name must be at least ${MIN_INTEGRATION_NAME} characters`)
    .max(MAX_INTEGRATION_NAME, `Name must be at most ${MAX_INTEGRATION_NAME} characters`),
);

const region = z.enum(AWS_REGIONS, 'Choose an AWS region from the list');

/** Access key + secret, or a role to assume, or both (the key then assumes the role). */
function requireS3Identity(input: { accessKeyId?: string; secretAccessKey?: string; roleArn?: string }, ctx: z.RefinementCtx) {
  const hasId = Boolean(input.accessKeyId);
  const hasSecret = Boolean(input.secretAccessKey);
  if (hasId && !hasSecret) ctx.addIssue({ code: 'custom', path: ['secretAccessKey'], message: 'Enter the secret access key that goes with the access key ID' });
  if (hasSecret && !hasId) ctx.addIssue({ code: 'custom', path: ['accessKeyId'], message: 'Enter the access key ID that goes with the secret' });
  if (!hasId && !hasSecret && !input.roleArn) {
    ctx.addIssue({ code: 'custom', path: ['accessKeyId'], message: 'Enter an access key and secret, or a role ARN to assume' });
  }
}

function requireKeyPair(input: { accessKeyId: string; secretAccessKey: string }, ctx: z.RefinementCtx) {
  if (!input.accessKeyId) ctx.addIssue({ code: 'custom', path: ['accessKeyId'], message: 'Access key ID is required' });
  if (!input.secretAccessKey) ctx.addIssue({ code: 'custom', path: ['secretAccessKey'], message: 'Secret access key is required' });
}

/** Why the connection string cannot serve the Azure root (another account), or null. */
export function azureAccountProblem(rootUri: string, connectionString: string): string | null {
  const root = parseStorageRoot('azure-blob', rootUri);
  if (typeof root === 'string') return null;
  const account = connectionStringAccount(parseConnectionString(connectionString));
  return account !== null && account !== root.account ? `The connection string is for another storage account than the root's (${root.account})` : null;
}

function requireSameAzureAccount(input: { rootUri: string; connectionString: string }, ctx: z.RefinementCtx) {
  const problem = azureAccountProblem(input.rootUri, input.connectionString);
  if (problem) ctx.addIssue({ code: 'custom', path: ['connectionString'], message: problem });
}

export const s3IntegrationInput = z
  .object({
    kind: z.literal('s3'),
    name: integrationName,
    rootUri: rootUriFor('s3'),
    region,
    accessKeyId: accessKeyId.optional().default(''),
    secretAccessKey: secretAccessKey.optional().default(''),
    roleArn: roleArn.optional().default(''),
  })
  .superRefine(requireS3Identity);

export const gcsIntegrationInput = z.object({
  kind: z.literal('gcs'),
  name: integrationName,
  rootUri: rootUriFor('gcs'),
  serviceAccountKey,
});

export const azureBlobIntegrationInput = z
  .object({
    kind: z.literal('azure-blob'),
    name: integrationName,
    rootUri: rootUriFor('azure-blob'),
    connectionString,
  })
  .superRefine(requireSameAzureAccount);

export const s3CompatibleIntegrationInput = z
  .object({
    kind: z.literal('s3-compatible'),
    name: integrationName,
    endpoint: endpointUrl,
    rootUri: rootUriFor('s3-compatible'),
    accessKeyId: accessKeyId,
    secretAccessKey: secretAccessKey,
  })
  .superRefine(requireKeyPair);

export const createStorageIntegrationInput = z.discriminatedUnion(
  'kind',
  [s3IntegrationInput, gcsIntegrationInput, azureBlobIntegrationInput, s3CompatibleIntegrationInput],
  { error: 'Choose a storage kind: AWS S3, Google Cloud Storage, Azure Blob or S3-compatible' },
);
export type CreateStorageIntegrationInput = z.infer<typeof createStorageIntegrationInput>;
/** The form's values before parsing (every field a string). */
export type CreateStorageIntegrationForm = z.input<typeof createStorageIntegrationInput>;

// ── Replace credentials, update, refs ────────────────────────────────────────

export const storageIntegrationRef = z.object({ id: recordId });
export type StorageIntegrationRef = z.infer<typeof storageIntegrationRef>;

/**
 * New credentials for an integration of `kind` (the server checks it is the row's kind).
 * For AWS S3 the role ARN is part of the identity, so it is replaced here too.
 */
export const replaceStorageCredentialsInput = z.discriminatedUnion(
  'kind',
  [
    z
      .object({
        id: recordId,
        kind: z.literal('s3'),
        accessKeyId: accessKeyId.optional().default(''),
        secretAccessKey: secretAccessKey.optional().default(''),
        roleArn: roleArn.optional().default(''),
      })
      .superRefine(requireS3Identity),
    z.object({ id: recordId, kind: z.literal('gcs'), serviceAccountKey }),
    z.object({ id: recordId, kind: z.literal('azure-blob'), connectionString }),
    z
      .object({ id: recordId, kind: z.literal('s3-compatible'), accessKeyId: accessKeyId, secretAccessKey: secretAccessKey })
      .superRefine(requireKeyPair),
  ],
  { error: 'Choose the storage kind of the integration' },
);
export type ReplaceStorageCredentialsInput = z.infer<typeof replaceStorageCredentialsInput>;

/** What may change without new credentials: the name, the S3 region, the S3-compatible endpoint. The root stays (repos live under it). */
export const updateStorageIntegrationInput = z.object({
  id: recordId,
  name: integrationName,
  region: region.optional(),
  endpoint: endpointUrl.optional(),
});
export type UpdateStorageIntegrationInput = z.infer<typeof updateStorageIntegrationInput>;

// ── Stored credentials ──────────────────────────────────────────────────────

/** The sealed JSON per kind: exactly what the driver needs, nothing the settings already hold. */
export const storedCredentials = {
  s3: z.object({ accessKeyId: z.string(), secretAccessKey: z.string() }).partial(),
  gcs: z.object({ serviceAccountKey: z.string() }),
  'azure-blob': z.object({ connectionString: z.string() }),
  's3-compatible': z.object({ accessKeyId: z.string(), secretAccessKey: z.string() }),
} satisfies Record<StorageKind, z.ZodType>;

export type StorageCredentials = { [K in StorageKind]: z.infer<(typeof storedCredentials)[K]> };
