/**
 * The S3 and Azure Blob drivers against real servers on loopback: s3rver (S3-compatible,
 * with SigV4 checked in front of it: testing/sigv4-check.ts) and azurite (Microsoft's
 * emulator). Test connection on a good configuration, a wrong key, a missing bucket and
 * a closed port; presigned PUT then GET with plain `fetch`, as a browser does; listing
 * page by page with the cursor.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StorageKind } from '@/lib/storage';
import { driverForTarget } from '@/server/storage';
import type { StorageDriver } from '@/server/storage/types';
import { AZURITE_ACCOUNT_KEY, azuriteConnectionString, startAzurite, type AzuriteServer } from '@/testing/azurite';
import { startS3rver, type S3Server } from '@/testing/s3rver';

let s3: S3Server;
let azurite: AzuriteServer;
/** A port nothing listens on: bound, then closed. */
let closedPort: number;

beforeAll(async () => {
  [s3, azurite] = await Promise.all([startS3rver({ buckets: ['ml-artifacts'] }), startAzurite({ container: 'ml-artifacts' })]);
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  closedPort = (probe.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
});
afterAll(async () => {
  await Promise.all([s3?.close(), azurite?.close()]);
});

let runs = 0;

interface Variant {
  kind: StorageKind;
  good(prefix: string): StorageDriver;
  wrongKey(prefix: string): StorageDriver;
  missingBucket(prefix: string): StorageDriver;
  unreachable(prefix: string): StorageDriver;
  missingWord: RegExp;
  /** Headers a browser PUT to this store needs besides the body. */
  putHeaders: Record<string, string>;
}

const s3Driver = (bucket: string, prefix: string, secretAccessKey: string, endpoint = s3.endpoint) =>
  driverForTarget({
    kind: 's3-compatible',
    rootUri: `s3://${bucket}/${prefix}`,
    settings: { endpoint },
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey },
  });

const azureDriver = (container: string, prefix: string, connectionString = azurite.connectionString) =>
  driverForTarget({
    kind: 'azure-blob',
    rootUri: `https://devstoreaccount1.blob.core.windows.net/${container}/${prefix}`,
    settings: {},
    credentials: { connectionString },
  });

const VARIANTS: Record<string, Variant> = {
  's3-compatible on s3rver': {
    kind: 's3-compatible',
    good: (prefix) => s3Driver('ml-artifacts', prefix, s3.secretAccessKey),
    wrongKey: (prefix) => s3Driver('ml-artifacts', prefix, 'not-the-secret'),
    missingBucket: (prefix) => s3Driver('no-such-bucket', prefix, s3.secretAccessKey),
    unreachable: (prefix) => s3Driver('ml-artifacts', prefix, s3.secretAccessKey, `http://127.0.0.1:${closedPort}`),
    missingWord: /Bucket "no-such-bucket" does not exist/,
    putHeaders: {},
  },
  'azure-blob on azurite': {
    kind: 'azure-blob',
    good: (prefix) => azureDriver('ml-artifacts', prefix),
    wrongKey: (prefix) =>
      azureDriver('ml-artifacts', prefix, azurite.connectionString.replace(AZURITE_ACCOUNT_KEY, Buffer.from('w'.repeat(64)).toString('base64'))),
    missingBucket: (prefix) => azureDriver('no-such-container', prefix),
    unreachable: (prefix) => azureDriver('ml-artifacts', prefix, azuriteConnectionString(`http://127.0.0.1:${closedPort}/devstoreaccount1`)),
    missingWord: /Container "no-such-container" does not exist/,
    putHeaders: { 'x-ms-blob-type': 'BlockBlob' },
  },
};

