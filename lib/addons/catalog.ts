/**
 * The addon catalog: every addon Fleetdeck can install into a cluster, where it is
 * offered, what it defaults to on each provider and why, and which providers already
 * ship it. The attach form, the cluster page, the server and the agent gateway all
 * read this one module; nothing else decides addon defaults.
 *
 * Sources for the provider rules: DOMAIN.md, "The addon-overlap problem".
 */
import { PROVIDER_IDS, type ProviderId } from '@/lib/providers';

export const ADDON_IDS = [
  'argocd',
  'istio',
  'argo-workflows',
  'argo-rollouts',
  'cert-manager',
  'gpu-operator',
  'prometheus',
  'grafana',
  'metrics-server',
  'keda',
  'karpenter',
  'aws-ebs-csi',
  'aws-efs-csi',
  'aws-load-balancer-controller',
] as const;
export type AddonId = (typeof ADDON_IDS)[number];

export const ADDON_GROUPS = ['essential', 'gpu', 'observability', 'autoscaling', 'provider-specific'] as const;
export type AddonGroup = (typeof ADDON_GROUPS)[number];

export const ADDON_GROUP_LABELS: Record<AddonGroup, string> = {
  essential: 'Essential',
  gpu: 'GPU',
  observability: 'Observability',
  autoscaling: 'Autoscaling',
  'provider-specific': 'Provider-specific',
};

/** Whether an addon starts on, and the sentence that says why (shown next to the switch). */
export interface AddonDefault {
  enabled: boolean;
  reason: string;
}

export interface Addon {
  id: AddonId;
  /** Display name; also the switch's accessible name. */
  name: string;
  group: AddonGroup;
  /** One line: what it does for the cluster. */
  description: string;
  /** Providers the addon is offered on (EKS-only addons list only `aws-eks`). */
  providers: readonly ProviderId[];
  /** The default on every offered provider unless `providerDefaults` says otherwise. */
  defaultEnabled: AddonDefault;
  providerDefaults?: Partial<Record<ProviderId, AddonDefault>>;
  /**
   * Essential addons can be turned off only after an explicit warning: this text.
   * Absent for non-essential addons.
   */
  essentialWarning?: string;
  /**
   * Overlap rule: providers that already ship this component, with the sentence the
   * confirmation shows when someone turns it on there anyway.
   */
  shippedBy?: Partial<Record<ProviderId, string>>;
}

const ALL_PROVIDERS: readonly ProviderId[] = PROVIDER_IDS;
const EKS_ONLY: readonly ProviderId[] = ['aws-eks'];

