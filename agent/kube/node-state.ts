/**
 * Pure mapping from Kubernetes objects to the protocol's cluster state shapes.
 */
import type { IngressClassState, NodeState, StorageClassState } from '@/lib/agent-protocol';
import type { KubeIngressClass, KubeNode, KubeStorageClass } from '@/agent/kube/objects';

export const GPU_RESOURCE = 'nvidia.com/gpu';
const DEFAULT_STORAGE_CLASS_ANNOTATIONS = [
  'storageclass.kubernetes.io/is-default-class',
  // Still set by some older provisioners and cluster installers.
  'storageclass.beta.kubernetes.io/is-default-class',
];
const DEFAULT_INGRESS_CLASS_ANNOTATION = 'ingressclass.kubernetes.io/is-default-class';

/** The cluster's label keys, from the control plane's `welcome`. */
export interface NodeLabelKeys {
  nodePoolLabel: string;
  gpuTypeLabel: string;
}

/** Parses a GPU count quantity; extended resources are integers, anything else counts as 0. */
function parseGpuCount(quantity: string | undefined): number {
  if (quantity === undefined) return 0;
  const count = Number(quantity);
  return Number.isInteger(count) && count > 0 ? count : 0;
}

export function toNodeState(node: KubeNode, keys: NodeLabelKeys): NodeState {
  const labels = node.metadata?.labels ?? {};
  return {
    name: node.metadata?.name ?? '',
    nodePool: labels[keys.nodePoolLabel] ?? null,
    gpuType: labels[keys.gpuTypeLabel] ?? null,
    gpuCount: parseGpuCount(node.status?.allocatable?.[GPU_RESOURCE]),
    ready: node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
    capacity: { ...node.status?.capacity },
    taints: (node.spec?.taints ?? []).map((t) => ({
      key: t.key,
      ...(t.value !== undefined && t.value !== '' ? { value: t.value } : {}),
      effect: t.effect,
    })),
  };
}

export function toStorageClassState(storageClass: KubeStorageClass): StorageClassState {
  const annotations = storageClass.metadata?.annotations ?? {};
  return {
    name: storageClass.metadata?.name ?? '',
    provisioner: storageClass.provisioner,
    isDefault: DEFAULT_STORAGE_CLASS_ANNOTATIONS.some((key) => annotations[key] === 'true'),
  };
}

export function toIngressClassState(ingressClass: KubeIngressClass): IngressClassState {
  return {
    name: ingressClass.metadata?.name ?? '',
    controller: ingressClass.spec?.controller ?? '',
    isDefault: ingressClass.metadata?.annotations?.[DEFAULT_INGRESS_CLASS_ANNOTATION] === 'true',
  };
}
