/**
 * What a workspace's namespace should look like in its cluster, and how a reported one
 * differs from it (drift), in human words.
 *
 * The same function feeds `workspace.apply` and the drift check, so what is applied and
 * what is compared cannot disagree.
 */
import type { ManagedNamespaceState } from '@/lib/agent-protocol';
import {
  ENVIRONMENT_LABEL,
  FQN_ANNOTATION,
  FQN_LABEL,
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
  TOLERATIONS_ANNOTATION,
  workspaceFqn,
  type Toleration,
  type WorkspaceQuota,
} from '@/lib/workspaces';

/** The ResourceQuota keys Fleetdeck sets. */
export const QUOTA_KEYS = { cpu: 'cpu', memory: 'memory', gpus: 'requests.nvidia.com/gpu' } as const;

/** Longest label value Kubernetes accepts. */
const MAX_LABEL_VALUE = 63;
/** Drift text kept in the row (the UI shows it in a line or two). */
const MAX_DRIFT_CHARS = 500;

export interface WorkspaceSpec {
  clusterName: string;
  name: string;
  environmentName: string;
  labels: Record<string, string>;
  tolerations: readonly Toleration[];
  quota: WorkspaceQuota | null;
}

export interface DesiredNamespace {
  name: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** `spec.hard` of `fleetdeck-quota`; null: no quota. */
  quota: Record<string, string> | null;
}

/**
 * The FQN as a label value: `<cluster>.<workspace>` (values cannot hold `:`). A cluster
 * name of 35 and a workspace name of 32 exceed a label value's 63 characters: the
 * cluster part is then cut; the annotation always carries the whole FQN.
 */
export function fqnLabelValue(clusterName: string, workspaceName: string): string {
  const room = MAX_LABEL_VALUE - workspaceName.length - 1;
  const cluster = clusterName.length <= room ? clusterName : clusterName.slice(0, room).replace(/-+$/, '');
  return `${cluster}.${workspaceName}`;
}

export function quotaHard(quota: WorkspaceQuota | null): Record<string, string> | null {
  if (!quota) return null;
  const hard: Record<string, string> = {};
  if (quota.cpu) hard[QUOTA_KEYS.cpu] = quota.cpu;
  if (quota.memory) hard[QUOTA_KEYS.memory] = quota.memory;
  if (quota.gpus !== undefined && quota.gpus !== null) hard[QUOTA_KEYS.gpus] = String(quota.gpus);
  return Object.keys(hard).length > 0 ? hard : null;
}

/** Tolerations as the workload layer reads them: Kubernetes' JSON, without empty fields. */
export function tolerationsJson(tolerations: readonly Toleration[]): string {
  return JSON.stringify(
    tolerations.map((t) => ({
      ...(t.key ? { key: t.key } : {}),
      operator: t.operator,
      ...(t.operator === 'Equal' && t.value !== undefined ? { value: t.value } : {}),
      ...(t.effect ? { effect: t.effect } : {}),
    })),
  );
}

export function desiredNamespace(spec: WorkspaceSpec): DesiredNamespace {
  const labels = {
    ...spec.labels,
    // Fleetdeck's own keys win over a workspace label of the same key.
    [MANAGED_BY_LABEL]: MANAGED_BY_VALUE,
    [ENVIRONMENT_LABEL]: spec.environmentName,
    [FQN_LABEL]: fqnLabelValue(spec.clusterName, spec.name),
  };
  const annotations: Record<string, string> = { [FQN_ANNOTATION]: workspaceFqn(spec.clusterName, spec.name) };
  if (spec.tolerations.length > 0) annotations[TOLERATIONS_ANNOTATION] = tolerationsJson(spec.tolerations);
  return { name: spec.name, labels, annotations, quota: quotaHard(spec.quota) };
}

const SUFFIXES: Record<string, number> = {
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** A Kubernetes quantity as a number (`500m` → 0.5, `2Gi` → 2147483648); NaN when unreadable. */
export function parseQuantity(quantity: string): number {
  const match = /^([+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)([a-zA-Z]*)$/.exec(quantity.trim());
  if (!match) return Number.NaN;
  const factor = match[2] ? SUFFIXES[match[2]] : 1;
  return factor === undefined ? Number.NaN : Number(match[1]) * factor;
}

/** The API server normalises quantities (`0.5` is stored as `500m`): compare values, not text. */
function sameQuantity(a: string, b: string): boolean {
  if (a === b) return true;
  const x = parseQuantity(a);
  const y = parseQuantity(b);
  return Number.isFinite(x) && Number.isFinite(y) && Math.abs(x - y) <= 1e-9 * Math.max(1, Math.abs(x));
}

const shown = (value: string) => (value.length <= 64 ? value : `${value.slice(0, 61)}…`);

/**
 * What differs between the desired namespace and the one reported (null: not in the
 * cluster), in human words, or null when they match. Labels and annotations others
 * added are not drift; only Fleetdeck's keys are compared.
 */
export function describeDrift(desired: DesiredNamespace, reported: ManagedNamespaceState | null): string | null {
  if (!reported) return 'Namespace deleted in the cluster';
  const differences: string[] = [];
  for (const [key, value] of Object.entries(desired.labels)) {
    const actual = reported.labels[key];
    if (actual === undefined) differences.push(`Label ${key} was removed, expected ${shown(value)}`);
    else if (actual !== value) differences.push(`Label ${key} is ${shown(actual)}, expected ${shown(value)}`);
  }
  for (const [key, value] of Object.entries(desired.annotations)) {
    const actual = reported.annotations[key];
    if (actual === undefined) differences.push(`Annotation ${key} was removed`);
    else if (actual !== value) differences.push(key === TOLERATIONS_ANNOTATION ? `Annotation ${key} was changed` : `Annotation ${key} is ${shown(actual)}, expected ${shown(value)}`);
  }
  if (desired.annotations[TOLERATIONS_ANNOTATION] === undefined && reported.annotations[TOLERATIONS_ANNOTATION] !== undefined) {
    differences.push(`Annotation ${TOLERATIONS_ANNOTATION} was added`);
  }
  const reportedHard = reported.quota?.hard ?? null;
  if (desired.quota && !reportedHard) differences.push('ResourceQuota fleetdeck-quota deleted in the cluster');
  else if (!desired.quota && reportedHard) differences.push('ResourceQuota fleetdeck-quota has limits, expected none');
  else if (desired.quota && reportedHard) {
    for (const [key, value] of Object.entries(desired.quota)) {
      const actual = reportedHard[key];
      if (actual === undefined) differences.push(`Quota ${key} was removed, expected ${value}`);
      else if (!sameQuantity(actual, value)) differences.push(`Quota ${key} is ${shown(actual)}, expected ${value}`);
    }
    for (const key of Object.keys(reportedHard)) {
      if (!(key in desired.quota)) differences.push(`Quota ${key} was added`);
    }
  }
  if (differences.length === 0) return null;
  const text = differences.join('; ');
  return text.length <= MAX_DRIFT_CHARS ? text : `${text.slice(0, MAX_DRIFT_CHARS - 1)}…`;
}
