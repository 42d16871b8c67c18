/**
 * The `postgres` vitest project's global setup: one PostgreSQL server for the whole
 * run, and on it one database migrated once, which each test store copies. Both reach
 * the test workers through `provide` (see postgres-test-env.ts).
 *
 * FLEETDECK_TEST_POSTGRES_URL already set (a server of your own, e.g. on a machine
 * without Debian's packages) is used as it is, and nothing is started.
 */
import type { TestProject } from 'vitest/node';
import { openStore } from '@/server/store';
import { createTestDatabase, startPostgresServer } from './postgres-server';

declare module 'vitest' {
  interface ProvidedContext {
    postgresServerUrl: string;
    postgresTemplate: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const given = process.env.FLEETDECK_TEST_POSTGRES_URL;
  const server = given ? undefined : await startPostgresServer();
  const serverUrl = given || (server?.url as string);
  const template = `fd_template_${process.pid}_${Date.now().toString(36)}`;
  const store = await openStore({ engine: 'postgres', url: await createTestDatabase(serverUrl, template), poolSize: 1 });
  // Closed, so that no session holds the template while workers copy it.
  await store.close();
  project.provide('postgresServerUrl', serverUrl);
  project.provide('postgresTemplate', template);
  return async () => {
    await server?.stop();
  };
}
