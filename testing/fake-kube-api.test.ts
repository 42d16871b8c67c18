import {
  ApiException,
  CoreV1Api,
  KubeConfig,
  NetworkingV1Api,
  VersionApi,
  Watch,
  type V1Node,
} from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeKubeApi, parseLabelSelector } from '@/testing/fake-kube-api';
import { buildGpuNode } from '@/testing/kube-objects';
import { waitFor } from '@/testing/wait-for';

describe('FakeKubeApi, driven by the real @kubernetes/client-node', () => {
  let kube: FakeKubeApi;
  let kc: KubeConfig;
  const aborts: AbortController[] = [];

  beforeEach(async () => {
    kube = await new FakeKubeApi({ kubernetesVersion: 'v1.29.3' }).start();
    kc = new KubeConfig();
    kc.loadFromFile(kube.kubeconfigFile());
  });
  afterEach(async () => {
    for (const a of aborts.splice(0)) a.abort();
    await kube.stop();
  });

  it('serves /version and typed lists', async () => {
    kube.addNode(buildGpuNode({ name: 'gpu-1', nodePool: 'h100', gpuType: 'H100', gpus: 8 }));
    kube.addNode({ name: 'cpu-1', nodePool: 'system' });
    const version = await kc.makeApiClient(VersionApi).getCode();
    expect(version.gitVersion).toBe('v1.29.3');
    expect(version.minor).toBe('29');

    const nodes = await kc.makeApiClient(CoreV1Api).listNode();
    expect(nodes.items.map((n) => n.metadata?.name).sort()).toEqual(['cpu-1', 'gpu-1']);
    const gpu = nodes.items.find((n) => n.metadata?.name === 'gpu-1');
    expect(gpu?.status?.allocatable?.['nvidia.com/gpu']).toBe('8');
    expect(gpu?.spec?.taints?.[0]?.key).toBe('nvidia.com/gpu');
    expect(Number(nodes.metadata?.resourceVersion)).toBeGreaterThan(0);
  });

  it('filters lists by label selector', async () => {
    kube.addPod('gpu-operator', 'dcgm-1', { app: 'nvidia-dcgm-exporter' });
    kube.addPod('default', 'web-1', { app: 'web' });
    const core = kc.makeApiClient(CoreV1Api);
    const pods = await core.listPodForAllNamespaces({ labelSelector: 'app in (nvidia-dcgm-exporter)' });
    expect(pods.items.map((p) => p.metadata?.name)).toEqual(['dcgm-1']);
    const inNs = await core.listNamespacedPod({ namespace: 'default' });
    expect(inNs.items.map((p) => p.metadata?.name)).toEqual(['web-1']);
  });

  it('streams watch events from a resource version, including relabels and deletes', async () => {
    kube.addNode({ name: 'a', nodePool: 'p1' });
    const list = await kc.makeApiClient(CoreV1Api).listNode();
    const events: Array<[string, string | undefined]> = [];
    const watch = new Watch(kc);
    aborts.push(
      await watch.watch(
        '/api/v1/nodes',
        { resourceVersion: list.metadata?.resourceVersion },
        (type, obj: V1Node) => events.push([type, obj.metadata?.labels?.['fleetdeck.io/node-pool']]),
        () => undefined,
      ),
    );
    await waitFor(() => kube.openWatchCount('nodes') === 1);
    kube.addNode({ name: 'b', nodePool: 'p2' });
    kube.setNodeLabels('a', { 'fleetdeck.io/node-pool': 'p3' });
    kube.deleteNode('b');
    await waitFor(() => events.length === 3);
    expect(events).toEqual([
      ['ADDED', 'p2'],
      ['MODIFIED', 'p3'],
      ['DELETED', 'p2'],
    ]);
  });

  it('answers 410 Gone to a watch resuming from a compacted version', async () => {
    const list = await kc.makeApiClient(CoreV1Api).listNamespace();
    kube.addNamespace('team-a');
    kube.compactHistory();
    const events: Array<{ type: string; code: unknown }> = [];
    let ended = false;
    await new Watch(kc).watch(
      '/api/v1/namespaces',
      { resourceVersion: list.metadata?.resourceVersion },
      (type, obj: { code?: unknown }) => events.push({ type, code: obj.code }),
      () => {
        ended = true;
      },
    );
    await waitFor(() => ended);
    expect(events).toEqual([{ type: 'ERROR', code: 410 }]);
  });

  it('refuses a resource with a Status body the client turns into ApiException', async () => {
    kube.refuse('ingressclasses', 403);
    const error = await kc
      .makeApiClient(NetworkingV1Api)
      .listIngressClass()
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    expect(error).toBeInstanceOf(ApiException);
    expect((error as ApiException<string>).code).toBe(403);
    kube.allow('/apis/networking.k8s.io/v1/ingressclasses');
    await expect(kc.makeApiClient(NetworkingV1Api).listIngressClass()).resolves.toMatchObject({ items: [] });
  });

  it('creates and reads namespaces, 409 on a duplicate', async () => {
    const core = kc.makeApiClient(CoreV1Api);
    const created = await core.createNamespace({
      body: { metadata: { name: 'team-a-dev', labels: { 'app.kubernetes.io/managed-by': 'fleetdeck' } } },
    });
    expect(created.metadata?.labels?.['app.kubernetes.io/managed-by']).toBe('fleetdeck');
    expect((await core.readNamespace({ name: 'team-a-dev' })).status?.phase).toBe('Active');
    await expect(core.createNamespace({ body: { metadata: { name: 'team-a-dev' } } })).rejects.toMatchObject({
      code: 409,
    });
    await expect(core.readNamespace({ name: 'missing' })).rejects.toMatchObject({ code: 404 });
  });

  it('replaces a namespace (409 Conflict on a stale resourceVersion, 404 when absent) and deletes it with what it holds', async () => {
    const core = kc.makeApiClient(CoreV1Api);
    const created = await core.createNamespace({ body: { metadata: { name: 'team-b', labels: { a: '1' } } } });
    const replaced = await core.replaceNamespace({ name: 'team-b', body: { ...created, metadata: { ...created.metadata, labels: { a: '2' } } } });
    expect(replaced.metadata?.labels).toEqual({ a: '2' });
    const stale = core.replaceNamespace({ name: 'team-b', body: { ...created, metadata: { ...created.metadata, labels: { a: '3' } } } });
    await expect(stale).rejects.toMatchObject({ code: 409 });
    await expect(stale.catch((e: ApiException<string>) => JSON.parse(e.body) as { reason: string })).resolves.toMatchObject({ reason: 'Conflict' });
    await expect(core.replaceNamespace({ name: 'nope', body: { metadata: { name: 'nope' } } })).rejects.toMatchObject({ code: 404 });

    await core.createNamespacedResourceQuota({ namespace: 'team-b', body: { metadata: { name: 'q' }, spec: { hard: { cpu: '2' } } } });
    kube.setQuotaUsed('team-b', 'q', { cpu: '1' });
    expect((await core.readNamespacedResourceQuota({ name: 'q', namespace: 'team-b' })).status).toEqual({ hard: { cpu: '2' }, used: { cpu: '1' } });
    await core.deleteNamespace({ name: 'team-b' });
    await expect(core.readNamespacedResourceQuota({ name: 'q', namespace: 'team-b' })).rejects.toMatchObject({ code: 404 });
    await expect(core.deleteNamespace({ name: 'team-b' })).rejects.toMatchObject({ code: 404 });
  });
});

describe('parseLabelSelector', () => {
  it.each([
    ['a=b', [{ op: 'eq', key: 'a', value: 'b' }]],
    ['a==b,c!=d', [{ op: 'eq', key: 'a', value: 'b' }, { op: 'neq', key: 'c', value: 'd' }]],
    ['x in (1, 2),!y,z', [{ op: 'in', key: 'x', values: ['1', '2'] }, { op: 'absent', key: 'y' }, { op: 'exists', key: 'z' }]],
    ['', []],
  ])('%s', (selector, expected) => {
    expect(parseLabelSelector(selector)).toEqual(expected);
  });
});
