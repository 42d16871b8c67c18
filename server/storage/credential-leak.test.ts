/**
 * No credential in plain text at rest or in the log. On a real SQLite file database
 * (WAL mode, so fresh writes sit in the -wal file), with a logger that keeps every line
 * at debug level: integrations of every kind are created with distinctive secrets, Test
 * connection runs (passing and failing, against s3rver and azurite on loopback), and
 * credentials are replaced. Then the bytes of the .db file and its -wal file, and the
 * log text, are searched for every secret.
 */
import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@/server/logger';
import { openStore } from '@/server/store';
import { AZURITE_ACCOUNT_KEY, startAzurite, type AzuriteServer } from '@/testing/azurite';
import { callerFor, createTestControlPlane, insertUser } from '@/testing/router-harness';
import { startS3rver, type S3Server } from '@/testing/s3rver';

const PEM = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
/** A line from the middle of the private key: what a leak of the key would show. */
const PEM_LINE = PEM.split('\n')[5] ?? '';

const SECRETS = {
  awsAccessKeyId: 'AKIALEAKTEST0000AAAA',
  awsSecret: 'LeakTest/AwsSecret+0001/xyzXYZxyzXYZxyzXYZxyz',
  awsSecretReplaced: 'LeakTest/AwsSecret+Replaced/0002/abcABCabc',
  compatWrongSecret: 'LeakTest-CompatWrong-0003',
  compatReplacedSecret: 'LeakTest-CompatReplaced-0004',
  azureKey: AZURITE_ACCOUNT_KEY,
  gcsPrivateKeyLine: PEM_LINE,
};

let s3: S3Server;
let azurite: AzuriteServer;
beforeAll(async () => {
  [s3, azurite] = await Promise.all([startS3rver({ buckets: ['ml-artifacts'] }), startAzurite({ container: 'ml-artifacts' })]);
});
afterAll(async () => {
  await Promise.all([s3?.close(), azurite?.close()]);
});

describe('credentials at rest and in the log', () => {
  it('appear in neither the SQLite file, its WAL, nor the server log', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleetdeck-leak-'));
    const dbPath = path.join(dir, 'fleetdeck.db');
    const lines: string[] = [];
    const log = createLogger('debug', (_level, line) => lines.push(line));
    const store = await openStore({ engine: 'sqlite', path: dbPath });
    const cp = await createTestControlPlane({ store, log });
    const snapshots: Buffer[] = [];
    try {
      const admin = callerFor(cp, await insertUser(cp.store, 'admin', 'admin@example.com'));

      const aws = await admin.storage.create({
        kind: 's3',
        name: 'aws',
        rootUri: 's3://acme-models/x',
        region: 'us-east-1',
        accessKeyId: SECRETS.awsAccessKeyId,
        secretAccessKey: SECRETS.awsSecret,
      });
      await admin.storage.create({
        kind: 'gcs',
        name: 'gcs',
        rootUri: 'gs://acme-gcs/x',
        serviceAccountKey: JSON.stringify({ type: 'service_account', project_id: 'leak-test', private_key: PEM, client_email: 'sa@leak-test.iam.gserviceaccount.com' }),
      });
      const azure = await admin.storage.create({
        kind: 'azure-blob',
        name: 'azure',
        rootUri: 'https://devstoreaccount1.blob.core.windows.net/ml-artifacts/leak',
        connectionString: azurite.connectionString,
      });
      const good = await admin.storage.create({
        kind: 's3-compatible',
        name: 'compat-good',
        endpoint: s3.endpoint,
        rootUri: 's3://ml-artifacts/leak',
        accessKeyId: s3.accessKeyId,
        secretAccessKey: s3.secretAccessKey,
      });
      const wrong = await admin.storage.create({
        kind: 's3-compatible',
        name: 'compat-wrong',
        endpoint: s3.endpoint,
        rootUri: 's3://ml-artifacts/leak',
        accessKeyId: s3.accessKeyId,
        secretAccessKey: SECRETS.compatWrongSecret,
      });

      const results = [
        await admin.storage.testConnection({ id: azure.id }),
        await admin.storage.testConnection({ id: good.id }),
        await admin.storage.testConnection({ id: wrong.id }),
      ];
      expect(results.map((r) => r.ok)).toEqual([true, true, false]);

      await admin.storage.replaceCredentials({ id: aws.id, kind: 's3', accessKeyId: SECRETS.awsAccessKeyId, secretAccessKey: SECRETS.awsSecretReplaced });
      await admin.storage.replaceCredentials({ id: wrong.id, kind: 's3-compatible', accessKeyId: 'S3RVER', secretAccessKey: SECRETS.compatReplacedSecret });
      expect((await admin.storage.testConnection({ id: wrong.id })).ok).toBe(false);
      // A row whose sealed value cannot be opened: the failure path logs too.
      await cp.store.transaction((tx) => tx.update(cp.store.tables.storageIntegrations).set({ credentialsSealed: 'v1:broken' }).where(undefined));
      expect((await admin.storage.testConnection({ id: good.id })).steps[0]?.message).toMatch(/could not be opened/);

      // While open: recent writes are in the WAL.
      expect(fs.existsSync(`${dbPath}-wal`)).toBe(true);
      snapshots.push(fs.readFileSync(dbPath), fs.readFileSync(`${dbPath}-wal`));
    } finally {
      await cp.close();
    }
    // After close: the WAL is checkpointed into the file.
    snapshots.push(fs.readFileSync(dbPath));
    if (fs.existsSync(`${dbPath}-wal`)) snapshots.push(fs.readFileSync(`${dbPath}-wal`));

    // The test can see what it looks for: plain text lands in these files.
    expect(snapshots.some((bytes) => bytes.includes('compat-wrong'))).toBe(true);
    expect(lines.length).toBeGreaterThan(0);

    const logText = lines.join('\n');
    for (const [label, secret] of Object.entries(SECRETS)) {
      expect(secret.length, label).toBeGreaterThan(15);
      for (const bytes of snapshots) expect(bytes.includes(secret), `${label} in the database files`).toBe(false);
      expect(logText.includes(secret), `${label} in the log`).toBe(false);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
