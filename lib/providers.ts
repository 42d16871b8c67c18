/** The Kubernetes offerings a cluster can run on. Ids are stored in `clusters.provider`. */
export const PROVIDER_IDS = [
  'aws-eks',
  'gcp-gke',
  'azure-aks',
  'coreweave-cks',
  'lambda-mk8s',
  'fluidstack',
  'generic',
] as const;
export type ProviderId = (typeof PROVIDER_IDS)[number];

export interface Provider {
  id: ProviderId;
  /** What the form shows, e.g. "CoreWeave CKS". */
  label: string;
  /** Hyperscalers discover node pools themselves; elsewhere the labels are set by hand. */
  discoversNodePools: boolean;
  /** Suggestions for the free-text region field. */
  regions: readonly string[];
}

export const PROVIDERS: Record<ProviderId, Provider> = {
  'aws-eks': { id: 'aws-eks', label: 'AWS EKS', discoversNodePools: true, regions: ['us-east-1', 'us-east-2', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-northeast-1'] },
  'gcp-gke': { id: 'gcp-gke', label: 'Google GKE', discoversNodePools: true, regions: ['us-central1', 'us-east4', 'us-west1', 'europe-west4', 'asia-southeast1'] },
  'azure-aks': { id: 'azure-aks', label: 'Azure AKS', discoversNodePools: true, regions: ['eastus', 'eastus2', 'westus3', 'westeurope', 'swedencentral'] },
  'coreweave-cks': { id: 'coreweave-cks', label: 'CoreWeave CKS', discoversNodePools: false, regions: ['US-EAST-04', 'US-WEST-01', 'US-CENTRAL-02', 'EU-SOUTH-03'] },
  'lambda-mk8s': { id: 'lambda-mk8s', label: 'Lambda MK8s', discoversNodePools: false, regions: ['us-east-1', 'us-west-1', 'us-south-1', 'us-midwest-1'] },
  fluidstack: { id: 'fluidstack', label: 'Fluidstack', discoversNodePools: false, regions: ['us-west', 'us-east', 'eu-north', 'eu-west'] },
  generic: { id: 'generic', label: 'Generic Kubernetes', discoversNodePools: false, regions: [] },
};
