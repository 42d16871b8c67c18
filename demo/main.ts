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
import { DEMO_FLEET, type DemoCluster } from '@/demo/fleet';
import { seedDemoMlRepos } from '@/demo/ml-repos';
import { type DemoStorageServer, startDemoStorage } from '@/demo/storage-server';
import { SimulatedCluster } from '@/demo/simulated-cluster';
import { attachClusterInput } from '@/lib/schemas/cluster';
import { ConfigError, loadConfig } from '@/server/config';
import { createControlPlane, type ControlPlane } from '@/server/control-plane';
import { summaryCatalog } from '@/server/metrics/summary';
import { startHttpServer, StartupError } from '@/server/http/server';
import { InstanceLockedError, type InstanceLock } from '@/server/instance-lock';
import type { Actor } from '@/server/services/audit';
import { attachCluster } from '@/server/services/clusters/attach';
import { rotateClusterToken } from '@/server/services/clusters/lifecycle';
import { claimInstance } from '@/server/startup';

const DEMO_PASSWORD = 'fleetdeck-demo';

function fail(message: string): never {
  process.stderr.write(`\n  The demo could not start: ${message}\n\n`);
  process.exit(1);
}

const env = {
  ...process.env,
  NODE_ENV: 'production',
  DATABASE_PATH: process.env.DATABASE_PATH ?? 'data/demo.db',
  FLEETDECK_ADMIN_EMAIL: process.env.FLEETDECK_ADMIN_EMAIL ?? 'admin@fleetdeck.local',
  FLEETDECK_ADMIN_PASSWORD: process.env.FLEETDECK_ADMIN_PASSWORD ?? DEMO_PASSWORD,
};
let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig(env);
} catch (error) {
  if (error instanceof ConfigError) fail(error.message);
  throw error;
}

// Before the build and before the database is opened: a second demo started while one
// runs must not rebuild the app under it or rewrite its clusters' sessions (issue 9, finding 1).
let instanceLock: InstanceLock;
try {
  instanceLock = await claimInstance(config);
} catch (error) {
  if (error instanceof InstanceLockedError || error instanceof StartupError) fail(error.message);
  throw error;
}

if (!process.argv.includes('--no-build')) {
  try {
    execFileSync(process.execPath, ['node_modules/next/dist/bin/next', 'build'], { stdio: 'inherit' });
  } catch {
    await instanceLock.release();
    fail('the dashboard build failed (see above).');
  }
}

const cp: ControlPlane = await createControlPlane(config, { instanceLock, summaryCatalog });
const http = await startHttpServer(cp).catch(async (error: unknown) => {
  await cp.close();
  if (error instanceof StartupError) fail(error.message);
  throw error;
});
const actor: Actor = { userId: null, label: 'demo-fleet', ip: null };
const controlPlaneUrl = `http://127.0.0.1:${new URL(http.url).port}`;

const { clusters, environments } = cp.store.tables;
const envIdsByName = new Map((await cp.store.db.select().from(environments)).map((row) => [row.name, row.id]));
const fallbackEnvId = envIdsByName.values().next().value;

/** A token for each demo cluster: attach it the first time, rotate afterwards (tokens are stored only as hashes). */
async function tokenFor(demo: DemoCluster): Promise<{ token: string; labelKeys: { nodePool: string; gpuType: string } }> {
  const [existing] = await cp.store.db.select().from(clusters).where(eq(clusters.name, demo.name)).limit(1);
  if (existing) {
    // The demo confirms its own production clusters (the dashboard asks a person to type the name).
    const { token } = await rotateClusterToken(cp, actor, { name: demo.name, confirmName: demo.name }, controlPlaneUrl);
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
  const { token } = await attachCluster(cp, actor, input, controlPlaneUrl);
  return { token, labelKeys: { nodePool: input.nodePoolLabel, gpuType: input.gpuTypeLabel } };
}

const agentLogPath = path.resolve('data/demo-agents.log');
const agentLog = fs.createWriteStream(agentLogPath, { flags: 'a' });
const fleet = await Promise.all(
  DEMO_FLEET.map(async (demo) => {
    const { token, labelKeys } = await tokenFor(demo);
    return SimulatedCluster.start({
      cluster: demo,
      labelKeys,
      controlPlaneUrl,
      token,
      registryHosts: [new URL(controlPlaneUrl).host],
      logWrite: (line) => agentLog.write(line.endsWith('\n') ? line : `${line}\n`),
    });
  }),
);

// Object storage beside the dashboard (its port + 1 unless DEMO_S3_PORT says otherwise),
// then teams, the storage integration and ML repos with their grants and sample objects.
const dashboardPort = new URL(http.url).port;
let storage: DemoStorageServer | null = null;
let mlReposLine = '';
try {
  storage = await startDemoStorage({
    port: Number(process.env.DEMO_S3_PORT ?? Number(dashboardPort) + 1),
    directory: path.resolve(path.dirname(config.database.engine === 'sqlite' ? config.database.path : 'data/demo.db'), 'demo-s3'),
    dashboardOrigins: [`http://127.0.0.1:${dashboardPort}`, `http://localhost:${dashboardPort}`],
  });
  const { lead } = await seedDemoMlRepos(cp, { storageEndpoint: storage.endpoint, password: DEMO_PASSWORD });
  mlReposLine = `  ML repos on an S3-compatible server at ${storage.endpoint}; a team lead: ${lead} / ${DEMO_PASSWORD}\n`;
} catch (error) {
  mlReposLine = `  ML repos were not seeded: ${error instanceof Error ? error.message : String(error)}\n`;
}

process.stdout.write(
  `\n  Fleetdeck demo: ${http.url}\n` +
    `  Sign in as ${config.bootstrapAdmin.email} / ${config.bootstrapAdmin.password === DEMO_PASSWORD ? DEMO_PASSWORD : '(your FLEETDECK_ADMIN_PASSWORD)'}\n` +
    `  ${fleet.length} simulated clusters, each with the real agent; agent logs in ${agentLogPath}\n` +
    mlReposLine +
    `  Data: ${config.database.engine === 'sqlite' ? `${config.database.path} (delete it to start over)` : 'PostgreSQL (DATABASE_URL)'}\n\n`,
);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void Promise.allSettled(fleet.map((c) => c.stop()))
      .then(() => storage?.close())
      .then(() => http.close())
      .then(() => cp.close())
      .finally(() => process.exit(0));
  });
}
