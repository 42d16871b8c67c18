/**
 * The e2e control plane on PostgreSQL: a throwaway Debian PostgreSQL server, then the
 * same composition root `server.ts` runs, with `DATABASE_URL` pointing at it. Started by
 * playwright.config.ts beside the SQLite server; stopped with SIGTERM.
 */
import { randomBytes } from 'node:crypto';
import { loadConfig } from '@/server/config';
import { createControlPlane } from '@/server/control-plane';
import { startHttpServer } from '@/server/http/server';
import { startPostgresServer } from '@/testing/postgres-server';

const postgres = await startPostgresServer();
// PostgreSQL refuses to start without a secret key: a throwaway database gets a throwaway key.
const controlPlane = await createControlPlane(
  loadConfig({ FLEETDECK_SECRET_KEY: randomBytes(32).toString('base64'), ...process.env, DATABASE_URL: postgres.url }),
);
const http = await startHttpServer(controlPlane);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void http
      .close()
      .then(() => controlPlane.close())
      .then(() => postgres.stop())
      .finally(() => process.exit(0));
  });
}
