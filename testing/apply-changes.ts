/**
 * Applies `delta` changes to a `ClusterState` the way a consumer (the gateway, a test
 * control plane) does, so tests can compare what the agent streamed with the truth.
 */
import type { ClusterState, StateChange } from '@/lib/agent-protocol';

export function applyStateChanges(state: ClusterState, changes: readonly StateChange[]): ClusterState {
  const next: ClusterState = structuredClone(state);
  for (const change of changes) {
    switch (change.kind) {
      case 'node.upsert': {
        const i = next.nodes.findIndex((n) => n.name === change.node.name);
        if (i >= 0) next.nodes[i] = change.node;
        else next.nodes.push(change.node);
        break;
      }
      case 'node.delete':
        next.nodes = next.nodes.filter((n) => n.name !== change.name);
        break;
      case 'namespace.upsert':
        if (!next.namespaces.includes(change.name)) next.namespaces.push(change.name);
        break;
      case 'namespace.delete':
        next.namespaces = next.namespaces.filter((n) => n !== change.name);
        break;
      case 'storageClasses':
        next.storageClasses = change.items;
        break;
      case 'ingressClasses':
        next.ingressClasses = change.items;
        break;
      case 'components':
        next.components = change.items;
        break;
      case 'preflight':
        next.preflight = change.results;
        break;
      case 'warnings':
        next.warnings = change.items;
        break;
    }
  }
  next.nodes.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  next.namespaces.sort();
  return next;
}
