import { describe, expect, it } from 'vitest';
import { toIngressClassState, toNodeState, toStorageClassState } from '@/agent/kube/node-state';
import { buildGpuNode, buildIngressClass, buildNode, buildStorageClass } from '@/testing/kube-objects';

const keys = { nodePoolLabel: 'eks.amazonaws.com/nodegroup', gpuTypeLabel: 'nvidia.com/gpu.product' };
const labelKeys = { nodePool: keys.nodePoolLabel, gpuType: keys.gpuTypeLabel };

describe('toNodeState', () => {
  it.each([
    {
      when: 'a labelled GPU node',
      node: buildGpuNode({ name: 'gpu-1', nodePool: 'h100-pool', gpuType: 'H100', gpus: 8, labelKeys }),
      expected: { name: 'gpu-1', nodePool: 'h100-pool', gpuType: 'H100', gpuCount: 8, ready: true },
    },
    {
      when: 'a GPU node without labels',
      node: buildNode({ name: 'gpu-2', gpus: 4 }),
      expected: { name: 'gpu-2', nodePool: null, gpuType: null, gpuCount: 4, ready: true },
    },
    {
      when: 'a NotReady CPU node',
      node: buildNode({ name: 'cpu-1', nodePool: 'system', labelKeys, ready: false }),
      expected: { name: 'cpu-1', nodePool: 'system', gpuType: null, gpuCount: 0, ready: false },
    },
    {
      when: 'a node with no status at all',
      node: { metadata: { name: 'bare' } },
      expected: { name: 'bare', nodePool: null, gpuType: null, gpuCount: 0, ready: false },
    },
  ])('maps $when', ({ node, expected }) => {
    expect(toNodeState(node, keys)).toMatchObject(expected);
  });

  it('reports the kubelet version and the Ready condition with why and since when, when NotReady', () => {
    const since = new Date('2026-03-01T10:00:00Z');
    const state = toNodeState(buildNode({ name: 'n', kubeletVersion: 'v1.31.2-eks-1', ready: false, readySince: since }), keys);
    expect(state.kubeletVersion).toBe('v1.31.2-eks-1');
    expect(state.conditions).toEqual([
      {
        type: 'Ready',
        status: 'False',
        reason: 'KubeletNotReady',
        message: 'container runtime network not ready: NetworkReady=false',
        since: '2026-03-01T10:00:00Z',
      },
    ]);
  });

  it('sends a healthy node\'s Ready alone, and any other condition only while it is wrong', () => {
    const node = buildNode({ name: 'n' });
    expect(toNodeState(node, keys).conditions).toEqual([{ type: 'Ready', status: 'True', since: '2026-01-05T08:00:00Z' }]);
    const memory = node.status?.conditions?.find((c) => c.type === 'MemoryPressure');
    if (!memory) throw new Error('no MemoryPressure condition');
    Object.assign(memory, { status: 'True', reason: 'KubeletHasInsufficientMemory', message: 'm'.repeat(1_000) });
    const pressed = toNodeState(node, keys).conditions?.find((c) => c.type === 'MemoryPressure');
    expect(pressed).toMatchObject({ status: 'True', reason: 'KubeletHasInsufficientMemory' });
    expect(pressed?.message).toHaveLength(300);
  });

  it('reads transition times from watch events (strings) as from lists (Dates), and leaves heartbeats out', () => {
    const fromWatch = toNodeState(
      {
        metadata: { name: 'w' },
        status: {
          conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2026-03-01T10:00:00Z', lastHeartbeatTime: 'x' } as never],
        },
      },
      keys,
    );
    expect(fromWatch.conditions).toEqual([{ type: 'Ready', status: 'True', since: '2026-03-01T10:00:00Z' }]);
    expect(fromWatch.kubeletVersion).toBeUndefined();
  });

  it('reads GPU count from allocatable, not capacity', () => {
    const node = buildGpuNode({ name: 'g', gpuType: 'A100', gpus: 8 });
    if (node.status?.allocatable) node.status.allocatable['nvidia.com/gpu'] = '7';
    expect(toNodeState(node, keys).gpuCount).toBe(7);
  });

  it('keeps capacity and taints, dropping empty taint values', () => {
    const state = toNodeState(
      buildNode({ name: 'n', taints: [{ key: 'dedicated', value: '', effect: 'NoSchedule' }], cpu: 8 }),
      keys,
    );
    expect(state.capacity.cpu).toBe('8');
    expect(state.taints).toEqual([{ key: 'dedicated', effect: 'NoSchedule' }]);
  });
});

describe('storage and ingress classes', () => {
  it('marks the default StorageClass from its annotation (GA or beta)', () => {
    expect(toStorageClassState(buildStorageClass('gp3', { isDefault: true }))).toEqual({
      name: 'gp3',
      provisioner: 'ebs.csi.aws.com',
      isDefault: true,
    });
    expect(
      toStorageClassState({
        metadata: { name: 'old', annotations: { 'storageclass.beta.kubernetes.io/is-default-class': 'true' } },
        provisioner: 'p',
      }).isDefault,
    ).toBe(true);
    expect(toStorageClassState(buildStorageClass('slow')).isDefault).toBe(false);
  });

  it('maps IngressClasses with their controller', () => {
    expect(toIngressClassState(buildIngressClass('nginx', { isDefault: true }))).toEqual({
      name: 'nginx',
      controller: 'k8s.io/ingress-nginx',
      isDefault: true,
    });
  });
});
