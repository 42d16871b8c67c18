/**
 * A fresh, migrated, private store for one test: SQLite in a temporary directory, or,
 * when the suite runs on PostgreSQL (`FLEETDECK_TEST_POSTGRES_URL`, set by
 * testing/postgres-global-setup.ts), a new database on the throwaway server.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openStore, type Engine, type Store } from '@/server/store';

/** The engine this test run exercises (`vitest --project postgres` sets it). */
export function testEngine(): Engine {
  return process.env.FLEETDECK_TEST_POSTGRES_URL ? 'postgres' : 'sqlite';
}

let databases = 0;

export async function openTestStore(): Promise<Store> {
  const serverUrl = process.env.FLEETDECK_TEST_POSTGRES_URL;
  if (serverUrl) {
    const { createTestDatabase } = await import('./postgres-server');
    const url = await createTestDatabase(serverUrl, `fd_${process.pid}_${++databases}_${Date.now().toString(36)}`);
    return openStore({ engine: 'postgres', url, poolSize: 4 });
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
