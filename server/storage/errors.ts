/**
 * The one place SDK failures become plain words. Each SDK fails in its own shape
 * (S3ServiceException with a `name` and `$metadata`, Azure's RestError with `code` and
 * `statusCode`, GCS's ApiError with a numeric `code` and `errors[].reason`, Node's
 * network errors with `code` somewhere in the `cause` chain), so this reads them by
 * duck typing and answers one of the reasons `StorageError` knows.
 *
 * What the user sees never holds a credential: the provider's own text is kept only for
 * the "other" case, cut short, and every known secret is masked out of it first.
 */
import { StorageError } from './types';

export type Provider = 's3' | 'azure' | 'gcs';

export interface ErrorContext {
  provider: Provider;
  /** The bucket (or container) the request went to, for "Bucket x does not exist". */
  bucket: string;
  /** The region the client used (S3), for "wrong region" messages. */
  region?: string;
  /** Values that must never appear in a message (keys, secrets, connection strings). */
  secrets?: readonly string[];
}

/** How long one storage call may take before Test connection reports it as unreachable. */
export const STORAGE_CALL_TIMEOUT_MS = 5_000;

const NETWORK_CODES: Record<string, string> = {
  ECONNREFUSED: 'the connection was refused',
  ENOTFOUND: 'the host name does not resolve',
  EAI_AGAIN: 'the host name could not be resolved',
  ETIMEDOUT: 'the connection timed out',
  ECONNRESET: 'the connection was reset',
  EHOSTUNREACH: 'the host is unreachable',
  ENETUNREACH: 'the network is unreachable',
  EPIPE: 'the connection was closed',
  CERT_HAS_EXPIRED: 'its TLS certificate has expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'its TLS certificate is self-signed',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'its TLS certificate could not be verified',
  ERR_TLS_CERT_ALTNAME_INVALID: 'its TLS certificate is for another host',
};

const MAX_PROVIDER_TEXT = 200;

interface ErrorFacts {
  name: string;
  code: string;
  status: number | null;
  message: string;
  /** Lower-cased inner reasons (GCS `errors[].reason`). */
  reasons: string[];
  /** A network error code found anywhere in the cause chain. */
  networkCode: string | null;
  /** S3: the region the bucket is in, when the provider said. */
  bucketRegion: string | null;
}

function field(value: unknown, key: string): unknown {
  return value !== null && typeof value === 'object' && key in value ? (value as Record<string, unknown>)[key] : undefined;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
}

function networkCodeOf(error: unknown): string | null {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && current; depth++) {
    const code = text(field(current, 'code'));
    if (code in NETWORK_CODES) return code;
    const message = text(field(current, 'message'));
    const inMessage = Object.keys(NETWORK_CODES).find((known) => message.includes(known));
    if (inMessage) return inMessage;
    const errors = field(current, 'errors');
    // AggregateError (happy eyeballs): the first inner error says enough.
    current = field(current, 'cause') ?? (Array.isArray(errors) ? errors[0] : undefined);
  }
  return null;
}

function factsOf(error: unknown): ErrorFacts {
  const metadata = field(error, '$metadata');
  const response = field(error, '$response') ?? field(error, 'response');
  const headers = field(response, 'headers');
  const status =
    Number(field(metadata, 'httpStatusCode') ?? field(error, 'statusCode') ?? (typeof field(error, 'code') === 'number' ? field(error, 'code') : NaN)) || null;
  const errors = field(error, 'errors');
  const regionHeader = headers instanceof Map ? headers.get('x-amz-bucket-region') : field(headers, 'x-amz-bucket-region');
  const message = text(field(error, 'message'));
  const regionInMessage = /expecting '([a-z0-9-]+)'/.exec(message)?.[1] ?? text(field(error, 'Region')) ?? '';
  return {
    name: text(field(error, 'name')),
    code: text(field(error, 'Code')) || (typeof field(error, 'code') === 'string' ? text(field(error, 'code')) : ''),
    status,
    message,
    reasons: Array.isArray(errors) ? errors.map((e) => text(field(e, 'reason')).toLowerCase()).filter(Boolean) : [],
    networkCode: networkCodeOf(error),
    bucketRegion: text(regionHeader) || regionInMessage || null,
  };
}

/** `text` with every secret masked, on one line, cut to a sentence's length. */
export function redacted(value: string, secrets: readonly string[] = []): string {
  let out = value;
  for (const secret of secrets) {
    if (secret.length >= 4) out = out.split(secret).join('[redacted]');
  }
  // Signatures and tokens in URLs the SDK may quote.
  out = out.replace(/((?:X-Amz-Signature|X-Amz-Credential|X-Amz-Security-Token|X-Goog-Signature|X-Goog-Credential|sig|AccountKey|SharedAccessSignature)=)[^&;\s]+/gi, '$1[redacted]');
  out = out.replace(/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g, '[private key redacted]');
  out = out.replace(/\s+/g, ' ').trim();
  return out.length > MAX_PROVIDER_TEXT ? `${out.slice(0, MAX_PROVIDER_TEXT - 1)}…` : out;
}

