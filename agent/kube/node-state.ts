/**
 * Pure mapping from Kubernetes objects to the protocol's cluster state shapes.
 */
import type { IngressClassState, NodeCondition, NodeState, StorageClassState } from '@/lib/agent-protocol';
import type { KubeIngressClass, KubeNode, KubeNodeCondition, KubeStorageClass } from '@/agent/kube/objects';

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

/** An ISO-8601 string from either shape the client hands over; undefined when absent or unreadable. */
function isoTime(time: Date | string | undefined): string | undefined {
  if (time === undefined) return undefined;
  const date = typeof time === 'string' ? new Date(time) : time;
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** Message lines are the kubelet's and can be long; a node row does not need more than this. */
const MAX_CONDITION_MESSAGE = 300;

function toNodeCondition(condition: KubeNodeCondition): NodeCondition {
  const since = isoTime(condition.lastTransitionTime);
  return {
    type: condition.type,
    status: condition.status,
    ...(condition.reason ? { reason: condition.reason } : {}),
    ...(condition.message ? { message: condition.message.slice(0, MAX_CONDITION_MESSAGE) } : {}),
    ...(since ? { since } : {}),
  };
}

export function toNodeState(node: KubeNode, keys: NodeLabelKeys): NodeState {
  const labels = node.metadata?.labels ?? {};
  const kubeletVersion = node.status?.nodeInfo?.kubeletVersion;
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
    ...(kubeletVersion ? { kubeletVersion } : {}),
    conditions: (node.status?.conditions ?? []).map(toNodeCondition),
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
