/**
 * Turns what the agent has read from the cluster into the protocol's `ClusterState`,
 * and two states into the `delta` changes between them.
 *
 * The agent always recomputes the whole state from its caches and sends the diff
 * against what it last sent: a relabel, a welcome with new label keys or a preflight
 * re-run all become deltas the same way, and nothing can drift out of sync.
 */
import type { ClusterState, StateChange } from '@/lib/agent-protocol';
import { detectComponents } from '@/agent/components';
import type { KubeIngressClass, KubeNamedObject, KubeNode, KubeStorageClass } from '@/agent/kube/objects';
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
  };
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