describe.each(Object.entries(VARIANTS))('%s', (_name, variant) => {
  const prefix = () => `drivers-${process.pid}-${++runs}`;

  it('Test connection writes, reads back and deletes a probe under the prefix, and leaves nothing behind', async () => {
    const root = prefix();
    const driver = variant.good(root);
    const result = await driver.testConnection();
    expect(result.steps.map((s) => [s.step, s.ok])).toEqual([
      ['write', true],
      ['read', true],
      ['delete', true],
    ]);
    expect(result.ok).toBe(true);
    expect(result.steps[0]?.message).toMatch(/^Wrote \.fleetdeck-probe-[0-9a-f]{16}$/);
    expect(await driver.list('', { limit: 100 })).toEqual({ folders: [], objects: [], nextCursor: null });
  });

  it('fails the write step with "access denied" on a wrong key', async () => {
    const result = await variant.wrongKey(prefix()).testConnection();
    expect(result.ok).toBe(false);
    expect(result.steps).toHaveLength(1);
    expect(result.steps[0]).toMatchObject({ step: 'write', ok: false });
    expect(result.steps[0]?.message).toMatch(/^Access denied: /);
  });

  it('fails the write step naming the missing bucket or container', async () => {
    const result = await variant.missingBucket(prefix()).testConnection();
    expect(result.steps).toEqual([{ step: 'write', ok: false, message: expect.stringMatching(variant.missingWord) }]);
  });

  it('fails the write step as unreachable on a closed port, quickly', async () => {
    const started = Date.now();
    const result = await variant.unreachable(prefix()).testConnection();
    expect(result.steps).toEqual([
      { step: 'write', ok: false, message: 'The endpoint could not be reached: the connection was refused (ECONNREFUSED)' },
    ]);
    expect(Date.now() - started).toBeLessThan(6_000);
  });

  it('uploads through a presigned PUT and downloads the same bytes through a presigned GET', async () => {
    const driver = variant.good(prefix());
    const body = `weights ${Math.random()}`;
    const put = await fetch(await driver.presignUpload('models/v1/model.bin', 60), { method: 'PUT', body, headers: variant.putHeaders });
    expect(put.ok).toBe(true);
    const get = await fetch(await driver.presignDownload('models/v1/model.bin', 60));
    expect(get.status).toBe(200);
    expect(await get.text()).toBe(body);
  });

  it('refuses a presigned URL signed with the wrong key', async () => {
    const root = prefix();
    await fetch(await variant.good(root).presignUpload('a.txt', 60), { method: 'PUT', body: 'a', headers: variant.putHeaders });
    const get = await fetch(await variant.wrongKey(root).presignDownload('a.txt', 60));
    expect(get.status).toBe(403);
  });

  it('lists a folder view page by page with the cursor, every entry once', async () => {
    const root = prefix();
    const driver = variant.good(root);
    // One level of folders: s3rver's delimiter listing skips folders nested deeper (its
    // file-system walk prunes them before it records the common prefix).
    const keys = ['a.txt', 'b.txt', 'c.txt', 'd.txt', 'models/x.bin', 'models/y.bin', 'runs/metrics.json'];
    for (const key of keys) {
      const put = await fetch(await driver.presignUpload(key, 60), { method: 'PUT', body: key, headers: variant.putHeaders });
      expect(put.ok).toBe(true);
    }
    const seen: string[] = [];
    let pages = 0;
    let cursor: string | null = null;
    do {
      const page = await driver.list('', { limit: 2, cursor });
      seen.push(...page.folders, ...page.objects.map((o) => o.key));
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBeGreaterThan(1);
    expect(seen.sort()).toEqual(['a.txt', 'b.txt', 'c.txt', 'd.txt', 'models/', 'runs/']);

    const models = await driver.list('models', { limit: 10 });
    expect(models.objects.map((o) => [o.key, o.size])).toEqual([
      ['models/x.bin', 'models/x.bin'.length],
      ['models/y.bin', 'models/y.bin'.length],
    ]);
    expect(models.objects[0]?.modifiedAt).toBeInstanceOf(Date);
  });

  it('refuses keys that climb out of the root', async () => {
    await expect(variant.good(prefix()).presignDownload('../other/secret.bin', 60)).rejects.toThrow('That path is not under the storage root');
  });
});
