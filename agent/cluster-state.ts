/**
 * Turns what the agent has read from the cluster into the protocol's `ClusterState`,
 * and two states into the `delta` changes between them.
 *
 * The agent always recomputes the whole state from its caches and sends the diff
 * against what it last sent: a relabel, a welcome with new label keys or a preflight
 * re-run all become deltas the same way, and nothing can drift out of sync.
 */
import type { ClusterState, ManagedNamespaceState, StateChange } from '@/lib/agent-protocol';
import { FQN_ANNOTATION, MANAGED_BY_LABEL, MANAGED_BY_VALUE, QUOTA_NAME, TOLERATIONS_ANNOTATION } from '@/lib/workspaces';
import { detectComponents } from '@/agent/components';
import type { KubeIngressClass, KubeNamedObject, KubeNode, KubeResourceQuota, KubeStorageClass } from '@/agent/kube/objects';
import { toIngressClassState, toNodeState, toStorageClassState, type NodeLabelKeys } from '@/agent/kube/node-state';
import { evaluatePreflight, type ProbeOutcome, type RegistryProbeOutcome } from '@/agent/preflight';

/** Why the agent has no data for a resource. */
export interface ResourceRefusal {
  /** Plural resource name, e.g. `ingressclasses`. */
  resource: string;
  /** `forbidden` (403), `not found` (404: API group absent), `unavailable` (never listed: other errors). */
  reason: 'forbidden' | 'not found' | 'unavailable';
}

/** Raw facts about the cluster. A resource is `undefined` when it could not be listed. */
export interface ClusterFacts {
  kubernetesVersion: string | undefined;
  nodes: readonly KubeNode[] | undefined;
  namespaces: readonly KubeNamedObject[] | undefined;
  storageClasses: readonly KubeStorageClass[] | undefined;
  ingressClasses: readonly KubeIngressClass[] | undefined;
  crds: readonly KubeNamedObject[] | undefined;
  /** Fleetdeck's ResourceQuotas (label-selected); absent or undefined when not listed. */
  resourceQuotas?: readonly KubeResourceQuota[] | undefined;
  refusals: readonly ResourceRefusal[];
  prometheus: ProbeOutcome | undefined;
  registries: readonly RegistryProbeOutcome[] | undefined;
}

/** The cluster's configuration as the control plane sent it in `welcome` (and any local override). */
export interface ClusterConfig extends NodeLabelKeys {
  prometheusUrl: string;
}

const byName = <T extends { name: string }>(a: T, b: T) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

export function buildClusterState(facts: ClusterFacts, config: ClusterConfig): ClusterState {
  const nodes = facts.nodes?.map((n) => toNodeState(n, config)).sort(byName);
  const storageClasses = facts.storageClasses?.map(toStorageClassState).sort(byName);
  const ingressClasses = facts.ingressClasses?.map(toIngressClassState).sort(byName);
  const components = detectComponents({ crds: facts.crds, namespaces: facts.namespaces });
  return {
    nodes: nodes ?? [],
    namespaces: (facts.namespaces ?? []).map((ns) => ns.metadata?.name ?? '').filter((n) => n !== '').sort(),
    storageClasses: storageClasses ?? [],
    ingressClasses: ingressClasses ?? [],
    components,
    preflight: evaluatePreflight({
      kubernetesVersion: facts.kubernetesVersion,
      nodePoolLabel: config.nodePoolLabel,
      gpuTypeLabel: config.gpuTypeLabel,
      nodes,
      storageClasses,
      ingressClasses,
      components,
      crdsReadable: facts.crds !== undefined,
      prometheus: facts.prometheus,
      prometheusUrl: config.prometheusUrl,
      registries: facts.registries,
    }),
    warnings: facts.refusals.map((r) => `${r.resource}: ${r.reason}`).sort(),
    ...(facts.namespaces ? { managedNamespaces: managedNamespacesOf(facts.namespaces, facts.resourceQuotas) } : {}),
  };
}

