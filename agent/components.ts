/**
 * Detects components already installed in the cluster from their CRDs and namespaces,
 * so the control plane can warn when an enabled addon would install a second copy
 * (e.g. the GPU Operator on CoreWeave CKS, which manages its own).
 */
import { COMPONENT_IDS, type ComponentId, type DetectedComponent } from '@/lib/agent-protocol';
import type { KubeNamedObject } from '@/agent/kube/objects';

export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const FLEETDECK_MANAGER = 'fleetdeck';

interface ComponentSignature {
  /** CRD names (`<plural>.<group>`) only this component installs. */
  crds: readonly string[];
  /** Namespaces its charts install into by default. */
  namespaces: readonly string[];
}

/** What gives each component away. CRDs are the strong signal; default namespaces back them up. */
export const COMPONENT_SIGNATURES: Record<ComponentId, ComponentSignature> = {
  'gpu-operator': {
    crds: ['clusterpolicies.nvidia.com', 'nvidiadrivers.nvidia.com'],
    namespaces: ['gpu-operator', 'nvidia-gpu-operator'],
  },
  prometheus: {
    crds: ['prometheuses.monitoring.coreos.com'],
    namespaces: ['prometheus', 'kube-prometheus-stack'],
  },
  'cert-manager': {
    crds: ['certificates.cert-manager.io', 'clusterissuers.cert-manager.io'],
    namespaces: ['cert-manager'],
  },
  argocd: { crds: ['applications.argoproj.io', 'appprojects.argoproj.io'], namespaces: ['argocd'] },
  istio: {
    crds: ['virtualservices.networking.istio.io', 'istiooperators.install.istio.io'],
    namespaces: ['istio-system'],
  },
  keda: { crds: ['scaledobjects.keda.sh'], namespaces: ['keda'] },
  karpenter: { crds: ['nodepools.karpenter.sh', 'provisioners.karpenter.sh'], namespaces: ['karpenter'] },
};

export interface ComponentEvidence {
  /** CRDs in the cluster; undefined when the API server refused to list them. */
  crds: readonly KubeNamedObject[] | undefined;
  /** Namespaces in the cluster; undefined when refused. */
  namespaces: readonly KubeNamedObject[] | undefined;
}

function isManagedByFleetdeck(object: KubeNamedObject): boolean {
  return object.metadata?.labels?.[MANAGED_BY_LABEL] === FLEETDECK_MANAGER;
}

/** Components found, in {@link COMPONENT_IDS} order, each with the evidence that named it. */
export function detectComponents(evidence: ComponentEvidence): DetectedComponent[] {
  const crdsByName = new Map((evidence.crds ?? []).map((crd) => [crd.metadata?.name ?? '', crd]));
  const namespacesByName = new Map((evidence.namespaces ?? []).map((ns) => [ns.metadata?.name ?? '', ns]));
  const detected: DetectedComponent[] = [];
  for (const id of COMPONENT_IDS) {
    const signature = COMPONENT_SIGNATURES[id];
    const crds = signature.crds.flatMap((name) => {
      const crd = crdsByName.get(name);
      return crd ? [crd] : [];
    });
    const namespaces = signature.namespaces.flatMap((name) => {
      const ns = namespacesByName.get(name);
      return ns ? [ns] : [];
    });
    if (crds.length === 0 && namespaces.length === 0) continue;
    const found = [...crds, ...namespaces];
    detected.push({
      id,
      managedByFleetdeck: found.some(isManagedByFleetdeck),
      evidence: [
        ...crds.map((crd) => `CRD ${crd.metadata?.name ?? ''}`),
        ...namespaces.map((ns) => `namespace ${ns.metadata?.name ?? ''}`),
      ].join(', '),
    });
  }
  return detected;
}
