/**
 * Builders for realistic Kubernetes objects, in the JSON shapes the API server sends.
 * Used by the fake API server's tests, the gateway's integration tests, e2e and the demo
 * fleet, so every simulated cluster looks like a real one to `@kubernetes/client-node`.
 */
import type {
  V1CustomResourceDefinition,
  V1IngressClass,
  V1Namespace,
  V1Node,
  V1NodeCondition,
  V1Pod,
  V1StorageClass,
  V1Taint,
} from '@kubernetes/client-node';
import { DEFAULT_GPU_TYPE_LABEL, DEFAULT_NODE_POOL_LABEL } from '@/lib/schemas/cluster';

/** Label keys the builders use unless told otherwise: the attach form's defaults (a cluster configures its own). */
export { DEFAULT_GPU_TYPE_LABEL, DEFAULT_NODE_POOL_LABEL } from '@/lib/schemas/cluster';
/**
 * The label NVIDIA GPU feature discovery sets on GPU nodes; some clusters use it as their
 * GPU-type key. Builders do not add it on their own, so "unlabelled GPU node" stays expressible.
 */
export const GFD_PRODUCT_LABEL = 'nvidia.com/gpu.product';
export const GPU_RESOURCE = 'nvidia.com/gpu';
export const DEFAULT_STORAGE_CLASS_ANNOTATION = 'storageclass.kubernetes.io/is-default-class';
export const DEFAULT_INGRESS_CLASS_ANNOTATION = 'ingressclass.kubernetes.io/is-default-class';
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';

export interface NodeOptions {
  name: string;
  /** Value for the node-pool label; omitted → the node carries no node-pool label. */
  nodePool?: string;
  /** Value for the GPU-type label; omitted → no GPU-type label (even on a GPU node). */
  gpuType?: string;
  /** `nvidia.com/gpu` capacity and allocatable; 0 or omitted → a CPU node. */
  gpus?: number;
  /** The cluster's label keys; default {@link DEFAULT_NODE_POOL_LABEL} / {@link DEFAULT_GPU_TYPE_LABEL}. */
  labelKeys?: { nodePool?: string; gpuType?: string };
  /** Extra labels, merged last. */
  labels?: Record<string, string>;
  /** Ready condition status; default true. */
  ready?: boolean;
  taints?: V1Taint[];
  /** CPU cores; default 32 for CPU nodes, 96 for GPU nodes. */
  cpu?: number;
  /** Memory in GiB; default 128 for CPU nodes, 1024 for GPU nodes. */
  memoryGi?: number;
  kubeletVersion?: string;
  /** When the Ready condition last changed; default {@link DEFAULT_NODE_SINCE}. */
  readySince?: Date;
}

/**
 * When built nodes' conditions last changed unless told otherwise: a fixed moment, so
 * what tests and the demo show is the same on every run.
 */
export const DEFAULT_NODE_SINCE = new Date('2026-01-05T08:00:00Z');

/**
 * The kubelet's conditions as a real node reports them: Ready plus the three pressure
 * conditions (False when healthy), each with the time it last changed. The heartbeat
 * time moves on every kubelet post; the transition time only when the status flips.
 */
