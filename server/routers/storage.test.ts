/**
 * Settings → Storage through the router, on both engines: admins manage, members list
 * names and locations only; bad URIs and keys are refused on their field with nothing
 * written; an integration in use cannot be deleted; credentials never come back, in
 * any answer or audit row. Test connection runs against a real s3rver on loopback.
 */
import { TRPCError } from '@trpc/server';
import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CreateStorageIntegrationForm } from '@/lib/schemas/storage';
import { routerHarness, type RouterHarness } from '@/testing/router-harness';
import { startS3rver, type S3Server } from '@/testing/s3rver';

async function rejection(promise: Promise<unknown>): Promise<TRPCError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TRPCError);
  return error as TRPCError;
}

/** The field errors the client receives, as the error formatter shapes them. */
function fieldErrorsOf(error: TRPCError): Record<string, string[]> {
  const cause = error.cause as { fieldErrors?: Record<string, string[]>; issues?: { path: PropertyKey[]; message: string }[] } | undefined;
  if (cause?.fieldErrors) return cause.fieldErrors;
  const out: Record<string, string[]> = {};
  for (const issue of cause?.issues ?? []) (out[String(issue.path[0])] ??= []).push(issue.message);
  return out;
}

// Distinctive secrets: none may appear in any answer or audit row.
const AWS_SECRET = 'AwsSecretKey+Distinctive/0001abcdEFGH';
const COMPAT_SECRET = 'CompatSecret-Distinctive-0002';
const AZURE_KEY = Buffer.from('AzureAccountKey-Distinctive-0003-padding-padding-padding!!').toString('base64');
const GCS_PRIVATE_BODY = 'MIIEvGcsPrivateKeyDistinctive0004';
const GCS_KEY = JSON.stringify({
  type: 'service_account',
  project_id: 'fleetdeck-test',
  private_key: `-----BEGIN PRIVATE KEY-----\n${GCS_PRIVATE_BODY}\n-----END PRIVATE KEY-----\n`,
  client_email: 'artifacts@fleetdeck-test.iam.gserviceaccount.com',
});
const SECRETS = [AWS_SECRET, COMPAT_SECRET, AZURE_KEY, GCS_PRIVATE_BODY];

function expectNoSecrets(value: unknown) {
  const text = JSON.stringify(value);
  for (const secret of SECRETS) expect(text).not.toContain(secret);
}

const S3_INPUT = {
  kind: 's3',
  name: 'aws-models',
  rootUri: 's3://acme-models/fleetdeck',
  region: 'eu-west-1',
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: AWS_SECRET,
} as const;
const GCS_INPUT = { kind: 'gcs', name: 'gcs-models', rootUri: 'gs://acme-gcs/models', serviceAccountKey: GCS_KEY } as const;
const AZURE_INPUT = {
  kind: 'azure-blob',
  name: 'azure-models',
  rootUri: 'https://acmestorage.blob.core.windows.net/models/team',
  connectionString: `DefaultEndpointsProtocol=https;AccountName=acmestorage;AccountKey=${AZURE_KEY};EndpointSuffix=core.windows.net`,
} as const;
const compatInput = (endpoint: string, secretAccessKey = COMPAT_SECRET) =>
  ({ kind: 's3-compatible', name: 'minio', endpoint, rootUri: 's3://ml-artifacts/router-tests', accessKeyId: 'S3RVER', secretAccessKey }) as const;

let s3: S3Server;
beforeAll(async () => {
  s3 = await startS3rver({ buckets: ['ml-artifacts'] });
});
afterAll(() => s3?.close());