export const ADDONS: readonly Addon[] = [
  {
    id: 'argocd',
    name: 'Argo CD',
    group: 'essential',
    description: 'GitOps delivery: Fleetdeck deploys workspace applications through it.',
    providers: ALL_PROVIDERS,
    defaultEnabled: { enabled: true, reason: 'Essential: applications reach this cluster through Argo CD.' },
    essentialWarning:
      'Without Argo CD, Fleetdeck cannot deploy applications to this cluster. Turn it off only if you deploy another way.',
  },
  {
    id: 'istio',
    name: 'Istio',
    group: 'essential',
    description: 'Service mesh and ingress gateway: routes traffic to workspace services with mTLS.',
    providers: ALL_PROVIDERS,
    defaultEnabled: { enabled: true, reason: 'Essential: workspace services are exposed through the Istio gateway.' },
    essentialWarning:
      'Without Istio, services in this cluster get no ingress route or mTLS from Fleetdeck. Turn it off only if you bring your own ingress.',
  },
  {
    id: 'argo-workflows',
    name: 'Argo Workflows',
    group: 'essential',
    description: 'Runs multi-step jobs and pipelines (data preparation, training, evaluation).',
    providers: ALL_PROVIDERS,
    defaultEnabled: { enabled: true, reason: 'On by default: jobs and pipelines submitted from Fleetdeck run on it.' },
  },
  {
    id: 'argo-rollouts',
    name: 'Argo Rollouts',
    group: 'essential',
    description: 'Canary and blue-green rollouts for services.',
    providers: ALL_PROVIDERS,
    defaultEnabled: { enabled: false, reason: 'Off by default: only needed for progressive delivery of services.' },
  },
  {
    id: 'cert-manager',
    name: 'cert-manager',
    group: 'essential',
    description: 'Issues and renews TLS certificates for the base domains (usually with Let’s Encrypt).',
    providers: ALL_PROVIDERS,
    defaultEnabled: { enabled: true, reason: 'On by default: the wildcard domain needs a certificate.' },
  },
  {
    id: 'gpu-operator',
    name: 'NVIDIA GPU Operator',
    group: 'gpu',
    description: 'Installs NVIDIA drivers, the device plugin and the DCGM exporter on GPU nodes.',
    providers: ALL_PROVIDERS,
    defaultEnabled: { enabled: true, reason: 'On by default: GPU nodes need drivers, the device plugin and DCGM metrics.' },
    providerDefaults: {
      'coreweave-cks': {
        enabled: false,
        reason: 'CoreWeave manages the NVIDIA GPU Operator on CKS; a second install is unsupported.',
      },
      'lambda-mk8s': {
        enabled: false,
        reason: 'Lambda MK8s manages GPU enablement on its nodes; a second GPU stack conflicts with it.',
      },
      fluidstack: {
        enabled: false,
        reason: 'Fluidstack manages the NVIDIA GPU Operator on its clusters; a second install conflicts with it.',
      },
    },
    shippedBy: {
      'coreweave-cks': 'CoreWeave already runs the NVIDIA GPU Operator on CKS and does not support a second install.',
      'lambda-mk8s': 'Lambda MK8s already provides GPU enablement; a second GPU stack is likely to conflict.',
      fluidstack: 'Fluidstack already runs the NVIDIA GPU Operator when it manages the GPUs; a second install conflicts.',
    },
  },
  {
    id: 'prometheus',
    name: 'Prometheus',
    group: 'observability',
    description: 'kube-prometheus-stack: the in-cluster Prometheus Fleetdeck reads cluster and GPU metrics from.',
    providers: ALL_PROVIDERS,
    defaultEnabled: { enabled: true, reason: 'On by default: fleet and GPU metrics are read from this Prometheus.' },
  },
  {
    id: 'grafana',
    name: 'Grafana',
    group: 'observability',
    description: 'Dashboards for cluster, workload and GPU metrics inside the cluster.',
    providers: ALL_PROVIDERS,
    defaultEnabled: { enabled: true, reason: 'On by default: in-cluster dashboards for on-call engineers.' },
    providerDefaults: {
      'coreweave-cks': {
        enabled: false,
        reason: 'CoreWeave brings its own observability dashboards for CKS; review the overlap before adding ours.',
      },
      'lambda-mk8s': {
        enabled: true,
        reason: 'On: Lambda’s DCGM dashboards can run beside ours.',
      },
    },
    shippedBy: {
      'coreweave-cks': 'CoreWeave already provides observability dashboards for CKS; a second Grafana duplicates them.',
    },
  },
  {
    id: 'metrics-server',
    name: 'metrics-server',
    group: 'observability',
    description: 'Resource metrics for `kubectl top` and the Horizontal Pod Autoscaler.',
    providers: ALL_PROVIDERS,
    defaultEnabled: { enabled: true, reason: 'On by default: autoscalers need resource metrics.' },
    providerDefaults: {
      'gcp-gke': { enabled: false, reason: 'GKE runs metrics-server in every cluster already.' },
      'azure-aks': { enabled: false, reason: 'AKS runs metrics-server in every cluster already.' },
    },
    shippedBy: {
      'gcp-gke': 'GKE already runs metrics-server; a second one competes for the same API service.',
      'azure-aks': 'AKS already runs metrics-server; a second one competes for the same API service.',
    },
  },
  {
    id: 'keda',
    name: 'KEDA',
    group: 'autoscaling',
    description: 'Event-driven autoscaling: scales services on queue depth, request rate or custom metrics.',
    providers: ALL_PROVIDERS,
    defaultEnabled: { enabled: false, reason: 'Off by default: turn on when services scale on events or queues.' },
  },
  {
    id: 'karpenter',
    name: 'Karpenter',
    group: 'autoscaling',
    description: 'Provisions right-sized EC2 nodes (GPU included) for pending pods.',
    providers: EKS_ONLY,
    defaultEnabled: { enabled: true, reason: 'On for EKS: node autoscaling without managing node groups by hand.' },
  },
  {
    id: 'aws-ebs-csi',
    name: 'AWS EBS CSI driver',
    group: 'provider-specific',
    description: 'EBS block volumes and a gp3 default StorageClass.',
    providers: EKS_ONLY,
    defaultEnabled: { enabled: true, reason: 'On for EKS: persistent volumes need a CSI driver.' },
  },
  {
    id: 'aws-efs-csi',
    name: 'AWS EFS CSI driver',
    group: 'provider-specific',
    description: 'Shared ReadWriteMany EFS volumes for datasets and checkpoints.',
    providers: EKS_ONLY,
    defaultEnabled: { enabled: false, reason: 'Off by default: turn on if workspaces share EFS file systems.' },
  },
  {
    id: 'aws-load-balancer-controller',
    name: 'AWS Load Balancer Controller',
    group: 'provider-specific',
    description: 'Provisions NLBs and ALBs for the ingress gateway and services.',
    providers: EKS_ONLY,
    defaultEnabled: { enabled: true, reason: 'On for EKS: the ingress gateway needs a load balancer.' },
  },
];

