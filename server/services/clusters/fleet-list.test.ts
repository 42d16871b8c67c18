/**
 * The fleet list for triage and the Overview's attention list, through the router on
 * the test engine (this file runs in both the sqlite and the postgres vitest projects).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ListClustersInput } from '@/lib/schemas/cluster';
import { insertCluster } from '@/testing/gateway-fixtures';
import { routerHarness, type RouterHarness } from '@/testing/router-harness';

describe('fleet list for triage', () => {
  let h: RouterHarness;

  beforeEach(async () => {
    h = await routerHarness();
    const { environments, clusterEnvironments, clusterNodes } = h.store.tables;
    const [dev, prod, staging] = await h.store.transaction((tx) =>
      tx
        .insert(environments)
        .values([
          { name: 'dev', color: '#22c55e', isProduction: false },
          { name: 'prod', color: '#ef4444', isProduction: true },
          { name: 'staging', color: '#f59e0b', isProduction: false },
        ])
        .returning(),
    );
    const specs = [
      // name, status, environment, GPU types reported by nodes, Kubernetes version
      { name: 'alpha', status: 'connected', env: dev, gpus: { H100: 8 }, version: 'v1.30.10' },
      { name: 'bravo', status: 'degraded', env: prod, gpus: { A100: 4, 'L40S': 2 }, version: 'v1.30.2' },
      { name: 'charlie', status: 'disconnected', env: dev, gpus: { H200: 8 }, version: 'v1.9.0' },
      { name: 'delta', status: 'disconnected', env: prod, gpus: null, version: 'v1.30.2-eks-1' },
      { name: 'echo', status: 'awaiting_agent', env: staging, gpus: null, version: null },
      // Counts that contain "100" must not match a search for a GPU type named "100".
      { name: 'foxtrot', status: 'connected', env: staging, gpus: { T4: 100 }, version: 'v1.31.0' },
    ] as const;
    for (const [i, spec] of specs.entries()) {
      const { clusterId } = await insertCluster(h.store, {
        name: spec.name,
        status: spec.status,
        gpusByType: spec.gpus,
        kubernetesVersion: spec.version,
        // Older last-seen first: bravo and delta have been silent longest among their kind.
        lastSeenAt: spec.status === 'awaiting_agent' ? null : new Date(1_000_000 + i * 1_000),
      });
      await h.store.transaction(async (tx) => {
        await tx.insert(clusterEnvironments).values({ clusterId, environmentId: spec.env!.id });
        const nodes = Object.entries(spec.gpus ?? {}).map(([gpuType, gpuCount]) => ({
          clusterId,
          name: `${spec.name}-${gpuType}`,
          gpuType,
          gpuCount,
          ready: true,
        }));
        if (nodes.length) await tx.insert(clusterNodes).values(nodes);
      });
    }
  });
  afterEach(() => h.cp.close());

  const names = async (input: ListClustersInput) => (await h.asAdmin.clusters.list(input)).rows.map((row) => row.name);

  it('searches GPU types as well as names, case-insensitively', async () => {
    expect(await names({ search: 'h100' })).toEqual(['alpha']);
    expect(await names({ search: 'H2' })).toEqual(['charlie']);
    expect(await names({ search: 'l40' })).toEqual(['bravo']);
    // "100" is in the names H100 and A100, not in foxtrot's count of 100 T4s.
    expect(await names({ search: '100' })).toEqual(['alpha', 'bravo']);
    expect(await names({ search: 'ech' })).toEqual(['echo']);
    expect(await names({ search: '_' })).toEqual([]);
  });

  it('narrows to clusters needing attention, combined with other filters', async () => {
    expect(await names({ needsAttention: true })).toEqual(['bravo', 'charlie', 'delta']);
    expect(await names({ needsAttention: true, environments: ['prod'] })).toEqual(['bravo', 'delta']);
    expect(await names({ needsAttention: true, statuses: ['disconnected', 'connected'] })).toEqual(['charlie', 'delta']);
  });

  it('takes several statuses and several environments at once', async () => {
    expect(await names({ statuses: ['awaiting_agent', 'degraded'] })).toEqual(['bravo', 'echo']);
    expect(await names({ environments: ['prod', 'staging'] })).toEqual(['bravo', 'delta', 'echo', 'foxtrot']);
    expect(await names({ environments: ['dev', 'staging'], statuses: ['connected'] })).toEqual(['alpha', 'foxtrot']);
  });

  it('sorts the Kubernetes version by major, minor and patch as numbers', async () => {
    const sorted = async (direction: 'asc' | 'desc') =>
      (await h.asAdmin.clusters.list({ sort: 'kubernetesVersion', direction })).rows.map((row) => row.kubernetesVersion);
    // 1.30.2 and 1.30.2-eks-1 are the same release; the name breaks the tie (bravo, delta).
    expect(await sorted('asc')).toEqual(['v1.9.0', 'v1.30.2', 'v1.30.2-eks-1', 'v1.30.10', 'v1.31.0', null]);
    expect(await sorted('desc')).toEqual(['v1.31.0', 'v1.30.10', 'v1.30.2', 'v1.30.2-eks-1', 'v1.9.0', null]);
  });

  it('puts production clusters first in the Overview’s attention list', async () => {
    const overview = await h.asAdmin.clusters.overview();
    // Production (delta disconnected, bravo degraded) before dev's disconnected charlie.
    expect(overview.needingAttention.map((row) => row.name)).toEqual(['delta', 'bravo', 'charlie', 'echo']);
    expect(overview.needingAttention[0]?.environments.map((env) => env.isProduction)).toEqual([true]);
  });
});
