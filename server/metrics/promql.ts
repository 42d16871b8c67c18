/**
 * PromQL building blocks that cope with the label variants real exporters and real
 * scrape configs produce, so the catalog's expressions read as what they mean.
 *
 * - dcgm-exporter labels a GPU's workload `pod`/`namespace`/`container`; when the scrape
 *   job also attaches the exporter's own `pod`/`namespace` (prometheus-operator does),
 *   Prometheus renames the exporter's to `exported_pod`/`exported_namespace`/
 *   `exported_container`. {@link dcgmSeries} copies them back, so `pod` is always the
 *   workload's (or, for an unallocated GPU in that variant, the exporter's own pod —
 *   which requests no GPU, so joins with kube-state-metrics drop it).
 * - dcgm-exporter names the node `Hostname` (newer releases: `hostname`); both become `node`,
 *   the label kube-state-metrics uses, so GPUs join node labels and pod requests.
 * - kube-state-metrics exposes a node's Kubernetes labels on `kube_node_labels` as
 *   `label_<sanitised key>`; {@link nodeInfo} turns the cluster's node-pool and GPU-type keys
 *   into one series per node carrying `node_pool` and `gpu_type`.
 * - Recording rules are used only when the cluster's Prometheus is known to have them
 *   ({@link preferRule}); each rule stands for exactly the raw expression beside it.
 */
import type { PromqlContext } from './types';

/** The labels every catalog answer names its series by. */
export const NODE_POOL = 'node_pool';
export const GPU_TYPE = 'gpu_type';
/** The value of `node_pool` / `gpu_type` for nodes without the label. */
export const UNKNOWN = 'unknown';

/** A GPU counts as idle below this utilisation (%), averaged over the last hour. */
export const IDLE_UTILIZATION_PERCENT = 10;
/** A GPU counts as hot above this temperature (°C). */
export const HOT_GPU_CELSIUS = 85;

/**
 * The Prometheus label name kube-state-metrics gives a Kubernetes label key:
 * `label_` + the key with every character outside `[a-zA-Z0-9_]` turned into `_`
 * (kube-state-metrics' `SanitizeLabelName`), e.g. `cloud.google.com/gke-nodepool` →
 * `label_cloud_google_com_gke_nodepool`.
 */
export function kubeNodeLabelName(key: string): string {
  return `label_${key.replace(/[^a-zA-Z0-9_]/g, '_')}`;
}

/** A PromQL double-quoted string literal. */
export function quote(value: string): string {
  return JSON.stringify(value);
}

/** `label_replace(expr, dst, "$1", src, "(.+)")`: copies `src` into `dst` where `src` is set, leaves the series alone elsewhere. */
function copyLabel(expr: string, dst: string, src: string): string {
  return `label_replace(${expr}, ${quote(dst)}, "$1", ${quote(src)}, "(.+)")`;
}

/**
 * A DCGM expression (a selector, or a function of one such as `avg_over_time(X[1h])`)
 * with its labels made canonical: `pod`, `namespace`, `container` are the workload's
 * whichever way the scrape named them, and `node` is the node name from `Hostname` or
 * `hostname`.
 */
export function dcgmSeries(expr: string): string {
  let canonical = expr;
  for (const label of ['pod', 'namespace', 'container']) canonical = copyLabel(canonical, label, `exported_${label}`);
  for (const hostLabel of ['Hostname', 'hostname']) canonical = copyLabel(canonical, 'node', hostLabel);
  return canonical;
}

/**
 * `kube_node_labels` (optionally filtered) with `node_pool` set from the cluster's
 * node-pool label, `unknown` for nodes without it.
 */
function withNodePool(context: PromqlContext, selector = ''): string {
  const poolLabel = kubeNodeLabelName(context.nodePoolLabel);
  const labels = `kube_node_labels${selector}`;
  const defaulted = `label_replace(${labels}, ${quote(NODE_POOL)}, ${quote(UNKNOWN)}, "__name__", ".*")`;
  return copyLabel(defaulted, NODE_POOL, poolLabel);
}

/**
 * One series per node, value 1, labelled `node`, `node_pool` and `gpu_type`. The GPU type
 * is the node's GPU-type label when kube-state-metrics exposes it, else the `modelName`
 * dcgm-exporter reports for the node's GPUs (the label is often not allowlisted), else
 * `unknown`. Join with `* on(node) group_left(node_pool, gpu_type) <nodeInfo>`.
 */