/** Annotations reported for a managed namespace: Fleetdeck's own, not whatever else (possibly large) is there. */
function isReportedAnnotation(key: string): boolean {
  return key === FQN_ANNOTATION || key === TOLERATIONS_ANNOTATION || key.startsWith('fleetdeck.io/');
}

/** The namespaces Fleetdeck manages, with their quotas' figures. */
export function managedNamespacesOf(
  namespaces: readonly KubeNamedObject[],
  quotas: readonly KubeResourceQuota[] | undefined,
): ManagedNamespaceState[] {
  const quotaByNamespace = new Map<string, KubeResourceQuota>();
  for (const quota of quotas ?? []) {
    if (quota.metadata?.name === QUOTA_NAME && quota.metadata.namespace) quotaByNamespace.set(quota.metadata.namespace, quota);
  }
  const managed: ManagedNamespaceState[] = [];
  for (const ns of namespaces) {
    const name = ns.metadata?.name;
    const labels = ns.metadata?.labels ?? {};
    if (!name || labels[MANAGED_BY_LABEL] !== MANAGED_BY_VALUE) continue;
    const annotations = Object.fromEntries(Object.entries(ns.metadata?.annotations ?? {}).filter(([key]) => isReportedAnnotation(key)));
    const quota = quotaByNamespace.get(name);
    const hard = { ...(quota?.status?.hard ?? quota?.spec?.hard) };
    managed.push({
      name,
      labels: { ...labels },
      annotations,
      // An emptied quota (the workspace's quota was removed) limits nothing: none.
      quota: quota && Object.keys(hard).length > 0 ? { hard, used: { ...quota.status?.used } } : null,
    });
  }
  return managed.sort(byName);
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** The changes that turn `previous` into `next`; empty when nothing changed. */
export function diffClusterState(previous: ClusterState, next: ClusterState): StateChange[] {
  const changes: StateChange[] = [];

  const oldNodes = new Map(previous.nodes.map((n) => [n.name, n]));
  const newNodes = new Map(next.nodes.map((n) => [n.name, n]));
  for (const [name, node] of newNodes) {
    const old = oldNodes.get(name);
    if (!old || !same(old, node)) changes.push({ kind: 'node.upsert', node });
  }
  for (const name of oldNodes.keys()) {
    if (!newNodes.has(name)) changes.push({ kind: 'node.delete', name });
  }

  const oldNamespaces = new Set(previous.namespaces);
  const newNamespaces = new Set(next.namespaces);
  for (const name of newNamespaces) if (!oldNamespaces.has(name)) changes.push({ kind: 'namespace.upsert', name });
  for (const name of oldNamespaces) if (!newNamespaces.has(name)) changes.push({ kind: 'namespace.delete', name });

  // Unknown (namespaces not listed) is not "none": only a known list produces changes.
  if (next.managedNamespaces) {
    const oldManaged = new Map((previous.managedNamespaces ?? []).map((n) => [n.name, n]));
    const newManaged = new Map(next.managedNamespaces.map((n) => [n.name, n]));
    for (const [name, namespace] of newManaged) {
      const old = oldManaged.get(name);
      if (!old || !same(old, namespace)) changes.push({ kind: 'managedNamespace.upsert', namespace });
    }
    for (const name of oldManaged.keys()) {
      if (!newManaged.has(name)) changes.push({ kind: 'managedNamespace.delete', name });
    }
  }

  if (!same(previous.storageClasses, next.storageClasses)) {
    changes.push({ kind: 'storageClasses', items: next.storageClasses });
  }
  if (!same(previous.ingressClasses, next.ingressClasses)) {
    changes.push({ kind: 'ingressClasses', items: next.ingressClasses });
  }
  if (!same(previous.components, next.components)) changes.push({ kind: 'components', items: next.components });
  if (!same(previous.preflight, next.preflight)) changes.push({ kind: 'preflight', results: next.preflight });
  if (!same(previous.warnings, next.warnings)) changes.push({ kind: 'warnings', items: next.warnings });
  return changes;
}
