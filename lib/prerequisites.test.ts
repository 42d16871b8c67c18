import { describe, expect, it } from 'vitest';
import { PREFLIGHT_CHECK_IDS, type PreflightResult } from '@/lib/agent-protocol';
import {
  clusterPrerequisites,
  GPU_TYPE_PLACEHOLDER,
  gpuTypeLabelFixes,
  preflightProgress,
  REGISTRY_EGRESS_HOSTS,
  tickPrerequisites,
  withGpuLabelFixes,
} from '@/lib/prerequisites';

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

describe('preflightProgress', () => {
  const all = (status: PreflightResult['status']) => PREFLIGHT_CHECK_IDS.map((id) => ({ id, status, detail: '' }));
  const ticked = (preflight: PreflightResult[] | null) => tickPrerequisites(clusterPrerequisites(options), preflight);

  it('says failed, not in progress, when the checks finished and some failed', () => {
    const preflight = all('pass').map((r) => (r.id === 'prometheus' ? { ...r, status: 'fail' as const } : r));
    expect(preflightProgress(ticked(preflight))).toEqual({ state: 'failed', passed: 6, failed: 1, total: 7 });
  });

  it.each<[string, PreflightResult[] | null, string]>([
    ['waiting before the first report', null, 'waiting'],
    ['running while some checks have no result', all('unknown'), 'running'],
    ['passed when every check passes', all('pass'), 'passed'],
  ])('%s', (_title, preflight, state) => {
    expect(preflightProgress(ticked(preflight)).state).toBe(state);
  });
});

describe('gpuTypeLabelFixes', () => {
  const gpuTypeLabel = 'acme.io/gpu';

  it('names the unlabelled nodes and the GPU type the rest of their pool carries', () => {
    const fixes = gpuTypeLabelFixes({
      gpuTypeLabel,
      unlabelled: [
        { name: 'gpu-7', nodePool: 'h100' },
        { name: 'gpu-9', nodePool: 'h100' },
        { name: 'l4-2', nodePool: 'l4' },
      ],
      unlabelledCount: 3,
      labelled: [
        { nodePool: 'h100', gpuType: 'H100' },
        { nodePool: 'l4', gpuType: 'L4' },
      ],
    });
    expect(fixes.map((fix) => fix.command)).toEqual([
      'kubectl label nodes gpu-7 gpu-9 acme.io/gpu=H100',
      'kubectl label nodes l4-2 acme.io/gpu=L4',
    ]);
    expect(fixes[0]?.note).toContain('pool h100');
  });

  it('takes the cluster\'s one GPU type for a node outside any labelled pool', () => {
    const [fix] = gpuTypeLabelFixes({ gpuTypeLabel, unlabelled: [{ name: 'n1', nodePool: null }], unlabelledCount: 1, labelled: [{ nodePool: 'a', gpuType: 'A100' }] });
    expect(fix?.command).toBe('kubectl label nodes n1 acme.io/gpu=A100');
  });

  it('marks the GPU type as a placeholder when there is none to copy, or several', () => {
    const none = gpuTypeLabelFixes({ gpuTypeLabel, unlabelled: [{ name: 'n1', nodePool: null }], unlabelledCount: 1, labelled: [] });
    expect(none[0]?.command).toBe(`kubectl label nodes n1 acme.io/gpu=${GPU_TYPE_PLACEHOLDER}`);
    expect(none[0]?.note).toMatch(/^Replace <GPU-TYPE>/);
    const several = gpuTypeLabelFixes({
      gpuTypeLabel,
      unlabelled: [{ name: 'n1', nodePool: 'mixed' }],
      unlabelledCount: 1,
      labelled: [{ nodePool: 'x', gpuType: 'A100' }, { nodePool: 'y', gpuType: 'H100' }],
    });
    expect(several[0]?.note).toContain('several GPU types (A100, H100)');
  });

  it('never puts a name or type Kubernetes would refuse onto the command line', () => {
    const fixes = gpuTypeLabelFixes({
      gpuTypeLabel,
      unlabelled: [{ name: 'ok-1', nodePool: 'p' }, { name: 'x; rm -rf /', nodePool: 'p' }],
      unlabelledCount: 2,
      labelled: [{ nodePool: 'p', gpuType: 'H100 && curl evil' }],
    });
    expect(fixes.map((fix) => fix.command)).toEqual([`kubectl label nodes ok-1 acme.io/gpu=${GPU_TYPE_PLACEHOLDER}`]);
  });

  it('says how many more there are past the names on the line', () => {
    const unlabelled = Array.from({ length: 150 }, (_, i) => ({ name: `n${i}`, nodePool: null }));
    const [fix] = gpuTypeLabelFixes({ gpuTypeLabel, unlabelled, unlabelledCount: 150, labelled: [{ nodePool: null, gpuType: 'H100' }] });
    expect(fix?.command.split(' ').filter((word) => word.startsWith('n')).length).toBe(100 + 1 /* "nodes" */);
    expect(fix?.note).toContain('The first 100 of 150');
  });

  it('is offered on the node-labels item only while it fails', () => {
    const fixes = [{ command: 'kubectl label nodes a acme.io/gpu=H100', note: '' }];
    const failing = withGpuLabelFixes(tickPrerequisites(clusterPrerequisites(options), [{ id: 'gpu-type-labels', status: 'fail', detail: 'x' }]), fixes);
    expect(failing.find((p) => p.id === 'node-labels')?.fixes).toEqual(fixes);
    const passing = withGpuLabelFixes(tickPrerequisites(clusterPrerequisites(options), []), fixes);
    expect(passing.find((p) => p.id === 'node-labels')?.fixes).toBeUndefined();
  });
});
