/**
 * Entry point: `npm start` (production build) or `npm run dev`. The composition root:
 * read the configuration once, build the control plane, serve it.
 */
import { ConfigError, loadConfig } from '@/server/config';
import { createControlPlane, type ControlPlane } from '@/server/control-plane';
import { summaryCatalog } from '@/server/metrics/summary';
import { startHttpServer, StartupError } from '@/server/http/server';
import { InstanceLockedError } from '@/server/instance-lock';
import { claimInstance } from '@/server/startup';

function fail(message: string): never {
  process.stderr.write(`\n  Fleetdeck could not start: ${message}\n\n`);
  process.exit(1);
}

let controlPlane: ControlPlane;
try {
  const config = loadConfig(process.env);
  // The database lock and the port first: a second start must stop before it writes.
  const instanceLock = await claimInstance(config);
  controlPlane = await createControlPlane(config, { instanceLock, summaryCatalog });
} catch (error) {
  if (error instanceof ConfigError || error instanceof InstanceLockedError || error instanceof StartupError) fail(error.message);
  throw error;
}
const http = await startHttpServer(controlPlane).catch(async (error: unknown) => {
  await controlPlane.close();
  if (error instanceof StartupError) fail(error.message);
  throw error;
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    controlPlane.log.info('shutting down', { signal });
    void http
      .close()
      .then(() => controlPlane.close())
      .finally(() => process.exit(0));
  });
}
