import { describe, expect, it } from 'vitest';
import { carryAddonChoices } from '@/components/clusters/addon-carry-over';

describe('carryAddonChoices', () => {
  it('keeps every choice the new provider offers', () => {
    expect(carryAddonChoices({ keda: true, istio: false, prometheus: false }, 'aws-eks', 'gcp-gke')).toEqual({
      kept: { keda: true, istio: false, prometheus: false },
      notes: [],
    });
  });

  it('names each choice the new provider does not offer, instead of dropping it silently', () => {
    const { kept, notes } = carryAddonChoices({ karpenter: false, 'aws-efs-csi': true, keda: true }, 'aws-eks', 'coreweave-cks');
    expect(kept).toEqual({ keda: true });
    expect(notes).toEqual(['Karpenter (off) is not offered on CoreWeave CKS.', 'AWS EFS CSI driver (on) is not offered on CoreWeave CKS.']);
  });

  it('does not turn on behind the user’s back what the new provider ships itself', () => {
    const { kept, notes } = carryAddonChoices({ 'metrics-server': true, grafana: false }, 'azure-aks', 'gcp-gke');
    expect(kept).toEqual({ grafana: false });
    expect(notes).toEqual(['metrics-server was not turned on: Google GKE ships its own. Turn it on below if you need it anyway.']);
  });

  it('keeps a choice to turn such an addon off', () => {
    expect(carryAddonChoices({ 'metrics-server': false }, 'aws-eks', 'azure-aks')).toEqual({ kept: { 'metrics-server': false }, notes: [] });
  });

  it('lets switches left at the old provider’s default take the new provider’s default', () => {
    // The switches hand back every addon: GPU Operator off is CoreWeave's default, not a choice.
    const onCoreWeave = { 'gpu-operator': false, argocd: false, prometheus: true };
    expect(carryAddonChoices(onCoreWeave, 'coreweave-cks', 'aws-eks')).toEqual({ kept: { argocd: false }, notes: [] });
  });
});
