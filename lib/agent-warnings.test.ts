import { describe, expect, it } from 'vitest';
import { describeAgentWarning, missingNodesReason } from '@/lib/agent-warnings';

describe('agent warnings in words', () => {
  it('names the cause when the agent could not reach its own Kubernetes API', () => {
    expect(missingNodesReason(['ingressclasses: forbidden', 'nodes: unavailable'])).toMatch(/could not reach its own cluster’s Kubernetes API/);
    expect(missingNodesReason(['nodes: forbidden'])).toMatch(/refused to list nodes.*ClusterRole/);
    expect(missingNodesReason(['ingressclasses: forbidden'])).toBeNull();
    expect(missingNodesReason([])).toBeNull();
  });

  it.each([
    ['ingressclasses: forbidden', 'The Kubernetes API refused to list ingressclasses to the agent (forbidden): check its ClusterRole'],
    ['customresourcedefinitions: not found', 'The cluster does not serve customresourcedefinitions (not found): its API group is not installed'],
    ['something else', 'something else'],
  ])('%s', (warning, words) => {
    expect(describeAgentWarning(warning)).toBe(words);
  });
});
