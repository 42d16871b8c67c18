/**
 * The demo fleet: six clusters across providers, each described the way its simulated
 * Kubernetes API server will answer. Three carry a true problem for the overview to
 * show: a GPU Operator conflict, unlabelled GPU nodes, and a flaky connection.
 */
import type { ComponentId } from '@/lib/agent-protocol';
import type { ProviderId } from '@/lib/providers';

export interface DemoNodePool {
  name: string;
  count: number;
  gpuType?: string;
  gpusPerNode?: number;
  /** How many of the pool's GPU nodes lack the GPU-type label (a preflight failure). */
  missingGpuTypeLabel?: number;
  /** How many nodes report NotReady. */
  notReady?: number;
  cpu?: number;
  memoryGi?: number;
}

export interface DemoComponent {
  id: ComponentId;
  /** Installed by Fleetdeck (managed-by label) or by someone else (the provider, say). */
  managedByFleetdeck: boolean;
}

export interface DemoCluster {
  name: string;
  provider: ProviderId;
  region: string;
  environments: string[];
  kubernetesVersion: string;
  pools: DemoNodePool[];
  namespaces: string[];
  storageClasses: { name: string; provisioner: string; isDefault?: boolean }[];
  ingressClasses: { name: string; controller: string; isDefault?: boolean }[];
  components: DemoComponent[];
  /** Addon choices that differ from the provider's defaults. */
  addonOverrides?: Record<string, boolean>;
  /**
   * Its network link drops every 15–30 s and the agent redials: Degraded, "Unstable
   * connection", within two minutes, with every drop in its connection history.
   */
  flaky?: boolean;
}

const COMMON_NAMESPACES = ['default', 'kube-system', 'kube-public', 'cert-manager', 'prometheus'];

