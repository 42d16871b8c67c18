import path from 'node:path';
import { defineConfig } from 'vitest/config';

/** Suites under server/ that never touch the store: they run once, in the sqlite project. */
const STORE_FREE_SERVER_TESTS = [
  'server/log-throttle.test.ts',
  'server/auth/rate-limit.test.ts',
  'server/auth/password.test.ts',
  'server/metrics/**/*.test.ts',
];

const ALWAYS_EXCLUDED = ['node_modules/**', '.next/**', 'e2e/**'];

export default defineConfig({
  resolve: { alias: { '@': path.resolve(import.meta.dirname) } },
  test: {
    environment: 'node',
    // better-sqlite3 and real sockets: threads share nothing useful, forks are safest.
    pool: 'forks',
    // Two cores: one test file at a time per core, and the PostgreSQL server shares them.
    maxWorkers: 2,
    // Tests that assert on logs inject their own logger; the rest need not print JSON lines.
    env: { LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' },
    testTimeout: 20_000,
    hookTimeout: 30_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'sqlite',
          include: ['**/*.test.ts', '**/*.test.tsx'],
          // The drift test compares both engines, so it lives in the postgres project.
          exclude: [...ALWAYS_EXCLUDED, 'db/schema-drift.test.ts'],
          // A server URL in the caller's environment must not switch this project's engine.
          env: { FLEETDECK_TEST_POSTGRES_URL: '' },
        },
      },
      {
        extends: true,
        test: {
          name: 'postgres',
          // The suites that go through the store: routers, services, the gateway's
          // persistence, the store itself and the schema drift check.
          include: ['server/**/*.test.ts', 'db/**/*.test.ts', 'demo/**/*.test.ts'],
          exclude: [...ALWAYS_EXCLUDED, ...STORE_FREE_SERVER_TESTS],
          globalSetup: ['testing/postgres-global-setup.ts'],
          setupFiles: ['testing/postgres-test-env.ts'],
        },
      },
    ],
  },
});