describe('storage router', () => {
  let h: RouterHarness;
  beforeEach(async () => {
    h = await routerHarness();
  });
  afterEach(() => h.cp.close());

  const rowCount = async () => (await h.store.db.select().from(h.store.tables.storageIntegrations)).length;
  const auditRows = () => h.store.db.select().from(h.store.tables.auditEvents);

  async function insertRepo(name: string, storageIntegrationId: number) {
    await h.store.transaction((tx) =>
      tx.insert(h.store.tables.mlRepos).values({ name, storageIntegrationId, createdByUserId: h.admin.userId }),
    );
  }

  it('when an admin creates one of each kind, then no answer holds a credential and each shows a hint instead', async () => {
    const created = [
      await h.asAdmin.storage.create(S3_INPUT),
      await h.asAdmin.storage.create(GCS_INPUT),
      await h.asAdmin.storage.create(AZURE_INPUT),
      await h.asAdmin.storage.create({ ...compatInput(s3.endpoint), secretAccessKey: COMPAT_SECRET }),
    ];
    expectNoSecrets(created);
    expect(created.map((c) => c.details.credentialsHint)).toEqual([
      'access key …MPLE',
      'service account artifacts@fleetdeck-test.iam.gserviceaccount.com',
      'account acmestorage (account key)',
      'access key …RVER',
    ]);
    expect(created[0]).not.toHaveProperty('credentialsSealed');
    expect(created[0]?.details.settings).toEqual({ region: 'eu-west-1' });
    expect(created[3]?.details.settings).toEqual({ endpoint: s3.endpoint });

    const adminList = await h.asAdmin.storage.list();
    expectNoSecrets(adminList);
    expect(JSON.stringify(adminList)).not.toContain('credentialsSealed');
    expect(adminList.map((i) => i.name)).toEqual(['aws-models', 'azure-models', 'gcs-models', 'minio']);

    const audit = await auditRows();
    expect(audit.map((a) => a.action)).toEqual(Array(4).fill('storageIntegration.create'));
    expectNoSecrets(audit);
  });

  it('when a member lists, then they see names, kinds and roots only', async () => {
    await h.asAdmin.storage.create(S3_INPUT);
    const listed = await h.asMember.storage.list();
    expect(listed).toEqual([{ id: expect.any(Number), name: 'aws-models', kind: 's3', rootUri: 's3://acme-models/fleetdeck', details: null }]);
  });

  it('when a member tries any change, then it is FORBIDDEN and nothing is written', async () => {
    const { id } = await h.asAdmin.storage.create(S3_INPUT);
    const before = await auditRows();
    const attempts = [
      h.asMember.storage.create({ ...S3_INPUT, name: 'sneaky' }),
      h.asMember.storage.update({ id, name: 'renamed' }),
      h.asMember.storage.replaceCredentials({ id, kind: 's3', accessKeyId: 'AKIAOTHER00000000000', secretAccessKey: 'x' }),
      h.asMember.storage.testConnection({ id }),
      h.asMember.storage.delete({ id }),
    ];
    for (const attempt of attempts) expect((await rejection(attempt)).code).toBe('FORBIDDEN');
    expect(await rowCount()).toBe(1);
    expect(await auditRows()).toEqual(before);
    expect((await h.asAdmin.storage.list())[0]?.name).toBe('aws-models');
  });

  it.each<[string, CreateStorageIntegrationForm, string, RegExp]>([
    ['an S3 root with another scheme', { ...S3_INPUT, rootUri: 'gs://acme-models/x' }, 'rootUri', /Enter a root like s3:\/\/bucket\/prefix/],
    ['an S3 bucket with capitals', { ...S3_INPUT, rootUri: 's3://Acme_Models/x' }, 'rootUri', /S3 bucket name uses lower-case letters/],
    ['an S3 region not on the list', { ...S3_INPUT, region: 'mars-north-1' } as unknown as CreateStorageIntegrationForm, 'region', /Choose an AWS region/],
    ['an S3 role ARN of the wrong shape', { ...S3_INPUT, accessKeyId: '', secretAccessKey: '', roleArn: 'arn:aws:iam::12:user/x' }, 'roleArn', /Enter a role ARN like/],
    ['a GCS root with s3://', { ...GCS_INPUT, rootUri: 's3://acme-gcs/models' }, 'rootUri', /Enter a root like gs:\/\/bucket\/prefix/],
    ['a GCS root with an empty path segment', { ...GCS_INPUT, rootUri: 'gs://acme-gcs//models' }, 'rootUri', /empty segment/],
    ['an Azure root on another host', { ...AZURE_INPUT, rootUri: 'https://acmestorage.example.com/models' }, 'rootUri', /blob\.core\.windows\.net/],
    ['an Azure root without a container', { ...AZURE_INPUT, rootUri: 'https://acmestorage.blob.core.windows.net/' }, 'rootUri', /names no container/],
    ['an S3-compatible root with https://', { ...compatInput('http://127.0.0.1:9000'), rootUri: 'https://minio/ml' }, 'rootUri', /Enter a root like s3:\/\//],
    ['an S3-compatible endpoint that is not http(s)', compatInput('ftp://127.0.0.1:9000'), 'endpoint', /http:\/\/ or https:\/\//],
    ['a key that is not JSON', { ...GCS_INPUT, serviceAccountKey: `not json ${GCS_PRIVATE_BODY}` }, 'serviceAccountKey', /could not be read as JSON/],
    [
      'a key JSON of another type',
      { ...GCS_INPUT, serviceAccountKey: JSON.stringify({ type: 'authorized_user', client_secret: GCS_PRIVATE_BODY }) },
      'serviceAccountKey',
      /not a service-account key/,
    ],
    [
      'a key JSON without a private key',
      { ...GCS_INPUT, serviceAccountKey: JSON.stringify({ type: 'service_account', project_id: 'p', client_email: 'a@p.iam.gserviceaccount.com' }) },
      'serviceAccountKey',
      /needs a PEM private_key/,
    ],
    [
      'a connection string for another account',
      { ...AZURE_INPUT, connectionString: AZURE_INPUT.connectionString.replace('AccountName=acmestorage', 'AccountName=otheraccount') },
      'connectionString',
      /another storage account than the root's \(acmestorage\)/,
    ],
  ])('when the input has %s, then it is refused on that field, nothing is written, no secret echoed', async (_case, input, field, message) => {
    const error = await rejection(h.asAdmin.storage.create(input as Parameters<typeof h.asAdmin.storage.create>[0]));
    expect(error.code).toBe('BAD_REQUEST');
    expect(fieldErrorsOf(error)[field]?.join(' ')).toMatch(message);
    expectNoSecrets({ message: error.message, fields: fieldErrorsOf(error) });
    expect(await rowCount()).toBe(0);
    expect(await auditRows()).toHaveLength(0);
  });

  it('when the name is taken, then create is refused on the name field', async () => {
    await h.asAdmin.storage.create(S3_INPUT);
    const error = await rejection(h.asAdmin.storage.create({ ...GCS_INPUT, name: 'aws-models' }));
    expect(error.code).toBe('CONFLICT');
    expect(fieldErrorsOf(error).name).toEqual(['A storage integration with this name already exists']);
    expect(await rowCount()).toBe(1);
  });

  it('when Test connection runs on s3rver, then each step is reported, stored as the last test, and no secret comes back', async () => {
    const good = await h.asAdmin.storage.create({ ...compatInput(s3.endpoint, s3.secretAccessKey), name: 'good' });
    const result = await h.asAdmin.storage.testConnection({ id: good.id });
    expect(result.steps.map((s) => [s.step, s.ok])).toEqual([
      ['write', true],
      ['read', true],
      ['delete', true],
    ]);
    const listed = (await h.asAdmin.storage.list()).find((i) => i.id === good.id);
    expect(listed?.details?.lastTest).toEqual(result);

    const wrong = await h.asAdmin.storage.create({ ...compatInput(s3.endpoint), name: 'wrong-secret' });
    const failed = await h.asAdmin.storage.testConnection({ id: wrong.id });
    expect(failed).toMatchObject({ ok: false, steps: [{ step: 'write', ok: false, message: expect.stringMatching(/^Access denied: /) }] });
    expectNoSecrets(failed);
    expectNoSecrets(await h.asAdmin.storage.list());
  });

  it('when credentials are replaced, then the answer and the audit hold only hints, and the last test is cleared', async () => {
    const created = await h.asAdmin.storage.create({ ...compatInput(s3.endpoint, s3.secretAccessKey), name: 'rotating' });
    await h.asAdmin.storage.testConnection({ id: created.id });
    const replaced = await h.asAdmin.storage.replaceCredentials({ id: created.id, kind: 's3-compatible', accessKeyId: 'S3RVER', secretAccessKey: COMPAT_SECRET });
    expectNoSecrets(replaced);
    expect(replaced.details.lastTest).toBeNull();
    const audit = (await auditRows()).find((a) => a.action === 'storageIntegration.replaceCredentials');
    expect(audit?.after).toMatchObject({ credentials: 'replaced', credentialsHint: 'access key …RVER' });
    expectNoSecrets(await auditRows());
    // The new (wrong) secret is the one in use now.
    const result = await h.asAdmin.storage.testConnection({ id: created.id });
    expect(result.steps[0]?.message).toMatch(/^Access denied: /);
  });

  it('when replacement credentials are of another kind, then they are refused on the kind field', async () => {
    const created = await h.asAdmin.storage.create(S3_INPUT);
    const error = await rejection(h.asAdmin.storage.replaceCredentials({ id: created.id, kind: 'gcs', serviceAccountKey: GCS_KEY }));
    expect(fieldErrorsOf(error).kind?.[0]).toMatch(/This is an AWS S3 integration/);
    expect((await auditRows()).map((a) => a.action)).toEqual(['storageIntegration.create']);
  });

  it('when an admin renames and changes the region, then the audit row holds before and after', async () => {
    const created = await h.asAdmin.storage.create(S3_INPUT);
    const updated = await h.asAdmin.storage.update({ id: created.id, name: 'aws-eu', region: 'eu-central-1' });
    expect(updated).toMatchObject({ name: 'aws-eu', details: { settings: { region: 'eu-central-1' } } });
    const audit = (await auditRows()).find((a) => a.action === 'storageIntegration.update');
    expect(audit?.before).toMatchObject({ name: 'aws-models', settings: { region: 'eu-west-1' } });
    expect(audit?.after).toMatchObject({ name: 'aws-eu', settings: { region: 'eu-central-1' } });
    const refused = await rejection(h.asAdmin.storage.update({ id: created.id, name: 'aws-eu', endpoint: 'http://x:9000' }));
    expect(fieldErrorsOf(refused).endpoint).toEqual(['Only S3-compatible integrations have an endpoint']);
  });

  it('when ML repos use an integration, then delete is refused naming them; once they are gone it is deleted and audited', async () => {
    const created = await h.asAdmin.storage.create(S3_INPUT);
    await insertRepo('vision', created.id);
    await insertRepo('llm-eval', created.id);
    const listed = (await h.asAdmin.storage.list())[0];
    expect(listed?.details).toMatchObject({ repoCount: 2, repoNames: ['llm-eval', 'vision'] });

    const error = await rejection(h.asAdmin.storage.delete({ id: created.id }));
    expect(error.code).toBe('PRECONDITION_FAILED');
    expect(error.message).toBe('Used by 2 ML repos (llm-eval, vision); move or delete them first');
    expect(await rowCount()).toBe(1);

    const { mlRepos } = h.store.tables;
    await h.store.transaction((tx) => tx.delete(mlRepos).where(eq(mlRepos.storageIntegrationId, created.id)));
    await h.asAdmin.storage.delete({ id: created.id });
    expect(await rowCount()).toBe(0);
    const audit = (await auditRows()).find((a) => a.action === 'storageIntegration.delete');
    expect(audit?.before).toMatchObject({ name: 'aws-models', credentialsHint: 'access key …MPLE' });
  });

  it('when a repo row appears behind the check, then the database still refuses the delete', async () => {
    const created = await h.asAdmin.storage.create(S3_INPUT);
    await insertRepo('vision', created.id);
    const { storageIntegrations } = h.store.tables;
    const direct = h.store.transaction((tx) => tx.delete(storageIntegrations).where(eq(storageIntegrations.id, created.id)));
    await expect(direct).rejects.toThrow();
    expect(await rowCount()).toBe(1);
  });
});
