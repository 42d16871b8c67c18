import { describe, expect, it } from 'vitest';
import { carryAddonChoices } from '@/components/clusters/addon-carry-over';

describe('carryAddonChoices', () => {
  it('keeps every choice the new provider offers', () => {
    expect(carryAddonChoices({ keda: true, istio: true, prometheus: false }, 'gcp-gke')).toEqual({
      kept: { keda: true, istio: true, prometheus: false },
      notes: [],
    });
  });

  it('names each choice the new provider does not offer, instead of dropping it silently', () => {
    const { kept, notes } = carryAddonChoices({ karpenter: true, 'aws-ebs-csi': false, keda: true }, 'coreweave-cks');
    expect(kept).toEqual({ keda: true });
    expect(notes).toEqual(['Karpenter (on) is not offered on CoreWeave CKS.', expect.stringMatching(/\(off\) is not offered on CoreWeave CKS\.$/)]);
  });

  it('does not turn on behind the user’s back what the new provider ships itself', () => {
    const { kept, notes } = carryAddonChoices({ 'metrics-server': true, grafana: false }, 'gcp-gke');
    expect(kept).toEqual({ grafana: false });
    expect(notes).toEqual(['metrics-server was not turned on: Google GKE ships its own. Turn it on below if you need it anyway.']);
  });

  it('keeps a choice to turn such an addon off', () => {
    expect(carryAddonChoices({ 'metrics-server': false }, 'azure-aks')).toEqual({ kept: { 'metrics-server': false }, notes: [] });
  });
});