export function buildNodeConditions(ready: boolean, since: Date = DEFAULT_NODE_SINCE): V1NodeCondition[] {
  const pressure = (type: string, reason: string, message: string): V1NodeCondition => ({
    type,
    status: 'False',
    reason,
    message,
    lastHeartbeatTime: since,
    lastTransitionTime: since,
  });
  return [
    pressure('MemoryPressure', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
    pressure('DiskPressure', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
    pressure('PIDPressure', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
    {
      type: 'Ready',
      status: ready ? 'True' : 'False',
      reason: ready ? 'KubeletReady' : 'KubeletNotReady',
      message: ready ? 'kubelet is posting ready status' : 'container runtime network not ready: NetworkReady=false',
      lastHeartbeatTime: since,
      lastTransitionTime: since,
    },
  ];
}

/** A node as the API server returns it: labels, capacity/allocatable, taints, Ready condition. */
export function buildNode(options: NodeOptions): V1Node {
  const gpus = options.gpus ?? 0;
  const poolKey = options.labelKeys?.nodePool ?? DEFAULT_NODE_POOL_LABEL;
  const gpuKey = options.labelKeys?.gpuType ?? DEFAULT_GPU_TYPE_LABEL;
  const labels: Record<string, string> = {
    'kubernetes.io/hostname': options.name,
    'kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64',
  };
  if (options.nodePool !== undefined) labels[poolKey] = options.nodePool;
  if (options.gpuType !== undefined) labels[gpuKey] = options.gpuType;
  Object.assign(labels, options.labels);

  const capacity: Record<string, string> = {
    cpu: String(options.cpu ?? (gpus > 0 ? 96 : 32)),
    memory: `${options.memoryGi ?? (gpus > 0 ? 1024 : 128)}Gi`,
    pods: '110',
    'ephemeral-storage': '500Gi',
  };
  if (gpus > 0) capacity[GPU_RESOURCE] = String(gpus);

  const ready = options.ready ?? true;
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: options.name, labels },
    spec: options.taints && options.taints.length > 0 ? { taints: options.taints } : {},
    status: {
      capacity,
      allocatable: { ...capacity },
      conditions: buildNodeConditions(ready, options.readySince),
      nodeInfo: {
        kubeletVersion: options.kubeletVersion ?? 'v1.30.4',
        architecture: 'amd64',
        operatingSystem: 'linux',
        osImage: 'Ubuntu 22.04.4 LTS',
        kernelVersion: '5.15.0-1061',
        containerRuntimeVersion: 'containerd://1.7.20',
        kubeProxyVersion: '',
        bootID: '',
        machineID: '',
        systemUUID: '',
      },
    },
  };
}

/** The taint specialised GPU clouds put on GPU nodes so only GPU jobs land there. */
export const GPU_TAINT: V1Taint = { key: GPU_RESOURCE, value: 'present', effect: 'NoSchedule' };

/** A GPU node: `gpus` allocatable, pool and GPU-type labels, the usual GPU taint. */
export function buildGpuNode(options: NodeOptions & { gpus: number; gpuType: string }): V1Node {
  return buildNode({ taints: [GPU_TAINT], ...options });
}

export function buildNamespace(name: string, labels: Record<string, string> = {}): V1Namespace {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, labels: { 'kubernetes.io/metadata.name': name, ...labels } },
    spec: { finalizers: ['kubernetes'] },
    status: { phase: 'Active' },
  };
}

export function buildStorageClass(
  name: string,
  options: { provisioner?: string; isDefault?: boolean } = {},
): V1StorageClass {
  return {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: {
      name,
      annotations: options.isDefault ? { [DEFAULT_STORAGE_CLASS_ANNOTATION]: 'true' } : {},
    },
    provisioner: options.provisioner ?? 'ebs.csi.aws.com',
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'WaitForFirstConsumer',
  };
}

export function buildIngressClass(
  name: string,
  options: { controller?: string; isDefault?: boolean } = {},
): V1IngressClass {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'IngressClass',
    metadata: {
      name,
      annotations: options.isDefault ? { [DEFAULT_INGRESS_CLASS_ANNOTATION]: 'true' } : {},
    },
    spec: { controller: options.controller ?? 'k8s.io/ingress-nginx' },
  };
}

/**
 * A CustomResourceDefinition named `<plural>.<group>` (e.g. `clusterpolicies.nvidia.com`),
 * with one served, stored version.
 */
export function buildCrd(name: string, labels: Record<string, string> = {}): V1CustomResourceDefinition {
  const dot = name.indexOf('.');
  if (dot <= 0) throw new Error(`CRD name must be <plural>.<group>, got "${name}"`);
  const plural = name.slice(0, dot);
  const group = name.slice(dot + 1);
  // Good enough for display: "clusterpolicies" → "Clusterpolicy".
  const singular = plural.replace(/ies$/, 'y').replace(/s$/, '');
  const kind = singular.charAt(0).toUpperCase() + singular.slice(1);
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name, labels },
    spec: {
      group,
      names: { plural, singular, kind, listKind: `${kind}List` },
      scope: 'Namespaced',
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: { openAPIV3Schema: { type: 'object' } },
        },
      ],
    },
  };
}

export function buildPod(namespace: string, name: string, labels: Record<string, string> = {}): V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels },
    spec: { containers: [{ name: 'main', image: 'registry.k8s.io/pause:3.9' }] },
    status: { phase: 'Running' },
  };
}
