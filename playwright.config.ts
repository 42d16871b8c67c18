import { defineConfig } from '@playwright/test';
import { E2E_ADMIN, E2E_DIR, E2E_PORT, E2E_POSTGRES_PORT, E2E_S3_PORT } from './e2e/env';

const serverEnv = {
  NODE_ENV: 'production',
  HOSTNAME_BIND: '127.0.0.1',
  FLEETDECK_ADMIN_EMAIL: E2E_ADMIN.email,
  FLEETDECK_ADMIN_PASSWORD: E2E_ADMIN.password,
  LOG_LEVEL: 'info',
};

/**
 * End-to-end tests drive Debian's Chromium (never a downloaded browser) against the
 * production build, served by server.ts on a fresh SQLite file and, for the `postgres`
 * project, by the same composition root on a throwaway PostgreSQL server.
 * `npm run test:e2e` builds first.
 */
export default defineConfig({
  testDir: './e2e',
  testMatch: '**/*.spec.ts',
  // One server and one database: run specs one after another for determinism.
  workers: 1,
  fullyParallel: false,
  forbidOnly: true,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: process.env.CI ? [['list']] : [['list'], ['html', { open: 'never' }]],
  use: {
    baseURL: `http://127.0.0.1:${E2E_PORT}`,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    permissions: ['clipboard-read', 'clipboard-write'],
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
  projects: [
    { name: 'sqlite', testIgnore: /postgres\.spec\.ts$/ },
    { name: 'postgres', testMatch: /postgres\.spec\.ts$/, use: { baseURL: `http://127.0.0.1:${E2E_POSTGRES_PORT}` } },
  ],
  webServer: [
    {
      // A fresh database every run; the server log is kept so specs can check it for secrets.
      command: `rm -rf ${E2E_DIR} && mkdir -p ${E2E_DIR} && exec node --import tsx server.ts > ${E2E_DIR}/server.log 2>&1`,
      url: `http://127.0.0.1:${E2E_PORT}/api/trpc/health.check`,
      reuseExistingServer: false,
      timeout: 60_000,
      env: {
        ...serverEnv,
        PORT: String(E2E_PORT),
        DATABASE_PATH: `${E2E_DIR}/fleetdeck.db`,
        FLEETDECK_PUBLIC_URL: `http://127.0.0.1:${E2E_PORT}`,
      },
    },
    {
      command: `mkdir -p ${E2E_DIR} && exec node --import tsx e2e/serve-on-postgres.ts > ${E2E_DIR}/server-postgres.log 2>&1`,
      url: `http://127.0.0.1:${E2E_POSTGRES_PORT}/api/trpc/health.check`,
      reuseExistingServer: false,
      timeout: 60_000,
      gracefulShutdown: { signal: 'SIGTERM', timeout: 10_000 },
      env: {
        ...serverEnv,
        PORT: String(E2E_POSTGRES_PORT),
        FLEETDECK_PUBLIC_URL: `http://127.0.0.1:${E2E_POSTGRES_PORT}`,
      },
    },
    {
      // S3-compatible storage on loopback for storage integrations and artifacts.
      command: 'exec node --import tsx e2e/serve-s3.ts',
      // s3rver answers the service root (a bucket list) once it is up.
      url: `http://127.0.0.1:${E2E_S3_PORT}/`,
      reuseExistingServer: false,
      timeout: 30_000,
      gracefulShutdown: { signal: 'SIGTERM', timeout: 5_000 },
      env: { E2E_S3_PORT: String(E2E_S3_PORT) },
    },
  ],
});