export const DEMO_FLEET: DemoCluster[] = [
  {
    name: 'eks-prod-use1',
    provider: 'aws-eks',
    region: 'us-east-1',
    environments: ['prod'],
    kubernetesVersion: 'v1.31.2-eks-7f9249a',
    pools: [
      { name: 'system', count: 3, cpu: 16, memoryGi: 64 },
      { name: 'h100-training', count: 8, gpuType: 'H100', gpusPerNode: 8 },
      { name: 'l4-inference', count: 6, gpuType: 'L4', gpusPerNode: 4, notReady: 1 },
    ],
    namespaces: [...COMMON_NAMESPACES, 'karpenter', 'team-vision-prod'],
    storageClasses: [{ name: 'gp3', provisioner: 'ebs.csi.aws.com', isDefault: true }, { name: 'efs', provisioner: 'efs.csi.aws.com' }],
    ingressClasses: [{ name: 'alb', controller: 'ingress.k8s.aws/alb', isDefault: true }],
    components: [
      { id: 'cert-manager', managedByFleetdeck: true },
      { id: 'prometheus', managedByFleetdeck: true },
      { id: 'karpenter', managedByFleetdeck: true },
    ],
  },
  {
    name: 'gke-staging-usc1',
    provider: 'gcp-gke',
    region: 'us-central1',
    environments: ['staging', 'dev'],
    kubernetesVersion: 'v1.30.5-gke.1014001',
    pools: [
      { name: 'default-pool', count: 3, cpu: 8, memoryGi: 32 },
      { name: 'a100-pool', count: 4, gpuType: 'A100', gpusPerNode: 8 },
      { name: 'l4-pool', count: 4, gpuType: 'L4', gpusPerNode: 2 },
    ],
    namespaces: [...COMMON_NAMESPACES, 'team-nlp-staging', 'team-nlp-dev'],
    storageClasses: [{ name: 'standard-rwo', provisioner: 'pd.csi.storage.gke.io', isDefault: true }],
    ingressClasses: [{ name: 'gce', controller: 'k8s.io/ingress-gce', isDefault: true }],
    components: [
      { id: 'cert-manager', managedByFleetdeck: true },
      { id: 'prometheus', managedByFleetdeck: true },
    ],
  },
  {
    name: 'aks-dev-eus',
    provider: 'azure-aks',
    region: 'eastus',
    environments: ['dev'],
    kubernetesVersion: 'v1.29.9',
    pools: [
      { name: 'system', count: 2, cpu: 8, memoryGi: 32 },
      { name: 'a100', count: 2, gpuType: 'A100', gpusPerNode: 4 },
    ],
    namespaces: [...COMMON_NAMESPACES, 'team-rec-dev'],
    storageClasses: [{ name: 'managed-csi', provisioner: 'disk.csi.azure.com', isDefault: true }],
    ingressClasses: [{ name: 'webapprouting', controller: 'webapprouting.kubernetes.azure.com/nginx', isDefault: true }],
    components: [
      { id: 'cert-manager', managedByFleetdeck: true },
      { id: 'prometheus', managedByFleetdeck: true },
    ],
  },
  {
    // CoreWeave runs its own GPU Operator; this cluster was attached with ours switched on anyway.
    name: 'coreweave-h200-east',
    provider: 'coreweave-cks',
    region: 'US-EAST-04',
    environments: ['prod'],
    kubernetesVersion: 'v1.31.4',
    pools: [
      { name: 'cpu', count: 2, cpu: 64, memoryGi: 256 },
      { name: 'h200', count: 16, gpuType: 'H200', gpusPerNode: 8 },
    ],
    namespaces: [...COMMON_NAMESPACES, 'gpu-operator', 'team-llm-prod'],
    storageClasses: [{ name: 'shared-vast', provisioner: 'csi.vastdata.com', isDefault: true }],
    ingressClasses: [{ name: 'nginx', controller: 'k8s.io/ingress-nginx', isDefault: true }],
    components: [
      { id: 'gpu-operator', managedByFleetdeck: false },
      { id: 'cert-manager', managedByFleetdeck: true },
      { id: 'prometheus', managedByFleetdeck: true },
    ],
    addonOverrides: { 'gpu-operator': true },
  },
  {
    // Two B200 nodes joined without the GPU-type label: scheduling by GPU type cannot see them.
    name: 'lambda-b200-west',
    provider: 'lambda-mk8s',
    region: 'us-west-1',
    environments: ['prod', 'staging'],
    kubernetesVersion: 'v1.30.8',
    pools: [
      { name: 'cpu', count: 2, cpu: 32, memoryGi: 128 },
      { name: 'b200', count: 8, gpuType: 'B200', gpusPerNode: 8, missingGpuTypeLabel: 2 },
    ],
    namespaces: [...COMMON_NAMESPACES, 'team-llm-staging'],
    storageClasses: [{ name: 'lambda-shared', provisioner: 'lambda.ai/shared-fs', isDefault: true }],
    ingressClasses: [{ name: 'nginx', controller: 'k8s.io/ingress-nginx', isDefault: true }],
    components: [
      { id: 'cert-manager', managedByFleetdeck: true },
      { id: 'prometheus', managedByFleetdeck: true },
    ],
  },
  {
    // A link that keeps dropping: Degraded, "Unstable connection", with the drops in its history.
    name: 'fluidstack-h100-eu',
    provider: 'fluidstack',
    region: 'eu-north',
    environments: ['dev'],
    kubernetesVersion: 'v1.30.6',
    pools: [
      { name: 'cpu', count: 1, cpu: 32, memoryGi: 128 },
      { name: 'h100', count: 6, gpuType: 'H100', gpusPerNode: 8 },
    ],
    namespaces: [...COMMON_NAMESPACES, 'team-vision-dev'],
    storageClasses: [{ name: 'fluidstack-nfs', provisioner: 'nfs.csi.k8s.io', isDefault: true }],
    ingressClasses: [{ name: 'nginx', controller: 'k8s.io/ingress-nginx', isDefault: true }],
    components: [
      { id: 'cert-manager', managedByFleetdeck: true },
      { id: 'prometheus', managedByFleetdeck: true },
    ],
    flaky: true,
  },
];
