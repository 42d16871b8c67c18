/**
 * What a cluster must offer before Fleetdeck can run in it, as a checklist. Each item
 * names the agent's preflight checks that verify it, so the cluster page can tick the
 * list off from the agent's report; items no check can verify stay "check by hand".
 */
import type { PreflightCheckId, PreflightResult } from '@/lib/agent-protocol';
import { PROVIDERS, type ProviderId } from '@/lib/providers';

export const MIN_KUBERNETES_VERSION = '1.28';

/** Registries the addons and the agent pull images from (DOMAIN.md, Cluster). */
export const REGISTRY_EGRESS_HOSTS = [
  'public.ecr.aws',
  'quay.io',
  'ghcr.io',
  'docker.io',
  'nvcr.io',
  'registry.k8s.io',
] as const;

/** Node-pool labels the hyperscalers set themselves: usable instead of a hand-set key. */
export const PROVIDER_NODE_POOL_LABELS: Partial<Record<ProviderId, string>> = {
  'aws-eks': 'eks.amazonaws.com/nodegroup',
  'gcp-gke': 'cloud.google.com/gke-nodepool',
  'azure-aks': 'kubernetes.azure.com/agentpool',
};

export type PrerequisiteId =
  | 'kubernetes-version'
  | 'registry-egress'
  | 'dns-and-tls'
  | 'load-balancer'
  | 'storage'
  | 'registry-and-artifacts'
  | 'node-labels'
  | 'prometheus';

export interface Prerequisite {
  id: PrerequisiteId;
  title: string;
  /** One or two sentences: what exactly is needed. */
  detail: string;
  /** Hosts to allow, for the egress item. */
  hosts?: readonly string[];
  /** Commands that show how to meet it (e.g. `kubectl label`). */
  examples?: readonly string[];
  /** The agent's checks that verify this item; empty when it can only be checked by hand. */
  checkIds: readonly PreflightCheckId[];
}

export interface PrerequisiteOptions {
  provider: ProviderId;
  nodePoolLabel: string;
  gpuTypeLabel: string;
}

export function clusterPrerequisites({ provider, nodePoolLabel, gpuTypeLabel }: PrerequisiteOptions): Prerequisite[] {
  const nativePoolLabel = PROVIDER_NODE_POOL_LABELS[provider];
  const labelDetail = PROVIDERS[provider].discoversNodePools
    ? `Every node carries ${nodePoolLabel}, GPU nodes also ${gpuTypeLabel}. ${PROVIDERS[provider].label} labels node pools itself (${nativePoolLabel ?? 'its own key'}): use that key as the node pool label, or set ours.`
    : `Every node carries ${nodePoolLabel}, GPU nodes also ${gpuTypeLabel}. ${PROVIDERS[provider].label} does not set these: label the nodes by hand (or in the node pool's template).`;
  return [
    {
      id: 'kubernetes-version',
      title: `Kubernetes ${MIN_KUBERNETES_VERSION} or newer`,
      detail: 'With room for about 250 nodes and 4,096 pods.',
      checkIds: ['kubernetes-version'],
    },
    {
      id: 'registry-egress',
      title: 'Outbound access to the container registries',
      detail: 'Nodes pull the agent and addon images over HTTPS (443) from these hosts; add your own registry if you mirror them.',
      hosts: REGISTRY_EGRESS_HOSTS,
      checkIds: ['registry-egress'],
    },
    {
      id: 'dns-and-tls',
      title: 'Wildcard DNS and a TLS certificate',
      detail: 'A wildcard record (e.g. *.apps.example.com) pointing at the ingress, and a certificate for it; cert-manager with Let’s Encrypt is usual.',
      checkIds: ['cert-manager'],
    },
    {
      id: 'load-balancer',
      title: 'A load balancer or ingress path',
      detail: 'A working LoadBalancer service type or an ingress controller with an IngressClass.',
      checkIds: ['ingress-class'],
    },
    {
      id: 'storage',
      title: 'A default StorageClass',
      detail: 'Persistent volumes through the provider’s CSI driver, with one StorageClass marked default.',
      checkIds: ['default-storage-class'],
    },
    {
      id: 'registry-and-artifacts',
      title: 'A reachable container registry and artifact store',
      detail: 'Where your images and model artifacts live, reachable from the nodes.',
      checkIds: [],
    },
    {
      id: 'node-labels',
      title: 'Node pool and GPU type labels on the nodes',
      detail: labelDetail,
      examples: [
        `kubectl label nodes <node> ${nodePoolLabel}=<pool>`,
        `kubectl label nodes <gpu-node> ${gpuTypeLabel}=H100`,
      ],
      checkIds: ['node-pool-labels', 'gpu-type-labels'],
    },
    {
      id: 'prometheus',
      title: 'An in-cluster Prometheus',
      detail: 'Reachable at the Prometheus URL above, or let Fleetdeck install one (the Prometheus addon).',
      checkIds: ['prometheus'],
    },
  ];
}

/**
 * - `pending`: the agent has not reported preflight yet.
 * - `manual`: no check verifies this item; the admin checks it by hand.
 */
export type PrerequisiteStatus = 'pass' | 'fail' | 'unknown' | 'pending' | 'manual';

export interface TickedPrerequisite extends Prerequisite {
  status: PrerequisiteStatus;
  /** The agent's detail lines for this item's checks. */
  findings: string[];
}

/** Ticks each item from the agent's preflight (null before the first report). */
export function tickPrerequisites(items: readonly Prerequisite[], preflight: readonly PreflightResult[] | null): TickedPrerequisite[] {
  return items.map((item) => {
    if (item.checkIds.length === 0) return { ...item, status: 'manual', findings: [] };
    if (preflight === null) return { ...item, status: 'pending', findings: [] };
    const results = preflight.filter((result) => item.checkIds.includes(result.id));
    const findings = results.map((result) => result.detail).filter((detail) => detail.length > 0);
    let status: PrerequisiteStatus = 'unknown';
    if (results.some((result) => result.status === 'fail')) status = 'fail';
    else if (results.length === item.checkIds.length && results.every((result) => result.status === 'pass')) status = 'pass';
    return { ...item, status, findings };
  });
}