export function nodeInfo(context: PromqlContext): string {
  const typeLabel = kubeNodeLabelName(context.gpuTypeLabel);
  const keep = `max by (node, ${NODE_POOL}, ${GPU_TYPE})`;
  const fromNodeLabel = `${keep} (${copyLabel(withNodePool(context, `{${typeLabel}!=""}`), GPU_TYPE, typeLabel)})`;
  const models = `max by (node, ${GPU_TYPE}) (${copyLabel(`count by (node, modelName) (${dcgmSeries('DCGM_FI_DEV_GPU_UTIL')})`, GPU_TYPE, 'modelName')})`;
  const fromModel = `${keep} (0 * ${models} + on(node) group_left(${NODE_POOL}) max by (node, ${NODE_POOL}) (${withNodePool(context)}))`;
  const unknownType = `${keep} (label_replace(${withNodePool(context)}, ${quote(GPU_TYPE)}, ${quote(UNKNOWN)}, "__name__", ".*"))`;
  return `(${fromNodeLabel} or on(node) ${fromModel} or on(node) ${unknownType})`;
}

/** Labels `expr` (which carries `node`) with its node's `node_pool` and `gpu_type`. */
export function onNodeInfo(expr: string, context: PromqlContext): string {
  return `(${expr}) * on(node) group_left(${NODE_POOL}, ${GPU_TYPE}) ${nodeInfo(context)}`;
}

/** 1 for each pod (`namespace`, `pod`) that is Pending or Running: a finished pod's requests hold nothing. */
export const ACTIVE_PODS = `(max by (namespace, pod) (kube_pod_status_phase{phase=~"Pending|Running"}) == 1)`;

/**
 * A resource's requests per pod and node (`node`, `namespace`, `pod`), counting only
 * Pending or Running pods. A Pending pod not yet bound to a node holds nothing and has no `node`.
 */
export function activeRequests(resource: string): string {
  return `(sum by (node, namespace, pod) (kube_pod_container_resource_requests{resource=${quote(resource)}, node!=""}) * on(namespace, pod) group_left() ${ACTIVE_PODS})`;
}

/** GPUs requested per active pod: a DCGM series whose canonical `namespace`/`pod` appear here is an allocated GPU. */
const GPU_PODS = `(sum by (namespace, pod) (${activeRequests('nvidia_com_gpu')}) > 0)`;

/** The DCGM expression restricted to GPUs allocated to a Pending or Running pod. */
export function allocatedGpus(dcgmExpr: string): string {
  return `(${dcgmSeries(dcgmExpr)} and on(namespace, pod) ${GPU_PODS})`;
}

/**
 * One series per allocated GPU (`node`, `gpu`, `UUID`, `namespace`, `pod`, …) whose mean
 * utilisation over the last hour is under {@link IDLE_UTILIZATION_PERCENT}.
 */
export function idleAllocatedGpus(): string {
  return `(${allocatedGpus('avg_over_time(DCGM_FI_DEV_GPU_UTIL[1h])')} < ${IDLE_UTILIZATION_PERCENT})`;
}

/**
 * Framebuffer memory used, in % of the GPU's memory: used / (used + free + reserved).
 * `DCGM_FI_DEV_FB_RESERVED` only exists on newer dcgm-exporter releases (where `FB_FREE`
 * excludes it); where it is absent it counts as 0.
 */
export function gpuMemoryUsedPercent(): string {
  const used = 'DCGM_FI_DEV_FB_USED';
  const total = `(${used} + DCGM_FI_DEV_FB_FREE + (DCGM_FI_DEV_FB_RESERVED or ${used} * 0))`;
  return dcgmSeries(`(100 * ${used} / ${total})`);
}

/**
 * Recording rules the catalog can use, each with exactly the raw expression it records
 * (the kubernetes-mixin / node-mixin definitions), so using one never changes an answer.
 */
export const RECORDING_RULES = {
  'cluster:node_cpu:ratio_rate5m':
    'sum(rate(node_cpu_seconds_total{mode!~"idle|iowait|steal"}[5m])) / count(sum by (instance, cpu) (node_cpu_seconds_total))',
  'instance:node_cpu_utilisation:rate5m':
    '(1 - avg without (cpu) (sum without (mode) (rate(node_cpu_seconds_total{mode=~"idle|iowait|steal"}[5m]))))',
  'instance:node_memory_utilisation:ratio': '(1 - (node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes))',
} as const;
export type RecordingRule = keyof typeof RECORDING_RULES;

/** The rule's name when the cluster's Prometheus records it, else the raw expression it stands for. */
export function preferRule(rule: RecordingRule, context: PromqlContext): string {
  return context.recordingRules?.has(rule) ? rule : RECORDING_RULES[rule];
}
