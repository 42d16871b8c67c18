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

/** An ISO-8601 string (whole seconds, as Kubernetes keeps them) from either shape the client hands over. */
function isoTime(time: Date | string | undefined): string | undefined {
  if (time === undefined) return undefined;
  const date = typeof time === 'string' ? new Date(time) : time;
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString().replace(/\.000Z$/, 'Z');
}

/** Message lines are the kubelet's and can be long; a node row does not need more than this. */
const MAX_CONDITION_MESSAGE = 300;

/** Ready is healthy when True; the others (pressures, node-problem-detector's) when False. */
function isHealthy(condition: KubeNodeCondition): boolean {
  return condition.type === 'Ready' ? condition.status === 'True' : condition.status === 'False';
}

/**
 * The conditions worth sending: Ready always, any other only while it is not healthy,
 * and reason and message only for what is wrong. A healthy node's four kubelet
 * conditions in full would make a 5,000-node snapshot 5.4 MiB instead of 2.8 MiB
 * (and a 15,000-node one larger than the snapshot frame limit), to say nothing.
 */
function toNodeConditions(conditions: readonly KubeNodeCondition[]): NodeCondition[] {
  return conditions
    .filter((condition) => condition.type === 'Ready' || !isHealthy(condition))
    .map((condition) => {
      const since = isoTime(condition.lastTransitionTime);
      const detail = isHealthy(condition)
        ? {}
        : {
            ...(condition.reason ? { reason: condition.reason } : {}),
            ...(condition.message ? { message: condition.message.slice(0, MAX_CONDITION_MESSAGE) } : {}),
          };
      return { type: condition.type, status: condition.status, ...detail, ...(since ? { since } : {}) };
    });
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
    conditions: toNodeConditions(node.status?.conditions ?? []),
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
