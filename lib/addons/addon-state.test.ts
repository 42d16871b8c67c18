import { describe, expect, it } from 'vitest';
import { addonConflictReasons, resolveAddonStates, type AddonState } from '@/lib/addons/addon-state';
import { defaultAddons, offeredAddons } from '@/lib/addons/catalog';
import type { DetectedComponent } from '@/lib/agent-protocol';
import type { ProviderId } from '@/lib/providers';

function stateOf(
  provider: ProviderId,
  desired: Record<string, boolean>,
  detected: DetectedComponent[] | null,
  addonId: string,
) {
  const view = resolveAddonStates(provider, desired, detected).find((v) => v.addonId === addonId);
  if (!view) throw new Error(`${addonId} not offered on ${provider}`);
  return view;
}

const gpuOperatorByProvider: DetectedComponent = {
  id: 'gpu-operator',
  managedByFleetdeck: false,
  evidence: 'CRD clusterpolicies.nvidia.com, namespace gpu-operator',
};
const prometheusByFleetdeck: DetectedComponent = { id: 'prometheus', managedByFleetdeck: true, evidence: 'namespace prometheus' };

describe('resolveAddonStates', () => {
  it.each<[string, ProviderId, Record<string, boolean>, DetectedComponent[] | null, string, AddonState, boolean]>([
    ['before any report, an enabled addon will install', 'aws-eks', {}, null, 'argocd', 'will-install', true],
    ['before any report, a disabled addon is off', 'aws-eks', { keda: false }, null, 'keda', 'off', false],
    ['reported but absent and wanted: will install', 'aws-eks', { istio: true }, [], 'istio', 'will-install', true],
    ['installed by Fleetdeck', 'aws-eks', { prometheus: true }, [prometheusByFleetdeck], 'prometheus', 'installed', true],
    ['installed by Fleetdeck but now off', 'aws-eks', { prometheus: false }, [prometheusByFleetdeck], 'prometheus', 'installed', false],
    ['provider runs it and it is off here', 'coreweave-cks', {}, [gpuOperatorByProvider], 'gpu-operator', 'provider-managed', false],
    ['provider runs it and it is on here: conflict', 'coreweave-cks', { 'gpu-operator': true }, [gpuOperatorByProvider], 'gpu-operator', 'conflict', true],
    ['someone else installed it on EKS and it is on here: conflict', 'aws-eks', {}, [gpuOperatorByProvider], 'gpu-operator', 'conflict', true],
    ['missing desired value falls back to the provider default', 'lambda-mk8s', {}, [], 'gpu-operator', 'off', false],
  ])('%s', (_title, provider, desired, detected, addonId, state, enabled) => {
    const view = stateOf(provider, desired, detected, addonId);
    expect(view.state).toBe(state);
    expect(view.enabled).toBe(enabled);
    expect(view.detail.length).toBeGreaterThan(0);
  });

  it('explains a conflict with the evidence and the provider overlap', () => {
    const view = stateOf('coreweave-cks', { 'gpu-operator': true }, [gpuOperatorByProvider], 'gpu-operator');
    expect(view.detail).toContain('clusterpolicies.nvidia.com');
    expect(view.detail).toContain('does not support a second install');
  });

  it('returns one view per offered addon, in catalog order, with display names', () => {
    const views = resolveAddonStates('aws-eks', defaultAddons('aws-eks'), null);
    expect(views.map((v) => v.addonId)).toEqual(offeredAddons('aws-eks').map((a) => a.id));
    expect(views.find((v) => v.addonId === 'gpu-operator')?.name).toBe('NVIDIA GPU Operator');
  });

  it('ignores detected components of addons the provider does not offer', () => {
    const views = resolveAddonStates('gcp-gke', {}, [{ id: 'karpenter', managedByFleetdeck: false, evidence: 'x' }]);
    expect(views.some((v) => v.addonId === 'karpenter')).toBe(false);
  });

  it('lists conflicts as degradation reasons', () => {
    const views = resolveAddonStates('coreweave-cks', { 'gpu-operator': true }, [gpuOperatorByProvider]);
    expect(addonConflictReasons(views)).toEqual([expect.stringMatching(/^NVIDIA GPU Operator: /)]);
    expect(addonConflictReasons(resolveAddonStates('coreweave-cks', {}, [gpuOperatorByProvider]))).toEqual([]);
  });
});
