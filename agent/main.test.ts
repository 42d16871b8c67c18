/**
 * The CLI as a real process: exit codes are part of its contract with Kubernetes
 * (a crash-looping pod vs. a clean stop).
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeControlPlane } from '@/testing/fake-control-plane';
import { FakeKubeApi } from '@/testing/fake-kube-api';
import { waitFor } from '@/testing/wait-for';

const ROOT = path.resolve(import.meta.dirname, '..');
const TOKEN = 'fdct_cli_test_token_9b8a7c6d5e4f3a2b1c0d9e8f7a6b5c4d';

interface Run {
  code: Promise<number | null>;
  output: () => string;
  kill: (signal: NodeJS.Signals) => void;
}

function runCli(args: string[], env: Record<string, string>): Run {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  if (!('FLEETDECK_CLUSTER_TOKEN' in env)) delete childEnv.FLEETDECK_CLUSTER_TOKEN;
  const child = spawn(process.execPath, ['--import', 'tsx', 'agent/main.ts', ...args], {
    cwd: ROOT,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return {
    code: new Promise((resolve) => child.on('exit', (code) => resolve(code))),
    output: () => out,
    kill: (signal) => child.kill(signal),
  };
}

// Each case starts a Node process with tsx: seconds each on a busy 2-core machine.
describe('agent CLI', { timeout: 60_000 }, () => {
  let kube: FakeKubeApi;
  let controlPlane: FakeControlPlane;

  beforeAll(async () => {
    kube = await new FakeKubeApi().start();
    kube.addNode({ name: 'cpu-1', nodePool: 'system' });
    controlPlane = await new FakeControlPlane({ tokens: [TOKEN] }).start();
  });
  afterAll(async () => {
    await controlPlane.stop();
    await kube.stop();
  });

  const args = () => [
    '--control-plane-url',
    controlPlane.url,
    '--kubeconfig',
    kube.kubeconfigFile(),
    '--registry-hosts',
    '127.0.0.1:1',
  ];

  it('exits 1 with a clear message, once, when the token is rejected', async () => {
    const wrong = 'fdct_rejected_token_1234567890abcdef1234567890';
    const run = runCli(args(), { FLEETDECK_CLUSTER_TOKEN: wrong });
    expect(await run.code).toBe(1);
    expect(run.output()).toContain('the control plane rejected the cluster token');
    expect(run.output()).not.toContain(wrong);
    expect(controlPlane.refusedUpgrades).toEqual([401]);
  });

  it('exits 2 without a token', async () => {
    const run = runCli(args(), {});
    expect(await run.code).toBe(2);
    expect(run.output()).toContain('no cluster token');
  });

  it('exits 2 with a message when the kubeconfig does not exist', async () => {
    const run = runCli(['--control-plane-url', controlPlane.url, '--kubeconfig', '/nonexistent/kubeconfig'], {
      FLEETDECK_CLUSTER_TOKEN: TOKEN,
    });
    expect(await run.code).toBe(2);
    expect(run.output()).toContain('cannot start the agent');
    expect(run.output()).not.toContain(TOKEN);
  });

  it('connects, then exits 0 on SIGTERM', async () => {
    const run = runCli(args(), { FLEETDECK_CLUSTER_TOKEN: TOKEN });
    const conn = await controlPlane.waitForConnection(1, 15_000);
    await controlPlane.waitForSnapshot(conn, 10_000);
    run.kill('SIGTERM');
    expect(await run.code).toBe(0);
    await waitFor(() => conn.closed, 2000);
    expect(conn.closeCode).toBe(1000);
    expect(run.output()).not.toContain(TOKEN);
  });

  it('exits 1 without redialling when its session is revoked (4001)', async () => {
    const before = controlPlane.connections.length;
    const run = runCli(args(), { FLEETDECK_CLUSTER_TOKEN: TOKEN });
    const conn = await controlPlane.waitForConnection(before + 1, 15_000);
    await controlPlane.waitForSnapshot(conn, 10_000);
    conn.revoke('token rotated');
    expect(await run.code).toBe(1);
    expect(run.output()).toContain('the control plane rejected the cluster token');
    expect(controlPlane.connections).toHaveLength(before + 1);
  });
});
