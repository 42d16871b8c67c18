/**
 * `npm run demo`: builds the dashboard, serves it on an embedded SQLite file
 * (data/demo.db) with a known admin, and runs the demo fleet on the real path
 * (ARCHITECTURE.md, decision 7): simulated Kubernetes API servers on loopback, the real
 * agent for each, the real gateway. Agent logs go to data/demo-agents.log.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { eq } from 'drizzle-orm';

process.env.DATABASE_PATH ??= 'data/demo.db';
process.env.FLEETDECK_ADMIN_EMAIL ??= 'admin@fleetdeck.local';
process.env.FLEETDECK_ADMIN_PASSWORD ??= 'fleetdeck-demo';
Object.assign(process.env, { NODE_ENV: 'production' });

if (!process.argv.includes('--no-build')) {
  execFileSync(process.execPath, ['node_modules/next/dist/bin/next', 'build'], { stdio: 'inherit' });
}

const { getDb } = await import('@/db/client');
const { clusters, environments } = await import('@/db/schema');
const { attachClusterInput } = await import('@/lib/schemas/cluster');
const { startControlPlane, StartupError } = await import('@/server/http/control-plane');
const { attachCluster } = await import('@/server/services/clusters/attach');
const { rotateClusterToken } = await import('@/server/services/clusters/lifecycle');
const { DEMO_FLEET } = await import('@/demo/fleet');
const { SimulatedCluster } = await import('@/demo/simulated-cluster');

const port = Number(process.env.PORT ?? 3000);
const controlPlane = await startControlPlane({ port, hostname: process.env.HOSTNAME_BIND ?? '0.0.0.0' }).catch((error: unknown) => {
  if (!(error instanceof StartupError)) throw error;
  process.stderr.write(`\n  The demo could not start: ${error.message}\n\n`);
  process.exit(1);
});
const db = getDb();
const actor = { userId: null, label: 'demo-fleet', ip: null };
const controlPlaneUrl = `http://127.0.0.1:${port}`;

const envIdsByName = new Map(db.select().from(environments).all().map((env) => [env.name, env.id]));
const fallbackEnvId = envIdsByName.values().next().value;

/** A token for each demo cluster: attach it the first time, rotate afterwards (tokens are stored only as hashes). */
function tokenFor(demo: (typeof DEMO_FLEET)[number]): { token: string; labelKeys: { nodePool: string; gpuType: string } } {
  const existing = db.select().from(clusters).where(eq(clusters.name, demo.name)).get();
  if (existing) {
    const { token } = rotateClusterToken(db, actor, { name: demo.name });
    return { token, labelKeys: { nodePool: existing.nodePoolLabel, gpuType: existing.gpuTypeLabel } };
  }
  const environmentIds = demo.environments.flatMap((name) => envIdsByName.get(name) ?? []);
  const input = attachClusterInput.parse({
    name: demo.name,
    provider: demo.provider,
    region: demo.region,
    environmentIds: environmentIds.length ? environmentIds : [fallbackEnvId],
    baseDomains: [`*.apps.${demo.name}.example.com`],
    addons: demo.addonOverrides ?? {},
  });
  const { token } = attachCluster(db, actor, input);
  return { token, labelKeys: { nodePool: input.nodePoolLabel, gpuType: input.gpuTypeLabel } };
}

const agentLogPath = path.resolve('data/demo-agents.log');
const agentLog = fs.createWriteStream(agentLogPath, { flags: 'a' });
const fleet = await Promise.all(
  DEMO_FLEET.map((demo) => {
    const { token, labelKeys } = tokenFor(demo);
    return SimulatedCluster.start({
      cluster: demo,
      labelKeys,
      controlPlaneUrl,
      token,
      registryHosts: [`127.0.0.1:${port}`],
      logWrite: (line) => agentLog.write(line.endsWith('\n') ? line : `${line}\n`),
    });
  }),
);

process.stdout.write(
  `\n  Fleetdeck demo: ${controlPlane.url}\n` +
    `  Sign in as ${process.env.FLEETDECK_ADMIN_EMAIL} / ${process.env.FLEETDECK_ADMIN_PASSWORD === 'fleetdeck-demo' ? 'fleetdeck-demo' : '(your FLEETDECK_ADMIN_PASSWORD)'}\n` +
    `  ${fleet.length} simulated clusters, each with the real agent; agent logs in ${agentLogPath}\n` +
    `  Data: ${process.env.DATABASE_PATH} (delete it to start over)\n\n`,
);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void Promise.allSettled(fleet.map((c) => c.stop()))
      .then(() => controlPlane.close())
      .finally(() => process.exit(0));
  });
}
