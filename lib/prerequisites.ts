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
  /** Exact commands that fix what the agent found, for this cluster's own nodes. */
  fixes?: readonly PrerequisiteFix[];
}

/** A command to run as it is (or with its one clearly marked placeholder filled in). */
export interface PrerequisiteFix {
  command: string;
  /** What the command does and where its values come from. */
  note: string;
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

/**
 * How far the preflight has got, for one line of progress: `waiting` before the agent's
 * first report, `running` while some checks have no result yet, then `failed` or
 * `passed`. Items checked by hand count in neither.
 */
export interface PreflightProgress {
  state: 'waiting' | 'running' | 'failed' | 'passed';
  passed: number;
  failed: number;
  /** Items the agent checks. */
  total: number;
}

export function preflightProgress(items: readonly TickedPrerequisite[]): PreflightProgress {
  const checked = items.filter((item) => item.status !== 'manual');
  const passed = checked.filter((item) => item.status === 'pass').length;
  const failed = checked.filter((item) => item.status === 'fail').length;
  const total = checked.length;
  let state: PreflightProgress['state'] = 'passed';
  if (checked.some((item) => item.status === 'pending')) state = 'waiting';
  else if (failed > 0) state = 'failed';
  else if (passed < total) state = 'running';
  return { state, passed, failed, total };
}

// ── The unlabelled-GPU-node fix ──────────────────────────────────────────────

/** Stands for the GPU type when none can be copied from the cluster; a shell refuses it as it is. */
export const GPU_TYPE_PLACEHOLDER = '<GPU-TYPE>';
/** Node names on one command line at most; the note says when there are more. */
export const MAX_FIX_NODE_NAMES = 100;

/** Kubernetes node names are DNS subdomains. */
const NODE_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
/** Kubernetes label values. */
const LABEL_VALUE = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

export interface UnlabelledGpuNode {
  name: string;
  nodePool: string | null;
}

export interface LabelledGpuNodes {
  nodePool: string | null;
  gpuType: string;
}

export interface GpuLabelFixInput {
  gpuTypeLabel: string;
  /** GPU nodes without the GPU-type label (the first ones by name). */
  unlabelled: readonly UnlabelledGpuNode[];
  /** How many there are in all. */
  unlabelledCount: number;
  /** The pools and GPU types of the GPU nodes that carry the label. */
  labelled: readonly LabelledGpuNodes[];
}

/**
 * `kubectl label nodes <names…> <gpuTypeLabel>=<type>` for the cluster's unlabelled GPU
 * nodes, one command per GPU type: the type the rest of the node's pool carries, else
 * the one type the cluster's labelled GPU nodes carry, else {@link GPU_TYPE_PLACEHOLDER}.
 *
 * Names and types come from the agent, and the admin pastes the command into a shell:
 * only values Kubernetes itself allows (no spaces, quotes or `;`) get onto the line.
 */
export function gpuTypeLabelFixes({ gpuTypeLabel, unlabelled, unlabelledCount, labelled }: GpuLabelFixInput): PrerequisiteFix[] {
  const types = (rows: readonly LabelledGpuNodes[]) => [...new Set(rows.map((row) => row.gpuType).filter((type) => LABEL_VALUE.test(type)))].sort();
  const clusterTypes = types(labelled);
  const guess = (node: UnlabelledGpuNode): { type: string | null; source: string } => {
    const poolTypes = node.nodePool === null ? [] : types(labelled.filter((row) => row.nodePool === node.nodePool));
    if (poolTypes.length === 1 && poolTypes[0]) return { type: poolTypes[0], source: `what the other GPU nodes of pool ${node.nodePool} carry` };
    if (clusterTypes.length === 1 && clusterTypes[0]) return { type: clusterTypes[0], source: 'what every labelled GPU node of this cluster carries' };
    const why = clusterTypes.length === 0 ? 'no GPU node of this cluster carries the label yet' : `this cluster has several GPU types (${clusterTypes.join(', ')})`;
    return { type: null, source: why };
  };

  const groups = new Map<string, { type: string | null; source: string; names: string[] }>();
  for (const node of unlabelled.slice(0, MAX_FIX_NODE_NAMES)) {
    if (!NODE_NAME.test(node.name)) continue;
    const { type, source } = guess(node);
    const key = `${type ?? ''}|${source}`;
    const group = groups.get(key) ?? { type, source, names: [] };
    group.names.push(node.name);
    groups.set(key, group);
  }
  const listed = [...groups.values()].reduce((sum, group) => sum + group.names.length, 0);
  const more = unlabelledCount > listed ? ` The first ${listed} of ${unlabelledCount} unlabelled GPU nodes: run it again for the rest once the agent reports.` : '';
  return [...groups.values()].map(({ type, source, names }) => ({
    command: `kubectl label nodes ${names.join(' ')} ${gpuTypeLabel}=${type ?? GPU_TYPE_PLACEHOLDER}`,
    note:
      (type
        ? `Labels ${names.length === 1 ? 'the node' : `the ${names.length} nodes`} ${type}: ${source}.`
        : `Replace ${GPU_TYPE_PLACEHOLDER} with the GPU model (e.g. H100) before running it: ${source}.`) + more,
  }));
}

/** Puts fixes on the node-labels item while the agent reports it failing. */
export function withGpuLabelFixes(items: readonly TickedPrerequisite[], fixes: readonly PrerequisiteFix[]): TickedPrerequisite[] {
  if (fixes.length === 0) return [...items];
  return items.map((item) => (item.id === 'node-labels' && item.status === 'fail' ? { ...item, fixes } : item));
}
