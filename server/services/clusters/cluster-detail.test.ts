import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { insertCluster } from '@/testing/gateway-fixtures';
import { routerHarness, type RouterHarness } from '@/testing/router-harness';

let h: RouterHarness;

beforeEach(async () => {
  h = await routerHarness();
});

afterEach(() => h.cp.close());

async function report(clusterId: number, fields: { preflight?: { id: 'gpu-type-labels'; status: 'fail'; detail: string }[]; warnings?: string[] }) {
  const { clusterReports } = h.store.tables;
  await h.store.transaction((tx) =>
    tx.insert(clusterReports).values({
      clusterId,
      namespaces: [],
      storageClasses: [],
      ingressClasses: [],
      components: [],
      preflight: fields.preflight ?? [],
      warnings: fields.warnings ?? [],
      snapshotAt: new Date(),
    }),
  );
}

describe('clusters.get', () => {
  it('offers the exact kubectl label command for unlabelled GPU nodes, with the GPU type their pool carries', async () => {
    const { clusterId } = await insertCluster(h.store, { name: 'labels', gpuTypeLabel: 'acme.io/gpu' });
    const { clusterNodes } = h.store.tables;
    const gpu = (name: string, gpuType: string | null) => ({ clusterId, name, nodePool: 'h100', gpuType, gpuCount: 8, ready: true });
    await h.store.transaction((tx) =>
      tx.insert(clusterNodes).values([gpu('gpu-1', 'H100'), gpu('gpu-7', null), gpu('gpu-9', null), { ...gpu('cpu-1', null), gpuCount: 0 }]),
    );
    await report(clusterId, { preflight: [{ id: 'gpu-type-labels', status: 'fail', detail: '2 GPU nodes lack acme.io/gpu: gpu-7, gpu-9' }] });

    const detail = await h.asAdmin.clusters.get({ name: 'labels' });
    const labels = detail.prerequisites.find((item) => item.id === 'node-labels');
    expect(labels?.status).toBe('fail');
    expect(labels?.fixes?.map((fix) => fix.command)).toEqual(['kubectl label nodes gpu-7 gpu-9 acme.io/gpu=H100']);
  });

  it('says why there are no nodes when the agent could not reach its Kubernetes API', async () => {
    const { clusterId } = await insertCluster(h.store, { name: 'no-api' });
    await report(clusterId, { warnings: ['nodes: unavailable', 'namespaces: unavailable'] });
    const detail = await h.asAdmin.clusters.get({ name: 'no-api' });
    expect(detail.nodePools).toEqual([]);
    expect(detail.missingNodesReason).toMatch(/could not reach its own cluster’s Kubernetes API/);
  });
});
