import { describe, expect, it } from 'vitest';
import { PREFLIGHT_CHECK_IDS, type PreflightResult } from '@/lib/agent-protocol';
import { clusterPrerequisites, REGISTRY_EGRESS_HOSTS, tickPrerequisites } from '@/lib/prerequisites';

const options = { provider: 'coreweave-cks', nodePoolLabel: 'acme.io/pool', gpuTypeLabel: 'acme.io/gpu' } as const;

function item(id: string, preflight: PreflightResult[] | null) {
  const found = tickPrerequisites(clusterPrerequisites(options), preflight).find((p) => p.id === id);
  if (!found) throw new Error(id);
  return found;
}

describe('clusterPrerequisites', () => {
  it('lists the exact registry hosts', () => {
    const egress = clusterPrerequisites(options).find((p) => p.id === 'registry-egress');
    expect(egress?.hosts).toEqual(['public.ecr.aws', 'quay.io', 'ghcr.io', 'docker.io', 'nvcr.io', 'registry.k8s.io']);
    expect(egress?.hosts).toBe(REGISTRY_EGRESS_HOSTS);
  });

  it('uses the chosen label keys in the text and the kubectl example', () => {
    const labels = clusterPrerequisites(options).find((p) => p.id === 'node-labels');
    expect(labels?.detail).toContain('acme.io/pool');
    expect(labels?.detail).toContain('by hand');
    expect(labels?.examples).toEqual(['kubectl label nodes <node> acme.io/pool=<pool>', 'kubectl label nodes <gpu-node> acme.io/gpu=H100']);
  });

  it('points hyperscalers at their own node pool label', () => {
    const labels = clusterPrerequisites({ ...options, provider: 'gcp-gke' }).find((p) => p.id === 'node-labels');
    expect(labels?.detail).toContain('cloud.google.com/gke-nodepool');
  });

  it('maps every preflight check to exactly one item', () => {
    const mapped = clusterPrerequisites(options).flatMap((p) => p.checkIds);
    expect([...mapped].sort()).toEqual([...PREFLIGHT_CHECK_IDS].sort());
  });
});

describe('tickPrerequisites', () => {
  const pass = (id: PreflightResult['id'], detail = ''): PreflightResult => ({ id, status: 'pass', detail });
  const fail = (id: PreflightResult['id'], detail: string): PreflightResult => ({ id, status: 'fail', detail });

  it.each<[string, string, PreflightResult[] | null, string]>([
    ['before any report, checkable items are pending', 'kubernetes-version', null, 'pending'],
    ['items no check verifies stay manual', 'registry-and-artifacts', [], 'manual'],
    ['a passing check ticks its item', 'kubernetes-version', [pass('kubernetes-version', 'v1.30.2')], 'pass'],
    ['one failing check of two fails the item', 'node-labels', [pass('node-pool-labels'), fail('gpu-type-labels', '2 GPU nodes lack acme.io/gpu')], 'fail'],
    ['one passing check of two is not yet a pass', 'node-labels', [pass('node-pool-labels')], 'unknown'],
    ['a check not reported is unknown', 'storage', [pass('kubernetes-version')], 'unknown'],
  ])('%s', (_title, id, preflight, status) => {
    expect(item(id, preflight).status).toBe(status);
  });

  it('carries the agent’s findings', () => {
    expect(item('node-labels', [fail('gpu-type-labels', '2 GPU nodes lack acme.io/gpu: gpu-7, gpu-9')]).findings).toEqual([
      '2 GPU nodes lack acme.io/gpu: gpu-7, gpu-9',
    ]);
  });
});
