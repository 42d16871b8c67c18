import { describe, expect, it } from 'vitest';
import { clusterState } from '@/lib/agent-protocol';
import { buildClusterState, diffClusterState, type ClusterConfig, type ClusterFacts } from '@/agent/cluster-state';
import {
  buildCrd,
  buildGpuNode,
  buildIngressClass,
  buildNamespace,
  buildNode,
  buildStorageClass,
} from '@/testing/kube-objects';

const config: ClusterConfig = {
  nodePoolLabel: 'fleetdeck.io/node-pool',
  gpuTypeLabel: 'fleetdeck.io/gpu-type',
  prometheusUrl: 'http://prometheus:9090',
};

const facts: ClusterFacts = {
  kubernetesVersion: 'v1.30.4',
  nodes: [
    buildGpuNode({ name: 'gpu-2', nodePool: 'h100', gpuType: 'H100', gpus: 8 }),
    buildNode({ name: 'cpu-1', nodePool: 'system' }),
  ],
  namespaces: [buildNamespace('kube-system'), buildNamespace('gpu-operator')],
  storageClasses: [buildStorageClass('gp3', { isDefault: true })],
  ingressClasses: undefined,
  crds: [buildCrd('clusterpolicies.nvidia.com')],
  refusals: [{ resource: 'ingressclasses', reason: 'forbidden' }],
  prometheus: undefined,
  registries: undefined,
};

describe('buildClusterState', () => {
  it('builds a state the protocol schema accepts, sorted, with refusals as warnings', () => {
    const state = buildClusterState(facts, config);
    expect(clusterState.parse(state)).toEqual(state);
    expect(state.nodes.map((n) => [n.name, n.nodePool, n.gpuType, n.gpuCount])).toEqual([
      ['cpu-1', 'system', null, 0],
      ['gpu-2', 'h100', 'H100', 8],
    ]);
    expect(state.namespaces).toEqual(['gpu-operator', 'kube-system']);
    expect(state.components.map((c) => c.id)).toEqual(['gpu-operator']);
    expect(state.warnings).toEqual(['ingressclasses: forbidden']);
    expect(state.preflight.find((p) => p.id === 'ingress-class')?.status).toBe('unknown');
  });

  it('uses the label keys the control plane configured', () => {
    const state = buildClusterState(facts, { ...config, nodePoolLabel: 'kubernetes.io/os' });
    expect(state.nodes.map((n) => n.nodePool)).toEqual(['linux', 'linux']);
  });
});

describe('diffClusterState', () => {
  const before = buildClusterState(facts, config);

  it('is empty when nothing changed', () => {
    expect(diffClusterState(before, buildClusterState(facts, config))).toEqual([]);
  });

  it('reports an added, a relabelled and a deleted node', () => {
    const after = buildClusterState(
      {
        ...facts,
        nodes: [
          buildGpuNode({ name: 'gpu-2', nodePool: 'h100-b', gpuType: 'H100', gpus: 8 }),
          buildNode({ name: 'cpu-3', nodePool: 'system' }),
        ],
      },
      config,
    );
    const changes = diffClusterState(before, after);
    expect(changes).toContainEqual({ kind: 'node.delete', name: 'cpu-1' });
    expect(changes).toContainEqual(
      expect.objectContaining({ kind: 'node.upsert', node: expect.objectContaining({ name: 'gpu-2', nodePool: 'h100-b' }) }),
    );
    expect(changes).toContainEqual(
      expect.objectContaining({ kind: 'node.upsert', node: expect.objectContaining({ name: 'cpu-3' }) }),
    );
    // The pool labels are all still present, so the preflight result is unchanged.
    expect(changes.map((c) => c.kind).sort()).toEqual(['node.delete', 'node.upsert', 'node.upsert']);
  });

  it('reports namespace, class, component, preflight and warning changes', () => {
    const after = buildClusterState(
      {
        ...facts,
        namespaces: [buildNamespace('kube-system'), buildNamespace('team-a')],
        ingressClasses: [buildIngressClass('nginx')],
        crds: [],
        refusals: [],
      },
      config,
    );
    const kinds = diffClusterState(before, after).map((c) => c.kind);
    expect(kinds).toEqual([
      'namespace.upsert',
      'namespace.delete',
      'ingressClasses',
      'components',
      'preflight',
      'warnings',
    ]);
  });
});

describe('managed namespaces', () => {
  const managed = (name: string, env: string) => ({
    ...buildNamespace(name, { 'app.kubernetes.io/managed-by': 'fleetdeck', 'fleetdeck.io/environment': env }),
  });
  const quota = (namespace: string, used: string) => ({
    metadata: { name: 'fleetdeck-quota', namespace },
    spec: { hard: { cpu: '4' } },
    status: { hard: { cpu: '4' }, used: { cpu: used } },
  });

  it('reports only namespaces carrying the managed-by label, with their quota figures', () => {
    const withWorkspaces = { ...facts, namespaces: [...(facts.namespaces ?? []), managed('team-a', 'dev')], resourceQuotas: [quota('team-a', '1')] };
    const state = buildClusterState(withWorkspaces, config);
    expect(clusterState.parse(state)).toEqual(state);
    expect(state.managedNamespaces).toEqual([
      {
        name: 'team-a',
        labels: expect.objectContaining({ 'fleetdeck.io/environment': 'dev' }),
        annotations: {},
        quota: { hard: { cpu: '4' }, used: { cpu: '1' } },
      },
    ]);
    // Namespaces not listed: unknown, not "none".
    expect(buildClusterState({ ...facts, namespaces: undefined }, config).managedNamespaces).toBeUndefined();
  });

  it('sends a managed namespace that changed or went, and nothing while the list is unknown', () => {
    const before = buildClusterState({ ...facts, namespaces: [managed('team-a', 'dev'), managed('team-b', 'dev')] }, config);
    const after = buildClusterState({ ...facts, namespaces: [managed('team-a', 'prod')], resourceQuotas: [] }, config);
    const changes = diffClusterState(before, after).filter((c) => c.kind.startsWith('managedNamespace'));
    expect(changes).toEqual([
      { kind: 'managedNamespace.upsert', namespace: expect.objectContaining({ name: 'team-a' }) },
      { kind: 'managedNamespace.delete', name: 'team-b' },
    ]);
    const unknown = buildClusterState({ ...facts, namespaces: undefined }, config);
    expect(diffClusterState(before, unknown).filter((c) => c.kind.startsWith('managedNamespace'))).toEqual([]);
  });
});
