/**
 * `npm run demo`: builds the dashboard and serves it on an embedded SQLite file
 * (data/demo.db) with a known admin, so a first look needs no configuration.
 */
import { execFileSync } from 'node:child_process';

process.env.DATABASE_PATH ??= 'data/demo.db';
process.env.FLEETDECK_ADMIN_EMAIL ??= 'admin@fleetdeck.local';
process.env.FLEETDECK_ADMIN_PASSWORD ??= 'fleetdeck-demo';
Object.assign(process.env, { NODE_ENV: 'production' });

if (!process.argv.includes('--no-build')) {
  execFileSync(process.execPath, ['node_modules/next/dist/bin/next', 'build'], { stdio: 'inherit' });
}

const { startControlPlane } = await import('@/server/http/control-plane');
const port = Number(process.env.PORT ?? 3000);
const controlPlane = await startControlPlane({ port, hostname: process.env.HOSTNAME_BIND ?? '0.0.0.0' });

process.stdout.write(
  `\n  Fleetdeck demo: ${controlPlane.url}\n  Sign in as ${process.env.FLEETDECK_ADMIN_EMAIL} / ${process.env.FLEETDECK_ADMIN_PASSWORD === 'fleetdeck-demo' ? 'fleetdeck-demo' : '(your FLEETDECK_ADMIN_PASSWORD)'}\n  Data: ${process.env.DATABASE_PATH} (delete it to start over)\n\n`,
);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void controlPlane.close().finally(() => process.exit(0)));
}
