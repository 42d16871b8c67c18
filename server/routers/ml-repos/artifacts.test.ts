/**
 * A repo's artifacts through the router, against real storage on loopback: s3rver (an
 * S3-compatible server checking SigV4) and azurite (Microsoft's Azure Blob emulator).
 * Bytes go through the presigned URLs exactly as a browser sends them, with `fetch`.
 */
import { TRPCError } from '@trpc/server';
import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { StorageKind } from '@/lib/storage';
import type { RepoRole } from '@/lib/ml-repos';
import type { UserPrincipal } from '@/server/access/principal';
import { ARTIFACT_URL_TTL_SECONDS, artifactUploadOrigins } from '@/server/services/ml-repos/artifacts';
import { AZURITE_ACCOUNT_KEY, startAzurite, type AzuriteServer } from '@/testing/azurite';
import { callerFor, insertUser, routerHarness, type RouterHarness } from '@/testing/router-harness';
import { startS3rver, type S3Server } from '@/testing/s3rver';

async function rejection(promise: Promise<unknown>): Promise<TRPCError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TRPCError);
  return error as TRPCError;
}

interface StorageUnderTest {
  kind: StorageKind;
  /**
   * Whether the server can hand out a page marker. s3rver 3.7 cannot on Node 20: it
   * encrypts its continuation token with DES, which OpenSSL 3 only has in the legacy
   * provider, so a truncated listing answers InternalError (real S3 has no such limit).
   */
  pagesWithCursor: boolean;
  rootUri: string;
  settings: Record<string, string>;
  credentials: Record<string, string>;
}

let s3: S3Server;
let azurite: AzuriteServer;
beforeAll(async () => {
  [s3, azurite] = await Promise.all([startS3rver({ buckets: ['ml-artifacts'] }), startAzurite({ container: 'ml-artifacts' })]);
});
afterAll(async () => {
  await Promise.all([s3?.close(), azurite?.close()]);
});

/** Each run gets its own prefix under the root: storage outlives one test's store. */
let runPrefix = 0;
const STORAGES: Record<string, () => StorageUnderTest> = {
  's3-compatible (s3rver)': () => ({
    kind: 's3-compatible',
    pagesWithCursor: false,
    rootUri: `s3://ml-artifacts/run-${++runPrefix}`,
    settings: { endpoint: s3.endpoint },
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
  }),
  'azure-blob (azurite)': () => ({
    kind: 'azure-blob',
    pagesWithCursor: true,
    rootUri: `https://devstoreaccount1.blob.core.windows.net/ml-artifacts/run-${++runPrefix}`,
    settings: {},
    credentials: { connectionString: azurite.connectionString },
  }),
};

