/**
 * Preflight: the cluster-side requirements of attaching a cluster, evaluated from facts
 * the agent gathered. Pure: probes (Prometheus, registry egress) run elsewhere and hand
 * their outcomes in, so every rule here is table-tested.
 */
import type {
  DetectedComponent,
  IngressClassState,
  NodeState,
  PreflightCheckId,
  PreflightResult,
  StorageClassState,
} from '@/lib/agent-protocol';

export const MIN_KUBERNETES = { major: 1, minor: 28 } as const;

/** Registries the addons pull from (DOMAIN.md); overridable so tests can use loopback. */
export const DEFAULT_REGISTRY_HOSTS = [
  'public.ecr.aws:443',
  'quay.io:443',
  'ghcr.io:443',
  'docker.io:443',
  'nvcr.io:443',
  'registry.k8s.io:443',
] as const;

/** The outcome of one network probe. */
export interface ProbeOutcome {
  ok: boolean;
  /** What was tried and what happened, e.g. `connect ECONNREFUSED`. */
  detail: string;
}

export interface RegistryProbeOutcome extends ProbeOutcome {
  /** `host:port`. */
  target: string;
}

export interface PreflightFacts {
  /** `gitVersion` from `/version`; undefined when it could not be read. */
  kubernetesVersion: string | undefined;
  nodePoolLabel: string;
  gpuTypeLabel: string;
  /** Undefined when the API server refused to list the resource. */
  nodes: readonly NodeState[] | undefined;
  storageClasses: readonly StorageClassState[] | undefined;
  ingressClasses: readonly IngressClassState[] | undefined;
  components: readonly DetectedComponent[];
  /** False when CRDs could not be listed, so a missing component is not proof of absence. */
  crdsReadable: boolean;
  /** Undefined until the first probe finished. */
  prometheus: ProbeOutcome | undefined;
  prometheusUrl: string;
  registries: readonly RegistryProbeOutcome[] | undefined;
}

/** "a, b, c and 4 more": keeps detail lines to one line on big clusters. */
export function listNames(names: readonly string[], max = 5): string {
  const shown = names.slice(0, max).join(', ');
  return names.length > max ? `${shown} and ${names.length - max} more` : shown;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** "1 node lacks" / "2 nodes lack". */
function lackPhrase(count: number, word: string): string {
  return `${plural(count, word)} ${count === 1 ? 'lacks' : 'lack'}`;
}

/** Parses `v1.30.4-eks-a737599`, `v1.29.6-gke.1326000`, `1.28` → major/minor. */
export function parseKubernetesVersion(version: string): { major: number; minor: number } | undefined {
  const m = /^v?(\d+)\.(\d+)/.exec(version.trim());
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]) };
}

type Check = (facts: PreflightFacts) => Omit<PreflightResult, 'id'>;

const pass = (detail: string) => ({ status: 'pass', detail }) as const;
const fail = (detail: string) => ({ status: 'fail', detail }) as const;
const unknown = (detail: string) => ({ status: 'unknown', detail }) as const;

const CHECKS: Record<PreflightCheckId, Check> = {
  'kubernetes-version': ({ kubernetesVersion }) => {
    if (!kubernetesVersion) return unknown('the API server did not report its version');
    const parsed = parseKubernetesVersion(kubernetesVersion);
    if (!parsed) return unknown(`unrecognised version "${kubernetesVersion}"`);
    const ok =
      parsed.major > MIN_KUBERNETES.major ||
      (parsed.major === MIN_KUBERNETES.major && parsed.minor >= MIN_KUBERNETES.minor);
    const need = `${MIN_KUBERNETES.major}.${MIN_KUBERNETES.minor}`;
    return ok ? pass(`Kubernetes ${kubernetesVersion}`) : fail(`Kubernetes ${kubernetesVersion} is older than ${need}`);
  },

  'node-pool-labels': ({ nodes, nodePoolLabel }) => {
    if (!nodes) return unknown('nodes could not be listed');
    if (nodes.length === 0) return unknown('no nodes seen yet');
    const lacking = nodes.filter((n) => n.nodePool === null).map((n) => n.name);
    if (lacking.length === 0) return pass(`all ${plural(nodes.length, 'node')} carry ${nodePoolLabel}`);
    return fail(`${lackPhrase(lacking.length, 'node')} ${nodePoolLabel}: ${listNames(lacking)}`);
  },

  'gpu-type-labels': ({ nodes, gpuTypeLabel }) => {
    if (!nodes) return unknown('nodes could not be listed');
    const gpuNodes = nodes.filter((n) => n.gpuCount > 0);
    if (gpuNodes.length === 0) return pass('no GPU nodes');
    const lacking = gpuNodes.filter((n) => n.gpuType === null).map((n) => n.name);
    if (lacking.length === 0) return pass(`all ${plural(gpuNodes.length, 'GPU node')} carry ${gpuTypeLabel}`);
    return fail(`${lackPhrase(lacking.length, 'GPU node')} ${gpuTypeLabel}: ${listNames(lacking)}`);
  },

  'default-storage-class': ({ storageClasses }) => {
    if (!storageClasses) return unknown('StorageClasses could not be listed');
    const defaults = storageClasses.filter((s) => s.isDefault);
    const first = defaults[0];
    if (first) return pass(`default StorageClass ${first.name} (${first.provisioner})`);
    if (storageClasses.length === 0) return fail('no StorageClass');
    return fail(`none of ${listNames(storageClasses.map((s) => s.name))} is marked default`);
  },

  'ingress-class': ({ ingressClasses }) => {
    if (!ingressClasses) return unknown('IngressClasses could not be listed');
    if (ingressClasses.length === 0) return fail('no IngressClass');
    const preferred = ingressClasses.find((i) => i.isDefault) ?? ingressClasses[0];
    return pass(
      ingressClasses.length === 1 && preferred
        ? `IngressClass ${preferred.name} (${preferred.controller})`
        : `IngressClasses ${listNames(ingressClasses.map((i) => i.name))}`,
    );
  },

  'cert-manager': ({ components, crdsReadable }) => {
    const certManager = components.find((c) => c.id === 'cert-manager');
    if (certManager) return pass(`found: ${certManager.evidence}`);
    if (!crdsReadable) return unknown('CRDs could not be listed');
    return fail('cert-manager not found (no certificates.cert-manager.io CRD)');
  },

  prometheus: ({ prometheus, prometheusUrl }) => {
    if (!prometheus) return unknown(`${prometheusUrl} not checked yet`);
    return prometheus.ok ? pass(`${prometheusUrl} is ready`) : fail(`${prometheusUrl}: ${prometheus.detail}`);
  },

  'registry-egress': ({ registries }) => {
    if (!registries) return unknown('not checked yet');
    if (registries.length === 0) return pass('no registries configured');
    const failed = registries.filter((r) => !r.ok);
    if (failed.length === 0) return pass(`reached ${plural(registries.length, 'registry')}`);
    return fail(`unreachable: ${listNames(failed.map((r) => `${r.target} (${r.detail})`), 3)}`);
  },
};

/** Every check, in the protocol's order. */
export function evaluatePreflight(facts: PreflightFacts): PreflightResult[] {
  return (Object.keys(CHECKS) as PreflightCheckId[]).map((id) => ({ id, ...CHECKS[id](facts) }));
}
