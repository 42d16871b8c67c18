/**
 * The `postgres` vitest project's global setup: one PostgreSQL server for the whole
 * run, whose URL reaches the test workers through `provide` (see postgres-test-env.ts).
 * Each test file then makes its own databases on it (testing/test-store.ts).
 *
 * FLEETDECK_TEST_POSTGRES_URL already set (a server of your own, e.g. on a machine
 * without Debian's packages) is used as it is, and nothing is started.
 */
import type { TestProject } from 'vitest/node';
import { startPostgresServer } from './postgres-server';

declare module 'vitest' {
  interface ProvidedContext {
    postgresServerUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const given = process.env.FLEETDECK_TEST_POSTGRES_URL;
  if (given) {
    project.provide('postgresServerUrl', given);
    return undefined;
  }
  const server = await startPostgresServer();
  project.provide('postgresServerUrl', server.url);
  return () => server.stop();
}
