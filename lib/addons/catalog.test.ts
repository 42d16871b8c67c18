import { describe, expect, it } from 'vitest';
import {
  ADDON_IDS,
  ADDONS,
  addonDefault,
  defaultAddons,
  findAddon,
  normaliseAddonChoice,
  offeredAddons,
  overlapWarning,
  unofferedEnabledAddonIds,
} from '@/lib/addons/catalog';
import { COMPONENT_IDS } from '@/lib/agent-protocol';
import { PROVIDER_IDS, type ProviderId } from '@/lib/providers';

function addon(id: string) {
  const found = findAddon(id);
  if (!found) throw new Error(`no addon ${id}`);
  return found;
}

const EKS_ONLY = ['karpenter', 'aws-ebs-csi', 'aws-efs-csi', 'aws-load-balancer-controller'];

describe('addon catalog', () => {
  it('has one entry per id, each with a name, description and a reason for every offered default', () => {
    expect(ADDONS.map((a) => a.id)).toEqual([...ADDON_IDS]);
    for (const a of ADDONS) {
      expect(a.name.length).toBeGreaterThan(0);
      expect(a.description.length).toBeGreaterThan(0);
      for (const provider of a.providers) expect(addonDefault(a, provider).reason.length).toBeGreaterThan(0);
    }
  });

  it('names every component the agent can detect', () => {
    for (const id of COMPONENT_IDS) expect(findAddon(id), id).toBeDefined();
  });

  it('displays the GPU Operator as "NVIDIA GPU Operator"', () => {
    expect(addon('gpu-operator').name).toBe('NVIDIA GPU Operator');
  });

  it.each(PROVIDER_IDS.filter((p) => p !== 'aws-eks'))('does not offer EKS-only addons on %s', (provider) => {
    const ids = offeredAddons(provider).map((a) => a.id);
    for (const id of EKS_ONLY) expect(ids).not.toContain(id);
  });

  it('offers Karpenter and the AWS addons on EKS, on by default except EFS', () => {
    expect(offeredAddons('aws-eks').map((a) => a.id)).toEqual(expect.arrayContaining(EKS_ONLY));
    expect(defaultAddons('aws-eks')).toMatchObject({
      karpenter: true,
      'aws-ebs-csi': true,
      'aws-load-balancer-controller': true,
      'aws-efs-csi': false,
    });
  });

  it.each<[ProviderId, boolean, RegExp]>([
    ['coreweave-cks', false, /^CoreWeave manages the NVIDIA GPU Operator on CKS; a second install is unsupported/],
    ['lambda-mk8s', false, /Lambda MK8s manages GPU enablement/],
    ['fluidstack', false, /Fluidstack manages the NVIDIA GPU Operator/],
    ['aws-eks', true, /GPU nodes need drivers/],
    ['gcp-gke', true, /GPU nodes need drivers/],
    ['generic', true, /GPU nodes need drivers/],
  ])('GPU Operator default on %s is %s with its reason', (provider, enabled, reason) => {
    const def = addonDefault(addon('gpu-operator'), provider);
    expect(def.enabled).toBe(enabled);
    expect(def.reason).toMatch(reason);
  });

  it.each<[string, ProviderId, boolean]>([
    ['gpu-operator', 'coreweave-cks', true],
    ['gpu-operator', 'lambda-mk8s', true],
    ['gpu-operator', 'fluidstack', true],
    ['gpu-operator', 'aws-eks', false],
    ['metrics-server', 'gcp-gke', true],
    ['metrics-server', 'aws-eks', false],
    ['argocd', 'coreweave-cks', false],
  ])('overlap rule: turning on %s on %s asks for confirmation: %s', (id, provider, asks) => {
    expect(overlapWarning(addon(id), provider) !== null).toBe(asks);
  });

  it('marks Argo CD and Istio essential with a warning, and nothing else', () => {
    expect(ADDONS.filter((a) => a.essentialWarning).map((a) => a.id).sort()).toEqual(['argocd', 'istio']);
  });

  it('never defaults an addon on where the provider ships it', () => {
    for (const a of ADDONS) {
      for (const provider of a.providers) {
        if (overlapWarning(a, provider)) expect(addonDefault(a, provider).enabled, `${a.id} on ${provider}`).toBe(false);
      }
    }
  });

  it('normalises a choice: fills defaults, keeps explicit values, drops unoffered ids', () => {
    const stored = normaliseAddonChoice('coreweave-cks', { 'gpu-operator': true, karpenter: false });
    expect(stored['gpu-operator']).toBe(true);
    expect(stored.argocd).toBe(true);
    expect(stored).not.toHaveProperty('karpenter');
    expect(Object.keys(stored).sort()).toEqual(offeredAddons('coreweave-cks').map((a) => a.id).sort());
  });

  it('reports enabled addons the provider does not offer, and unknown ids', () => {
    expect(unofferedEnabledAddonIds('gcp-gke', { karpenter: true, 'aws-efs-csi': false, nope: true, argocd: true })).toEqual([
      'karpenter',
      'nope',
    ]);
  });
});
