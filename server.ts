/** Entry point: `npm start` (production build) or `npm run dev`. */
import { startControlPlane, StartupError } from '@/server/http/control-plane';
import { logger } from '@/server/logger';

const port = Number(process.env.PORT ?? 3000);
const controlPlane = await startControlPlane({
  port,
  hostname: process.env.HOSTNAME_BIND ?? '0.0.0.0',
  dev: process.env.NODE_ENV !== 'production',
  trustProxy: process.env.FLEETDECK_TRUST_PROXY === '1',
}).catch((error: unknown) => {
  if (!(error instanceof StartupError)) throw error;
  process.stderr.write(`\n  Fleetdeck could not start: ${error.message}\n\n`);
  process.exit(1);
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    logger.info('shutting down', { signal });
    void controlPlane.close().finally(() => process.exit(0));
  });
}