const ADDONS_BY_ID = new Map<string, Addon>(ADDONS.map((addon) => [addon.id, addon]));

export function isAddonId(id: string): id is AddonId {
  return ADDONS_BY_ID.has(id);
}

export function findAddon(id: string): Addon | undefined {
  return ADDONS_BY_ID.get(id);
}

export function isOfferedOn(addon: Addon, provider: ProviderId): boolean {
  return addon.providers.includes(provider);
}

/** The addons the form shows for `provider`, in catalog order. */
export function offeredAddons(provider: ProviderId): Addon[] {
  return ADDONS.filter((addon) => isOfferedOn(addon, provider));
}

/** The default for one addon on one provider, with its reason. */
export function addonDefault(addon: Addon, provider: ProviderId): AddonDefault {
  return addon.providerDefaults?.[provider] ?? addon.defaultEnabled;
}

/** addon id → enabled, for every addon offered on `provider`. */
export function defaultAddons(provider: ProviderId): Record<string, boolean> {
  return Object.fromEntries(offeredAddons(provider).map((addon) => [addon.id, addonDefault(addon, provider).enabled]));
}

/** The confirmation text when turning `addon` on where `provider` already ships it, else null. */
export function overlapWarning(addon: Addon, provider: ProviderId): string | null {
  return addon.shippedBy?.[provider] ?? null;
}

/**
 * The desired addons to store: every offered addon gets an explicit value (defaults
 * fill the gaps) and addons not offered on `provider` are dropped, so a cluster's
 * stored choice never depends on a later change of defaults.
 */
export function normaliseAddonChoice(provider: ProviderId, choice: Record<string, boolean>): Record<string, boolean> {
  return Object.fromEntries(
    offeredAddons(provider).map((addon) => [addon.id, choice[addon.id] ?? addonDefault(addon, provider).enabled]),
  );
}

/**
 * Addon ids turned on in `choice` that `provider` does not offer (the server refuses
 * these). Unknown ids switched off are harmless and simply dropped.
 */
export function unofferedEnabledAddonIds(provider: ProviderId, choice: Record<string, boolean>): string[] {
  return Object.entries(choice)
    .filter(([id, enabled]) => {
      const addon = findAddon(id);
      return enabled && (!addon || !isOfferedOn(addon, provider));
    })
    .map(([id]) => id);
}