const S3_ACCESS_DENIED: Record<string, string> = {
  SignatureDoesNotMatch: 'Access denied: the secret does not match the access key (signature mismatch)',
  InvalidAccessKeyId: 'Access denied: the access key ID is not known to the storage',
  AccessDenied: 'Access denied: the credentials have no permission for this bucket or prefix',
  Forbidden: 'Access denied: the storage refused the credentials',
  ExpiredToken: 'Access denied: the temporary credentials have expired',
  InvalidToken: 'Access denied: the session token is not valid',
  InvalidClientTokenId: 'Access denied: the access key ID is not known to AWS',
  AccountProblem: 'Access denied: the AWS account has a problem (check billing and status)',
};

/** A plain-words `StorageError` for whatever an SDK call threw. A `StorageError` passes through. */
export function toStorageError(error: unknown, context: ErrorContext): StorageError {
  if (error instanceof StorageError) return error;
  const facts = factsOf(error);
  const container = context.provider === 'azure' ? 'Container' : 'Bucket';
  const key = facts.code || facts.name;

  if (facts.name === 'TimeoutError' || facts.name === 'AbortError' || key === 'RequestTimeout' || (/timed? ?out/i.test(facts.message) && facts.status === null)) {
    return new StorageError(`The endpoint could not be reached: it did not answer within ${STORAGE_CALL_TIMEOUT_MS / 1000} s`, 'unreachable');
  }
  if (facts.networkCode) {
    return new StorageError(`The endpoint could not be reached: ${NETWORK_CODES[facts.networkCode]} (${facts.networkCode})`, 'unreachable');
  }

  // Missing bucket or container.
  if (key === 'NoSuchBucket' || key === 'ContainerNotFound' || (context.provider === 'gcs' && facts.status === 404 && /bucket does not exist|no such bucket/i.test(facts.message))) {
    return new StorageError(`${container} "${context.bucket}" does not exist`, 'bucket-missing');
  }

  // Wrong region (S3): a redirect to the bucket's region, or a signature scoped to another one.
  if (
    key === 'PermanentRedirect' ||
    (key === 'AuthorizationHeaderMalformed' && /region/i.test(facts.message)) ||
    key === 'IllegalLocationConstraintException' ||
    (context.provider === 's3' && facts.status === 301)
  ) {
    const where = facts.bucketRegion ? ` is in ${facts.bucketRegion}` : ' is in another region';
    const not = context.region ? `, not ${context.region}` : '';
    return new StorageError(`Wrong region: bucket "${context.bucket}"${where}${not}`, 'wrong-region');
  }

  // Access denied: wrong key, signature mismatch, no permission.
  if (S3_ACCESS_DENIED[key]) return new StorageError(S3_ACCESS_DENIED[key], 'access-denied');
  if (context.provider === 'azure' && (key === 'AuthenticationFailed' || key === 'AuthorizationFailure' || key.startsWith('AuthorizationPermission') || facts.status === 403)) {
    return new StorageError(
      key === 'AuthenticationFailed'
        ? 'Access denied: the account key or SAS was refused (signature mismatch)'
        : 'Access denied: the credentials have no permission for this container',
      'access-denied',
    );
  }
  if (context.provider === 'gcs' && (facts.status === 401 || facts.status === 403 || /invalid_grant|invalid_client|unauthorized_client/i.test(facts.message))) {
    return new StorageError(
      facts.status === 403
        ? 'Access denied: the service account has no permission on this bucket'
        : 'Access denied: the service-account key was refused (deleted or disabled key)',
      'access-denied',
    );
  }
  if (facts.status === 403 || facts.status === 401) return new StorageError('Access denied: the storage refused the credentials', 'access-denied');

  // A missing object (read of something that is not there).
  if (key === 'NoSuchKey' || key === 'NotFound' || key === 'BlobNotFound' || facts.status === 404) {
    return new StorageError('The object does not exist', 'not-found');
  }

  const label = key && key !== 'Error' ? `${redacted(key, context.secrets)}: ` : facts.status ? `HTTP ${facts.status}: ` : '';
  const said = redacted(facts.message, context.secrets) || 'no details given';
  return new StorageError(`The storage answered with an error: ${label}${said}`, 'other');
}

/** Runs `call`, failing as unreachable when it takes longer than `ms`; SDK failures become `StorageError`s. */
export async function storageCall<T>(call: (signal: AbortSignal) => Promise<T>, context: ErrorContext, ms = STORAGE_CALL_TIMEOUT_MS): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new StorageError(`The endpoint could not be reached: it did not answer within ${Math.round(ms / 1000)} s`, 'unreachable'));
    }, ms);
  });
  try {
    return await Promise.race([call(controller.signal), deadline]);
  } catch (error) {
    throw toStorageError(error, context);
  } finally {
    clearTimeout(timer);
  }
}
