/**
 * Issue 9, finding 19: the agent runs from a clean directory holding only what its image
 * holds. The test reads deploy/agent.Dockerfile, builds what its build stage builds (the
 * same npm script), copies what its final stage copies into an empty directory outside
 * the repository (no node_modules above it, no tsx), and starts it the way Kubernetes
 * starts the image: the Dockerfile's ENTRYPOINT plus the rendered Deployment's args, the
 * token from the environment. It must reach the real gateway and report the fake
 * cluster's nodes.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { renderAgentManifests } from '@/lib/install/manifests';
import { buildGpuNode } from '@/testing/kube-objects';
import { FakeKubeApi } from '@/testing/fake-kube-api';
import { insertCluster, startGateway, type GatewayHarness } from '@/testing/gateway-fixtures';
import { waitFor } from '@/testing/wait-for';

const ROOT = path.resolve(import.meta.dirname, '..');
const dockerfile = fs.readFileSync(path.join(ROOT, 'deploy', 'agent.Dockerfile'), 'utf8');

/** The final stage: everything after the last FROM. */
function finalStage(text: string): string {
  return text.slice(text.lastIndexOf('\nFROM '));
}

describe('the agent image', { timeout: 120_000 }, () => {
  let work: string;
  let app: string;
  let kube: FakeKubeApi;
  let h: GatewayHarness;

  beforeAll(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'fleetdeck-agent-image-'));
    app = path.join(work, 'app');
    fs.mkdirSync(app);
    kube = await new FakeKubeApi().start();
    kube.addNode(buildGpuNode({ name: 'gpu-1', nodePool: 'h100', gpuType: 'H100', gpus: 8 }));
    h = await startGateway();
  });

  afterAll(async () => {
    await h?.close();
    await kube?.stop();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('the Dockerfile builds with npm run build:agent and its final stage copies only the bundle', () => {
    expect(dockerfile).toMatch(/^RUN npm run build:agent -- \/src\/dist\/agent$/m);
    const copies = finalStage(dockerfile).match(/^COPY .*$/gm);
    expect(copies).toEqual(['COPY --from=build /src/dist/agent/ /app/']);
    expect(finalStage(dockerfile)).toMatch(/^USER 65532:65532$/m);
  });

  it('runs from a directory holding only the final stage, and the cluster turns Connected with its nodes', async () => {
    // The build stage's command, into a directory of our own; then the final stage's COPY.
    const built = path.join(work, 'dist-agent');
    execFileSync(process.execPath, ['deploy/build-agent.mjs', built], { cwd: ROOT, stdio: 'pipe' });
    fs.cpSync(built, app, { recursive: true });
    expect(fs.readdirSync(app).sort()).toEqual(['agent.mjs', 'agent.mjs.LEGAL.txt']);

    const { clusterId, token } = await insertCluster(h.store, { prometheusUrl: 'http://127.0.0.1:1' });
    const { clusters } = h.store.tables;
    const [cluster] = await h.store.db.select({ name: clusters.name }).from(clusters).where(eq(clusters.id, clusterId));

    // ENTRYPOINT as Kubernetes runs it, with the image's paths mapped onto this machine.
    const entrypoint = JSON.parse(/^ENTRYPOINT (\[.*\])$/m.exec(finalStage(dockerfile))?.[1] ?? '[]') as string[];
    expect(entrypoint).toEqual(['/nodejs/bin/node', '/app/agent.mjs']);
    const [, script] = entrypoint;
    // The Deployment's args exactly as rendered, plus a loopback registry so the egress check stays on this machine.
    const deployment = parseAllDocuments(
      renderAgentManifests({ clusterName: cluster?.name ?? '', controlPlaneUrl: h.baseUrl, tenantName: 't', tokenSecretName: 'fleetdeck-agent-token' }),
    )
      .map((d) => d.toJS() as { kind: string; spec?: { template: { spec: { containers: Array<{ args: string[] }> } } } })
      .find((d) => d.kind === 'Deployment');
    const args = [...(deployment?.spec?.template.spec.containers[0]?.args ?? []), '--registry-hosts', '127.0.0.1:1'];
    expect(args[0]).toBe('--control-plane-url');

    // No in-cluster service account here: the agent falls back to ~/.kube/config, as documented.
    const home = path.join(work, 'home');
    fs.mkdirSync(path.join(home, '.kube'), { recursive: true });
    fs.copyFileSync(kube.kubeconfigFile(), path.join(home, '.kube', 'config'));

    const child = spawn(process.execPath, [path.join(app, path.relative('/app', script ?? '')), ...args], {
      cwd: app,
      // Nothing from this checkout's environment: no NODE_OPTIONS (tsx), no NODE_PATH.
      env: { PATH: process.env.PATH ?? '', HOME: home, NODE_ENV: 'production', FLEETDECK_CLUSTER_TOKEN: token },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const row = await waitFor(
        async () => {
          const [r] = await h.store.db.select().from(clusters).where(eq(clusters.id, clusterId));
          return r?.status !== 'awaiting_agent' && r?.nodeCount === 1 ? r : undefined;
        },
        60_000,
      ).catch((error: unknown) => {
        throw new Error(`the agent never reported: ${String(error)}\n${output}`);
      });
      expect(row).toMatchObject({ nodeCount: 1, gpuCount: 8, gpusByType: { H100: 8 } });
      expect(row.connectedAt).toBeInstanceOf(Date);
      expect(h.gateway.isConnected(clusterId)).toBe(true);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(output).not.toContain(token);
  });
});
