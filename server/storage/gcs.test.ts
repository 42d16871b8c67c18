/**
 * The GCS driver without Google: there is no GCS emulator here, so this checks how its
 * requests are built (SDK options from the key JSON, V4 signed URLs for the key under
 * the root, signed locally with the key) and refusals that need no network. Error
 * mapping of GCS failures is in errors.test.ts.
 */
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createGcsDriver, gcsStorageOptions } from './gcs';

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PRIVATE_KEY = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const KEY_JSON = JSON.stringify({
  type: 'service_account',
  project_id: 'fleetdeck-test',
  private_key_id: 'abc123',
  private_key: PRIVATE_KEY,
  client_email: 'artifacts@fleetdeck-test.iam.gserviceaccount.com',
  client_id: '1',
  token_uri: 'https://oauth2.googleapis.com/token',
});

const driver = () => createGcsDriver({ root: { bucket: 'ml-bucket', prefix: 'team/a' }, credentials: { serviceAccountKey: KEY_JSON } });

describe('GCS driver (no emulator: request building only)', () => {
  it('builds the SDK options from the key JSON, without retries', () => {
    const options = gcsStorageOptions({ credentials: { serviceAccountKey: KEY_JSON } });
    expect(options.projectId).toBe('fleetdeck-test');
    expect(options.credentials).toEqual({ client_email: 'artifacts@fleetdeck-test.iam.gserviceaccount.com', private_key: PRIVATE_KEY });
    expect(options.retryOptions).toMatchObject({ autoRetry: false });
  });

  it('refuses a key that is not a service-account key, without quoting it', () => {
    expect(() => gcsStorageOptions({ credentials: { serviceAccountKey: '{"type":"authorized_user","secret":"hunter2"}' } })).toThrow(
      'The service-account key could not be read: replace the credentials',
    );
  });

  it.each([
    ['read', 'presignDownload'],
    ['write', 'presignUpload'],
  ] as const)('signs a V4 %s URL for the key under the root, for the TTL, holding no key material', async (_action, method) => {
    const url = new URL(await driver()[method]('models/v1/model.bin', 300));
    expect(url.origin).toBe('https://storage.googleapis.com');
    expect(url.pathname).toBe('/ml-bucket/team/a/models/v1/model.bin');
    expect(url.searchParams.get('X-Goog-Algorithm')).toBe('GOOG4-RSA-SHA256');
    expect(url.searchParams.get('X-Goog-Credential')).toMatch(/^artifacts@fleetdeck-test\.iam\.gserviceaccount\.com\/\d{8}\/auto\/storage\/goog4_request$/);
    expect(url.searchParams.get('X-Goog-Expires')).toBe('300');
    expect(url.searchParams.get('X-Goog-Signature')).toMatch(/^[0-9a-f]{512}$/);
    expect(url.toString()).not.toContain('PRIVATE KEY');
  });

  it('refuses a key outside the root before signing', async () => {
    await expect(driver().presignDownload('../../other-team/model.bin', 60)).rejects.toThrow('That path is not under the storage root');
  });
});
