/**
 * The agent reports resources it has no data for as `"<resource>: <reason>"` warnings
 * (agent/cluster-state.ts): `forbidden` (403), `not found` (404: the API group is
 * absent) or `unavailable` (never listed: the API server did not answer). These helpers
 * say that in words, and say why a cluster shows no nodes.
 */

const REASONS: Record<string, (resource: string) => string> = {
  forbidden: (resource) => `The Kubernetes API refused to list ${resource} to the agent (forbidden): check its ClusterRole`,
  'not found': (resource) => `The cluster does not serve ${resource} (not found): its API group is not installed`,
  unavailable: (resource) => `The agent could not list ${resource}: its cluster's Kubernetes API did not answer`,
};

function parseWarning(warning: string): { resource: string; reason: string } | null {
  const colon = warning.indexOf(': ');
  if (colon <= 0) return null;
  return { resource: warning.slice(0, colon), reason: warning.slice(colon + 2) };
}

/** "nodes: unavailable" → "The agent could not list nodes: …"; other text as it is. */
export function describeAgentWarning(warning: string): string {
  const parsed = parseWarning(warning);
  const describe = parsed ? REASONS[parsed.reason] : undefined;
  return parsed && describe ? describe(parsed.resource) : warning;
}

/** Why the agent reported no nodes, when its warnings say; null when they do not. */
export function missingNodesReason(warnings: readonly string[]): string | null {
  for (const warning of warnings) {
    const parsed = parseWarning(warning);
    if (parsed?.resource !== 'nodes') continue;
    if (parsed.reason === 'unavailable') {
      return 'The agent could not reach its own cluster’s Kubernetes API, so it has no nodes to report. Check the agent’s logs and that its pod can reach the API server.';
    }
    if (parsed.reason === 'forbidden') {
      return 'The Kubernetes API refused to list nodes to the agent (forbidden). Check that the agent’s ClusterRole allows list and watch on nodes.';
    }
    return describeAgentWarning(warning);
  }
  return null;
}
