import { describe, expect, it } from 'vitest';
import { detectComponents } from '@/agent/components';
import type { KubeNamedObject } from '@/agent/kube/objects';

const obj = (name: string, labels: Record<string, string> = {}): KubeNamedObject => ({ metadata: { name, labels } });
const fleetdeck = { 'app.kubernetes.io/managed-by': 'fleetdeck' };

describe('detectComponents', () => {
  it.each([
    {
      when: 'nothing is installed',
      crds: [obj('widgets.example.com')],
      namespaces: [obj('default'), obj('kube-system')],
      expected: [],
    },
    {
      when: 'the GPU Operator CRD and namespace exist (CoreWeave)',
      crds: [obj('clusterpolicies.nvidia.com')],
      namespaces: [obj('gpu-operator')],
      expected: [
        { id: 'gpu-operator', managedByFleetdeck: false, evidence: 'CRD clusterpolicies.nvidia.com, namespace gpu-operator' },
      ],
    },
    {
      when: 'Fleetdeck installed cert-manager (label on the CRD)',
      crds: [obj('certificates.cert-manager.io', fleetdeck)],
      namespaces: [],
      expected: [{ id: 'cert-manager', managedByFleetdeck: true, evidence: 'CRD certificates.cert-manager.io' }],
    },
    {
      when: 'only the namespace gives it away, labelled by Fleetdeck',
      crds: [],
      namespaces: [obj('argocd', fleetdeck)],
      expected: [{ id: 'argocd', managedByFleetdeck: true, evidence: 'namespace argocd' }],
    },
    {
      when: 'several components, reported in catalogue order',
      crds: [
        obj('scaledobjects.keda.sh'),
        obj('nodepools.karpenter.sh'),
        obj('prometheuses.monitoring.coreos.com'),
        obj('virtualservices.networking.istio.io'),
      ],
      namespaces: [],
      expected: [
        { id: 'prometheus', managedByFleetdeck: false, evidence: 'CRD prometheuses.monitoring.coreos.com' },
        { id: 'istio', managedByFleetdeck: false, evidence: 'CRD virtualservices.networking.istio.io' },
        { id: 'keda', managedByFleetdeck: false, evidence: 'CRD scaledobjects.keda.sh' },
        { id: 'karpenter', managedByFleetdeck: false, evidence: 'CRD nodepools.karpenter.sh' },
      ],
    },
    {
      when: 'CRDs are forbidden, namespaces still count',
      crds: undefined,
      namespaces: [obj('istio-system')],
      expected: [{ id: 'istio', managedByFleetdeck: false, evidence: 'namespace istio-system' }],
    },
  ])('when $when', ({ crds, namespaces, expected }) => {
    expect(detectComponents({ crds, namespaces })).toEqual(expected);
  });
});
