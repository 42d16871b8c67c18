/**
 * Issue 9, finding 1: a second `npm start` / `npm run demo` against the database and
 * port of a running control plane stops with a clear message before it builds, migrates
 * or sweeps anything, and the running one's clusters stay Connected.
 *
 * The first control plane runs in this process (it holds the instance lock), with an
 * agent connected over the real gateway; the second is the real entry point in a child
 * process. Runs on the project's engine: SQLite (lock file) or PostgreSQL (advisory lock).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAgentConnectRequest } from '@/server/agent-gateway';
import { loadConfig, type ControlPlaneConfig } from '@/server/config';
import { createControlPlane, type ControlPlane } from '@/server/control-plane';
import { lockFilePathFor } from '@/server/instance-lock';
import { insertCluster } from '@/testing/gateway-fixtures';
import { listenOnLoopback } from '@/testing/loopback';
import { createTestDatabase } from '@/testing/postgres-server';
import { clusterState, gpuNode, ProtocolClient } from '@/testing/protocol-client';
import { waitFor } from '@/testing/wait-for';

const ROOT = path.resolve(import.meta.dirname, '..');

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(entry: string, args: string[], env: Record<string, string>): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const childEnv: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'info', ...env };
    // '' unsets: the child must not inherit an engine from the caller's environment.
    for (const [key, value] of Object.entries(childEnv)) if (value === '') delete childEnv[key];
    const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], {
      cwd: ROOT,
      env: childEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 40_000);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('a second control plane on the same database or port', { timeout: 60_000 }, () => {
  let dir: string;
  let databaseEnv: Record<string, string>;
  let config: ControlPlaneConfig;
  let cp: ControlPlane;
  let server: http.Server;
  let port: string;
  let clusterId: number;
  let agent: ProtocolClient;

  const clusterRow = async () => {
    const { clusters } = cp.store.tables;
    const [row] = await cp.store.db.select().from(clusters).where(eq(clusters.id, clusterId));
    return row;
  };

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleetdeck-second-'));
    const postgresServer = process.env.FLEETDECK_TEST_POSTGRES_URL;
    databaseEnv = postgresServer
      ? {
          DATABASE_URL: await createTestDatabase(postgresServer, `fd_second_${process.pid}_${Date.now().toString(36)}`),
          FLEETDECK_SECRET_KEY: randomBytes(32).toString('base64'),
        }
      : { DATABASE_PATH: path.join(dir, 'fleet.db') };
    config = loadConfig({ ...databaseEnv, NODE_ENV: 'production', LOG_LEVEL: 'warn' });
    cp = await createControlPlane(config, { skipBootstrap: true });
    server = http.createServer((_req, res) => res.writeHead(404).end());
    server.on('upgrade', (req, socket, head) => {
      if (isAgentConnectRequest(req)) cp.gateway.handleUpgrade(req, socket, head);
    });
    const baseUrl = await listenOnLoopback(server);
    port = new URL(baseUrl).port;

    const inserted = await insertCluster(cp.store);
    clusterId = inserted.clusterId;
    agent = await ProtocolClient.connect(baseUrl, inserted.token);
    await agent.hello();
    agent.snapshot(clusterState({ nodes: [gpuNode('gpu-1', 'H100', 8)] }));
    await waitFor(async () => ((await clusterRow())?.status === 'connected' ? true : undefined));
  });

  afterAll(async () => {
    agent?.close();
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await cp?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function expectFirstUntouched(before: Awaited<ReturnType<typeof clusterRow>>): Promise<void> {
    const after = await clusterRow();
    expect(after?.status).toBe('connected');
    expect(after?.disconnectedAt).toBeNull();
    expect(after?.connectedAt?.getTime()).toBe(before?.connectedAt?.getTime());
    expect(cp.gateway.isConnected(clusterId)).toBe(true);
  }

  it('npm start on the same database and port stops with a clear message and leaves the running one alone', async () => {
    const before = await clusterRow();
    const second = await run('server.ts', [], { ...databaseEnv, PORT: port, HOSTNAME_BIND: '127.0.0.1', NODE_ENV: 'production' });

    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/Another Fleetdeck control plane .*is already running/);
    expect(second.stderr).toContain('Nothing was changed');
    // It stopped before opening the store: no migration, bootstrap or sweep was logged.
    expect(second.stdout).not.toMatch(/marked disconnected|agent gateway started|bootstrap/i);
    await expectFirstUntouched(before);
    if (databaseEnv.DATABASE_PATH) expect(fs.readFileSync(lockFilePathFor(databaseEnv.DATABASE_PATH), 'utf8').trim()).toBe(String(process.pid));
  });

  it('npm run demo on the same database stops before building or writing', async () => {
    const before = await clusterRow();
    // With the fix in place the build is never reached; --no-build keeps a regression from running one here.
    const second = await run('demo/main.ts', ['--no-build'], { ...databaseEnv, PORT: '0' });

    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/The demo could not start: Another Fleetdeck control plane/);
    await expectFirstUntouched(before);
  });

  it('a fresh database on the taken port stops on the port before creating the database', async () => {
    const fresh = path.join(dir, 'other', 'fresh.db');
    const second = await run('server.ts', [], { DATABASE_PATH: fresh, DATABASE_URL: '', PORT: port, HOSTNAME_BIND: '127.0.0.1', NODE_ENV: 'production' });

    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`Port ${port} is already in use`);
    expect(fs.existsSync(fresh)).toBe(false);
    // The lock it took for the moment was given back.
    expect(fs.existsSync(lockFilePathFor(fresh))).toBe(false);
  });
});
