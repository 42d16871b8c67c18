import { describe, expect, it } from 'vitest';
import { PREFLIGHT_CHECK_IDS, type NodeState, type PreflightCheckId, type PreflightResult } from '@/lib/agent-protocol';
import { evaluatePreflight, listNames, parseKubernetesVersion, type PreflightFacts } from '@/agent/preflight';

const node = (name: string, over: Partial<NodeState> = {}): NodeState => ({
  name,
  nodePool: 'pool-a',
  gpuType: null,
  gpuCount: 0,
  ready: true,
  capacity: {},
  taints: [],
  ...over,
});

const healthy: PreflightFacts = {
  kubernetesVersion: 'v1.30.4-eks-a737599',
  nodePoolLabel: 'fleetdeck.io/node-pool',
  gpuTypeLabel: 'fleetdeck.io/gpu-type',
  nodes: [node('cpu-1'), node('gpu-1', { gpuCount: 8, gpuType: 'H100' })],
  storageClasses: [{ name: 'gp3', provisioner: 'ebs.csi.aws.com', isDefault: true }],
  ingressClasses: [{ name: 'nginx', controller: 'k8s.io/ingress-nginx', isDefault: true }],
  components: [{ id: 'cert-manager', managedByFleetdeck: false, evidence: 'CRD certificates.cert-manager.io' }],
  crdsReadable: true,
  prometheus: { ok: true, detail: 'ready' },
  prometheusUrl: 'http://prometheus:9090',
  registries: [{ target: 'quay.io:443', ok: true, detail: 'connected' }],
};

function check(facts: Partial<PreflightFacts>, id: PreflightCheckId) {
  const result = evaluatePreflight({ ...healthy, ...facts }).find((r) => r.id === id);
  if (!result) throw new Error(`no ${id}`);
  return result;
}

describe('evaluatePreflight', () => {
  it('returns every check, in protocol order, all passing on a prepared cluster', () => {
    const results = evaluatePreflight(healthy);
    expect(results.map((r) => r.id)).toEqual([...PREFLIGHT_CHECK_IDS]);
    expect(results.filter((r) => r.status !== 'pass')).toEqual([]);
  });

  it.each<[string, Partial<PreflightFacts>, PreflightCheckId, PreflightResult['status'], string]>([
    ['1.28 is enough', { kubernetesVersion: 'v1.28.0' }, 'kubernetes-version', 'pass', 'Kubernetes v1.28.0'],
    ['1.27 is too old', { kubernetesVersion: 'v1.27.9-gke.100' }, 'kubernetes-version', 'fail', 'older than 1.28'],
    ['2.0 passes', { kubernetesVersion: 'v2.0.0' }, 'kubernetes-version', 'pass', 'v2.0.0'],
    ['no version', { kubernetesVersion: undefined }, 'kubernetes-version', 'unknown', 'did not report'],
    [
      'unlabelled nodes are named',
      { nodes: [node('a'), node('b', { nodePool: null }), node('c', { nodePool: null })] },
      'node-pool-labels',
      'fail',
      '2 nodes lack fleetdeck.io/node-pool: b, c',
    ],
    ['nodes forbidden', { nodes: undefined }, 'node-pool-labels', 'unknown', 'could not be listed'],
    ['no nodes yet', { nodes: [] }, 'node-pool-labels', 'unknown', 'no nodes'],
    [
      'GPU nodes without type are named, CPU nodes ignored',
      {
        nodes: [
          node('cpu-1'),
          node('gpu-7', { gpuCount: 8 }),
          node('gpu-8', { gpuCount: 8, gpuType: 'H100' }),
          node('gpu-9', { gpuCount: 4 }),
        ],
      },
      'gpu-type-labels',
      'fail',
      '2 GPU nodes lack fleetdeck.io/gpu-type: gpu-7, gpu-9',
    ],
    ['no GPU nodes', { nodes: [node('cpu-1')] }, 'gpu-type-labels', 'pass', 'no GPU nodes'],
    [
      'storage classes but no default',
      { storageClasses: [{ name: 'standard', provisioner: 'x', isDefault: false }] },
      'default-storage-class',
      'fail',
      'none of standard is marked default',
    ],
    ['no storage class', { storageClasses: [] }, 'default-storage-class', 'fail', 'no StorageClass'],
    ['ingress classes forbidden', { ingressClasses: undefined }, 'ingress-class', 'unknown', 'could not be listed'],
    ['no ingress class', { ingressClasses: [] }, 'ingress-class', 'fail', 'no IngressClass'],
    ['cert-manager absent', { components: [] }, 'cert-manager', 'fail', 'not found'],
    ['cert-manager unknowable', { components: [], crdsReadable: false }, 'cert-manager', 'unknown', 'CRDs'],
    [
      'Prometheus not ready',
      { prometheus: { ok: false, detail: '/-/ready answered HTTP 503' } },
      'prometheus',
      'fail',
      'http://prometheus:9090: /-/ready answered HTTP 503',
    ],
    ['Prometheus not probed yet', { prometheus: undefined }, 'prometheus', 'unknown', 'not checked yet'],
    [
      'a blocked registry is named',
      {
        registries: [
          { target: 'quay.io:443', ok: true, detail: 'connected' },
          { target: 'nvcr.io:443', ok: false, detail: 'timed out' },
        ],
      },
      'registry-egress',
      'fail',
      'unreachable: nvcr.io:443 (timed out)',
    ],
  ])('%s', (_name, facts, id, status, detail) => {
    const result = check(facts, id);
    expect(result.status).toBe(status);
    expect(result.detail).toContain(detail);
  });
});

describe('parseKubernetesVersion', () => {
  it.each([
    ['v1.30.4-eks-a737599', { major: 1, minor: 30 }],
    ['v1.29.6-gke.1326000', { major: 1, minor: 29 }],
    ['1.28', { major: 1, minor: 28 }],
    ['banana', undefined],
  ])('%s', (input, expected) => expect(parseKubernetesVersion(input)).toEqual(expected));
});

describe('listNames', () => {
  it('caps long lists', () => {
    expect(listNames(['a', 'b', 'c'], 2)).toBe('a, b and 1 more');
    expect(listNames(['a', 'b'], 2)).toBe('a, b');
  });
});
