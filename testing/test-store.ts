/**
 * A fresh, migrated, private store for one test: SQLite in a temporary directory, or,
 * when the suite runs on PostgreSQL (`FLEETDECK_TEST_POSTGRES_URL`, set by
 * testing/postgres-test-env.ts in the postgres project), a new database on the
 * throwaway server, copied from the migrated template when there is one
 * (`FLEETDECK_TEST_POSTGRES_TEMPLATE`).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openStore, type Engine, type Store } from '@/server/store';
import { createTestDatabase } from './postgres-server';

/** The engine this test run exercises (`vitest --project postgres` sets it). */
export function testEngine(): Engine {
  return process.env.FLEETDECK_TEST_POSTGRES_URL ? 'postgres' : 'sqlite';
}

let databases = 0;
/** The next test's database, made while the current test runs (creating one is the slow part). */
let spare: Promise<string> | undefined;

function newDatabase(serverUrl: string): Promise<string> {
  const name = `fd_${process.pid}_${++databases}_${Date.now().toString(36)}`;
  return createTestDatabase(serverUrl, name, process.env.FLEETDECK_TEST_POSTGRES_TEMPLATE || undefined);
}

async function nextDatabase(serverUrl: string): Promise<string> {
  const url = spare ? await spare.catch(() => newDatabase(serverUrl)) : await newDatabase(serverUrl);
  spare = newDatabase(serverUrl);
  // Unused or failed, it is thrown away with the server; a failure shows on the next take.
  spare.catch(() => undefined);
  return url;
}

export async function openTestStore(): Promise<Store> {
  const serverUrl = process.env.FLEETDECK_TEST_POSTGRES_URL;
  if (serverUrl) {
    // The store migrates on open: a no-op on a copy of the migrated template.
    return openStore({ engine: 'postgres', url: await nextDatabase(serverUrl), poolSize: 4 });
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleetdeck-test-'));
  const store = await openStore({ engine: 'sqlite', path: path.join(dir, 'test.db') });
  return {
    ...store,
    async close() {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