describe.each(Object.keys(STORAGES))('ML repo artifacts on %s', (storageName) => {
  let h: RouterHarness;
  let repoId: number;
  let storage: StorageUnderTest;
  const people = {} as Record<'editor' | 'viewer', UserPrincipal>;

  async function grant(userId: number, role: RepoRole) {
    const { mlRepoGrants } = h.store.tables;
    await h.store.transaction((tx) => tx.insert(mlRepoGrants).values({ repoId, subjectKind: 'user', userId, role, grantedByUserId: h.admin.userId }));
  }

  beforeEach(async () => {
    h = await routerHarness();
    storage = STORAGES[storageName]!();
    const { mlRepos, storageIntegrations } = h.store.tables;
    const [integration] = await h.store.transaction((tx) =>
      tx
        .insert(storageIntegrations)
        .values({
          name: 'loopback',
          kind: storage.kind,
          rootUri: storage.rootUri,
          settings: storage.settings,
          credentialsSealed: h.cp.secrets.seal(JSON.stringify(storage.credentials), 'storage-integration.credentials'),
          credentialsHint: 'test',
        })
        .returning(),
    );
    const [repo] = await h.store.transaction((tx) =>
      tx.insert(mlRepos).values({ name: 'vision', storageIntegrationId: integration!.id, createdByUserId: h.admin.userId }).returning(),
    );
    repoId = repo!.id;
    people.editor = await insertUser(h.store, 'member', 'editor@example.com');
    people.viewer = await insertUser(h.store, 'member', 'viewer@example.com');
    await grant(people.editor.userId, 'editor');
    await grant(people.viewer.userId, 'viewer');
  });
  afterEach(() => h.cp.close());

  const as = (who: 'editor' | 'viewer') => callerFor(h.cp, people[who]);
  const uploadAudits = () => h.store.db.select().from(h.store.tables.auditEvents).where(eq(h.store.tables.auditEvents.action, 'mlRepo.artifact.upload'));

  async function upload(folder: string, fileName: string, body: string) {
    const bytes = new TextEncoder().encode(body);
    const issued = await as('editor').mlRepos.artifacts.uploadUrl({ name: 'vision', folder, fileName, size: bytes.length, contentType: 'text/plain' });
    const response = await fetch(issued.url, {
      method: 'PUT',
      body: bytes,
      // Azure needs the blob type on a PUT; S3 ignores the header.
      headers: { 'x-ms-blob-type': 'BlockBlob', 'content-type': 'text/plain' },
    });
    expect(response.status, await response.clone().text()).toBeLessThan(300);
    return issued;
  }

  it('an editor uploads through a presigned URL, lists it by folder, and downloads the same bytes', async () => {
    const before = Date.now();
    const issued = await upload('models/v1', 'weights.bin', 'tensor bytes: 0123456789');
    expect(issued.key).toBe('models/v1/weights.bin');
    // The URL is short-lived and carries no credential the browser could reuse.
    expect(issued.expiresAt.getTime()).toBeGreaterThanOrEqual(before + (ARTIFACT_URL_TTL_SECONDS - 5) * 1000);
    expect(issued.expiresAt.getTime()).toBeLessThanOrEqual(Date.now() + ARTIFACT_URL_TTL_SECONDS * 1000);
    // (s3rver's secret is its key id, which a SigV4 URL names by design; Azure's account key must never appear.)
    for (const secret of [AZURITE_ACCOUNT_KEY, encodeURIComponent(AZURITE_ACCOUNT_KEY)]) expect(issued.url).not.toContain(secret);
    await upload('', 'README.txt', 'hello');
    // s3rver reports a sub-folder only when an object sits directly in it (it does not
    // walk deeper under a delimiter); S3 and Azure need no such file.
    await upload('models', 'card.md', '# card');

    const top = await as('viewer').mlRepos.artifacts.list({ name: 'vision' });
    expect(top.folders).toEqual([{ name: 'models', path: 'models' }]);
    expect(top.objects.map((o) => [o.key, o.size])).toEqual([['README.txt', 5]]);
    const models = await as('viewer').mlRepos.artifacts.list({ name: 'vision', folder: 'models/' });
    expect(models.folders).toEqual([{ name: 'v1', path: 'models/v1' }]);
    expect(models.objects.map((o) => o.name)).toEqual(['card.md']);
    const v1 = await as('viewer').mlRepos.artifacts.list({ name: 'vision', folder: 'models/v1' });
    expect(v1.objects).toHaveLength(1);
    expect(v1.objects[0]).toMatchObject({ name: 'weights.bin', key: 'models/v1/weights.bin', size: 24 });
    expect(v1.objects[0]!.modifiedAt.getTime()).toBeGreaterThan(before - 60_000);

    const download = await as('viewer').mlRepos.artifacts.downloadUrl({ name: 'vision', key: 'models/v1/weights.bin' });
    const response = await fetch(download.url);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('tensor bytes: 0123456789');

    const audits = await uploadAudits();
    expect(audits).toHaveLength(3);
    expect(audits[0]).toMatchObject({ actorUserId: people.editor.userId, targetType: 'mlRepo', targetId: String(repoId), targetLabel: 'vision' });
    expect(audits[0]!.after).toMatchObject({ key: 'models/v1/weights.bin', size: 24 });
  });

  it('pages a folder with a cursor until every object is seen once', async () => {
    for (const n of [1, 2, 3, 4, 5]) await upload('runs', `run-${n}.json`, `{"run":${n}}`);
    if (!storage.pagesWithCursor) {
      // One page holds them all; a smaller page would need the cursor s3rver cannot make.
      const whole = await as('viewer').mlRepos.artifacts.list({ name: 'vision', folder: 'runs', limit: 5 });
      expect(whole.objects.map((o) => o.key).sort()).toEqual([1, 2, 3, 4, 5].map((n) => `runs/run-${n}.json`));
      return;
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: { objects: { key: string }[]; nextCursor: string | null } = await as('viewer').mlRepos.artifacts.list({
        name: 'vision',
        folder: 'runs',
        limit: 2,
        cursor,
      });
      expect(page.objects.length).toBeLessThanOrEqual(2);
      seen.push(...page.objects.map((o) => o.key));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen.sort()).toEqual([1, 2, 3, 4, 5].map((n) => `runs/run-${n}.json`));
  });

  it("names the storage's origin for the pages' connect-src, so the browser may PUT there", async () => {
    const expected = storage.kind === 's3-compatible' ? s3.endpoint : 'https://devstoreaccount1.blob.core.windows.net';
    expect(await artifactUploadOrigins(h.store)).toEqual([expected]);
  });

  it('an empty repo lists nothing', async () => {
    const listing = await as('viewer').mlRepos.artifacts.list({ name: 'vision' });
    expect(listing).toMatchObject({ folder: '', folders: [], objects: [], nextCursor: null });
  });

  it("refuses a viewer's upload URL before any URL is issued: nothing in the answer, the audit or the bucket", async () => {
    const error = await rejection(as('viewer').mlRepos.artifacts.uploadUrl({ name: 'vision', folder: 'models', fileName: 'x.bin', size: 3 }));
    expect(error.code).toBe('FORBIDDEN');
    expect(JSON.stringify(error)).not.toMatch(/https?:\/\//);
    expect(await uploadAudits()).toHaveLength(0);
    const listing = await as('editor').mlRepos.artifacts.list({ name: 'vision', folder: 'models' });
    expect(listing.objects).toEqual([]);
  });

  it('refuses a member without access on every artifact procedure, and names nothing', async () => {
    for (const call of [
      () => h.asMember.mlRepos.artifacts.list({ name: 'vision' }),
      () => h.asMember.mlRepos.artifacts.downloadUrl({ name: 'vision', key: 'README.txt' }),
      () => h.asMember.mlRepos.artifacts.uploadUrl({ name: 'vision', fileName: 'x', size: 1 }),
      // A repo that does not exist is refused the same way: a member learns nothing.
      () => h.asMember.mlRepos.artifacts.list({ name: 'no-such-repo' }),
    ]) {
      expect((await rejection(call())).code).toBe('FORBIDDEN');
    }
    expect((await rejection(h.asAdmin.mlRepos.artifacts.list({ name: 'no-such-repo' }))).code).toBe('NOT_FOUND');
  });

  it('refuses paths that would leave the repo, with a field message and no URL', async () => {
    const attempts = [
      () => as('editor').mlRepos.artifacts.list({ name: 'vision', folder: '../other-repo' }),
      () => as('editor').mlRepos.artifacts.list({ name: 'vision', folder: '/etc' }),
      () => as('editor').mlRepos.artifacts.downloadUrl({ name: 'vision', key: 'models/../../other-repo/secret.bin' }),
      () => as('editor').mlRepos.artifacts.uploadUrl({ name: 'vision', folder: 'a/./b', fileName: 'x', size: 1 }),
      () => as('editor').mlRepos.artifacts.uploadUrl({ name: 'vision', folder: '', fileName: '../x', size: 1 }),
      () => as('editor').mlRepos.artifacts.uploadUrl({ name: 'vision', folder: '', fileName: '..', size: 1 }),
    ];
    for (const attempt of attempts) {
      const error = await rejection(attempt());
      expect(error.code).toBe('BAD_REQUEST');
    }
    expect(await uploadAudits()).toHaveLength(0);
  });
});

describe('ML repo artifacts when the storage fails', () => {
  let h: RouterHarness;
  afterEach(() => h.cp.close());

  it("answers with the storage's plain words, and no credential", async () => {
    h = await routerHarness();
    const { mlRepos, storageIntegrations } = h.store.tables;
    const [integration] = await h.store.transaction((tx) =>
      tx
        .insert(storageIntegrations)
        .values({
          name: 'unreachable',
          kind: 's3-compatible',
          rootUri: 's3://ml-artifacts/x',
          // Port 1 on loopback: nothing listens, the connection is refused at once.
          settings: { endpoint: 'http://127.0.0.1:1' },
          credentialsSealed: h.cp.secrets.seal(JSON.stringify({ accessKeyId: 'S3RVER', secretAccessKey: 'not-the-secret' }), 'storage-integration.credentials'),
          credentialsHint: 'test',
        })
        .returning(),
    );
    await h.store.transaction((tx) => tx.insert(mlRepos).values({ name: 'broken', storageIntegrationId: integration!.id }));
    const error = await rejection(h.asAdmin.mlRepos.artifacts.list({ name: 'broken' }));
    expect(error.code).toBe('PRECONDITION_FAILED');
    expect(error.message).toMatch(/^The storage integration "unreachable" answered: .*(reach|connect)/i);
    expect(error.message).not.toContain('not-the-secret');
  });
});
