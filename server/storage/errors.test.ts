/**
 * SDK failures in plain words, from the errors each official SDK really throws (built
 * with its own classes), including the cases the loopback servers cannot produce:
 * AWS's wrong-region answers and every GCS failure (there is no GCS emulator here).
 */
import { S3ServiceException } from '@aws-sdk/client-s3';
import { RestError } from '@azure/storage-blob';
import { ApiError } from '@google-cloud/storage';
import { describe, expect, it } from 'vitest';
import { redacted, storageCall, toStorageError, type ErrorContext } from './errors';
import { StorageError } from './types';

const S3: ErrorContext = { provider: 's3', bucket: 'models', region: 'us-east-1', secrets: ['wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'] };
const AZURE: ErrorContext = { provider: 'azure', bucket: 'ml' };
const GCS: ErrorContext = { provider: 'gcs', bucket: 'ml-bucket' };

function s3Error(name: string, status: number, message = '', headers: Record<string, string> = {}) {
  const error = new S3ServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: status }, message });
  Object.assign(error, { $response: { statusCode: status, headers } });
  return error;
}

function gcsError(code: number, message: string, reason?: string) {
  return Object.assign(new ApiError(message), { code, errors: reason ? [{ reason, message }] : [] });
}

function networkError(code: string) {
  return Object.assign(new Error(`connect ${code} 127.0.0.1:9`), { code });
}

describe('toStorageError', () => {
  it.each<[string, unknown, ErrorContext, StorageError['reason'], string | RegExp]>([
    ['S3 NoSuchBucket', s3Error('NoSuchBucket', 404, 'The specified bucket does not exist'), S3, 'bucket-missing', 'Bucket "models" does not exist'],
    ['S3 signature mismatch', s3Error('SignatureDoesNotMatch', 403), S3, 'access-denied', 'Access denied: the secret does not match the access key (signature mismatch)'],
    ['S3 unknown key id', s3Error('InvalidAccessKeyId', 403), S3, 'access-denied', 'Access denied: the access key ID is not known to the storage'],
    ['S3 no permission', s3Error('AccessDenied', 403), S3, 'access-denied', /^Access denied: the credentials have no permission/],
    ['S3 HEAD 403 without a body', s3Error('Forbidden', 403), S3, 'access-denied', 'Access denied: the storage refused the credentials'],
    [
      'S3 301 PermanentRedirect with the bucket region header',
      s3Error('PermanentRedirect', 301, 'The bucket you are attempting to access must be addressed using the specified endpoint.', { 'x-amz-bucket-region': 'eu-west-1' }),
      S3,
      'wrong-region',
      'Wrong region: bucket "models" is in eu-west-1, not us-east-1',
    ],
    [
      'S3 AuthorizationHeaderMalformed naming the expected region',
      s3Error('AuthorizationHeaderMalformed', 400, "The authorization header is malformed; the region 'us-east-1' is wrong; expecting 'ap-south-1'"),
      S3,
      'wrong-region',
      'Wrong region: bucket "models" is in ap-south-1, not us-east-1',
    ],
    ['S3 bare 301', s3Error('Unknown', 301), S3, 'wrong-region', 'Wrong region: bucket "models" is in another region, not us-east-1'],
    ['S3 NoSuchKey', s3Error('NoSuchKey', 404), S3, 'not-found', 'The object does not exist'],
    ['Azure ContainerNotFound', new RestError('The specified container does not exist.', { code: 'ContainerNotFound', statusCode: 404 }), AZURE, 'bucket-missing', 'Container "ml" does not exist'],
    ['Azure AuthenticationFailed', new RestError('Server failed to authenticate the request.', { code: 'AuthenticationFailed', statusCode: 403 }), AZURE, 'access-denied', /^Access denied: the account key or SAS was refused/],
    ['Azure AuthorizationFailure', new RestError('This request is not authorized.', { code: 'AuthorizationFailure', statusCode: 403 }), AZURE, 'access-denied', /^Access denied/],
    ['Azure REQUEST_SEND_ERROR', new RestError('connect ECONNREFUSED 127.0.0.1:9', { code: 'REQUEST_SEND_ERROR' }), AZURE, 'unreachable', 'The endpoint could not be reached: the connection was refused (ECONNREFUSED)'],
    ['GCS bucket 404', gcsError(404, 'The specified bucket does not exist.', 'notFound'), GCS, 'bucket-missing', 'Bucket "ml-bucket" does not exist'],
    ['GCS object 404', gcsError(404, 'No such object: ml-bucket/x', 'notFound'), GCS, 'not-found', 'The object does not exist'],
    ['GCS 403', gcsError(403, 'sa@p.iam.gserviceaccount.com does not have storage.objects.create access', 'forbidden'), GCS, 'access-denied', 'Access denied: the service account has no permission on this bucket'],
    ['GCS invalid_grant (deleted key)', new Error('invalid_grant: Invalid JWT Signature.'), GCS, 'access-denied', /^Access denied: the service-account key was refused/],
    ['DNS failure', networkError('ENOTFOUND'), S3, 'unreachable', 'The endpoint could not be reached: the host name does not resolve (ENOTFOUND)'],
    ['refused, under a cause', Object.assign(new Error('fetch failed'), { cause: networkError('ECONNREFUSED') }), GCS, 'unreachable', /connection was refused/],
    ['SDK timeout', Object.assign(new Error('Connection timed out after 5000 ms'), { name: 'TimeoutError' }), S3, 'unreachable', /did not answer within 5 s/],
  ])('%s', (_name, error, context, reason, message) => {
    const mapped = toStorageError(error, context);
    expect(mapped).toBeInstanceOf(StorageError);
    expect(mapped.reason).toBe(reason);
    if (typeof message === 'string') expect(mapped.message).toBe(message);
    else expect(mapped.message).toMatch(message);
  });

  it('keeps the provider code and text for anything else, with known secrets masked and the text cut short', () => {
    const secret = S3.secrets?.[0] ?? '';
    const mapped = toStorageError(s3Error('SlowDown', 503, `Please reduce your request rate (key ${secret}) ${'x'.repeat(500)}`), S3);
    expect(mapped.reason).toBe('other');
    expect(mapped.message).toMatch(/^The storage answered with an error: SlowDown: Please reduce your request rate/);
    expect(mapped.message).not.toContain(secret);
    expect(mapped.message).toContain('[redacted]');
    expect(mapped.message.length).toBeLessThan(300);
  });

  it('passes a StorageError through unchanged', () => {
    const original = new StorageError('That path is not under the storage root', 'invalid');
    expect(toStorageError(original, S3)).toBe(original);
  });
});

describe('redacted', () => {
  it('masks signatures, account keys and private keys whatever the secrets list holds', () => {
    const text =
      'GET https://a.blob.core.windows.net/c/b?sv=2024&sig=abcDEF123%3D failed; AccountKey=Zm9vYmFy; X-Amz-Signature=deadbeef -----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----';
    const out = redacted(text);
    for (const leaked of ['abcDEF123', 'Zm9vYmFy', 'deadbeef', 'MIIE']) expect(out).not.toContain(leaked);
  });
});

describe('storageCall', () => {
  it('gives up after the deadline as unreachable, and aborts the call', async () => {
    let aborted = false;
    const started = Date.now();
    const call = storageCall(
      (signal) =>
        new Promise<never>(() => {
          signal.addEventListener('abort', () => (aborted = true));
        }),
      S3,
      50,
    );
    await expect(call).rejects.toMatchObject({ reason: 'unreachable', message: 'The endpoint could not be reached: it did not answer within 0 s' });
    expect(aborted).toBe(true);
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
