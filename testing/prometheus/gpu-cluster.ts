/**
 * A small GPU cluster as its exporters would show it, with values chosen so every catalog
 * figure has one exact expected answer (`GPU_CLUSTER_EXPECTED`).
 *
 * - `gpu-a1`: node pool `h100-pool`, GPU-type label `NVIDIA-H100-80GB-HBM3`, 8 GPUs. Its
 *   dcgm-exporter is scraped the prometheus-operator way (the target carries the exporter's
 *   own `pod`/`namespace`/`container`, so the workload's become `exported_*`), names the
 *   node `Hostname` and reports `FB_RESERVED`.
 * - `gpu-b1`: node pool `a100-pool`, NO GPU-type label (its type comes from DCGM's
 *   `modelName`), 4 GPUs. Its dcgm-exporter is scraped plainly (`pod`), names the node
 *   `hostname` (newer releases) and has no `FB_RESERVED`.
 * - `cpu-c1`: node pool `system`, no GPUs, NotReady.
 *
 * Pods: ml/train-1 Running on gpu-a1 (4 GPUs, 80/70/60/50 %), ml/notebook-1 Running on
 * gpu-a1 (1 GPU at 3 %: the idle allocated one), ml/eval-1 Succeeded on gpu-a1 (2 GPUs
 * requested — must not count; DCGM still maps one GPU to it), serve/infer-1 Running on gpu-b1
 * (2 GPUs, 40/20 %), serve/queued-1 Pending bound to gpu-b1 (1 GPU, container not started),
 * serve/waiting-1 Pending unbound (1 GPU: holds nothing), kube-system/coredns Running on cpu-c1.
 * One hot GPU (gpu-a1 GPU 0 at 88 °C) and one XID 79 (gpu-b1 GPU 1).
 *
 * `variants` swaps the exporter variants between the nodes: every GPU figure but memory
 * used % (which depends on FB_RESERVED) must come out the same.
 */
import type { ExporterSample, FixtureTarget, MetricFamily, PrometheusFixtures } from './exposition';

export const NODE_POOL_LABEL = 'cloud.google.com/gke-nodepool';
export const GPU_TYPE_LABEL = 'nvidia.com/gpu.product';

const GIB = 1024 ** 3;

interface FixtureGpu {
  util: number;
  temp: number;
  power: number;
  /** Framebuffer MiB. */
  used: number;
  free: number;
  reserved: number;
  xid: number;
  /** The workload DCGM maps this GPU to, if any. */
  pod?: { namespace: string; pod: string; container: string };
}

interface FixtureNode {
  name: string;
  pool: string;
  gpuTypeLabel?: string;
  modelName?: string;
  ready: boolean;
  cpus: number;
  memoryBytes: number;
  gpus: FixtureGpu[];
  /** node_exporter figures: busy share of each CPU, memory available. */
  busy?: number;
  memAvailableBytes?: number;
}

interface FixturePod {
  namespace: string;
  pod: string;
  node: string;
  phase: 'Pending' | 'Running' | 'Succeeded' | 'Failed';
  gpus: number;
  cpu: number;
  memoryBytes: number;
  restarts: number;
}

const train = { namespace: 'ml', pod: 'train-1', container: 'trainer' };
const gpu = (util: number, extra: Partial<FixtureGpu> = {}): FixtureGpu => ({
  util,
  temp: 60,
  power: 300,
  used: 40_000,
  free: 40_000,
  reserved: 1_000,
  xid: 0,
  ...extra,
});

export const FIXTURE_NODES: readonly FixtureNode[] = [
  {
    name: 'gpu-a1',
    pool: 'h100-pool',
    gpuTypeLabel: 'NVIDIA-H100-80GB-HBM3',
    modelName: 'NVIDIA H100 80GB HBM3',
    ready: true,
    cpus: 2,
    memoryBytes: 100 * GIB,
    busy: 0.25,
    memAvailableBytes: 40 * GIB,
    gpus: [
      gpu(80, { pod: train, temp: 88, power: 650 }),
      gpu(70, { pod: train }),
      gpu(60, { pod: train }),
      gpu(50, { pod: train }),
      gpu(3, { pod: { namespace: 'ml', pod: 'notebook-1', container: 'jupyter' }, power: 90 }),
      gpu(0, { pod: { namespace: 'ml', pod: 'eval-1', container: 'eval' }, power: 70 }),
      gpu(0, { power: 70 }),
      gpu(0, { power: 70 }),
    ],
  },
  {
    name: 'gpu-b1',
    pool: 'a100-pool',
    modelName: 'NVIDIA A100-SXM4-40GB',
    ready: true,
    cpus: 2,
    memoryBytes: 50 * GIB,
    busy: 0.5,
    memAvailableBytes: 30 * GIB,
    gpus: [
      gpu(40, { pod: { namespace: 'serve', pod: 'infer-1', container: 'server' }, used: 20_000, free: 20_000, temp: 55, power: 200 }),
      gpu(20, { pod: { namespace: 'serve', pod: 'infer-1', container: 'server' }, used: 20_000, free: 20_000, temp: 55, power: 200, xid: 79 }),
      gpu(0, { used: 0, free: 40_000, temp: 40, power: 50 }),
      gpu(0, { used: 0, free: 40_000, temp: 40, power: 50 }),
    ],
  },
  { name: 'cpu-c1', pool: 'system', ready: false, cpus: 8, memoryBytes: 32 * GIB, gpus: [] },
];

export const FIXTURE_PODS: readonly FixturePod[] = [
  { namespace: 'ml', pod: 'train-1', node: 'gpu-a1', phase: 'Running', gpus: 4, cpu: 32, memoryBytes: 256 * GIB, restarts: 0 },
  { namespace: 'ml', pod: 'notebook-1', node: 'gpu-a1', phase: 'Running', gpus: 1, cpu: 4, memoryBytes: 32 * GIB, restarts: 1 },
  { namespace: 'ml', pod: 'eval-1', node: 'gpu-a1', phase: 'Succeeded', gpus: 2, cpu: 8, memoryBytes: 64 * GIB, restarts: 0 },
  { namespace: 'serve', pod: 'infer-1', node: 'gpu-b1', phase: 'Running', gpus: 2, cpu: 16, memoryBytes: 128 * GIB, restarts: 0 },
  { namespace: 'serve', pod: 'queued-1', node: 'gpu-b1', phase: 'Pending', gpus: 1, cpu: 8, memoryBytes: 16 * GIB, restarts: 0 },
  { namespace: 'serve', pod: 'waiting-1', node: '', phase: 'Pending', gpus: 1, cpu: 4, memoryBytes: 16 * GIB, restarts: 0 },
  { namespace: 'kube-system', pod: 'coredns', node: 'cpu-c1', phase: 'Running', gpus: 0, cpu: 0.1, memoryBytes: 0.0625 * GIB, restarts: 3 },
];

/** What the fixtures imply, worked out by hand (see the file comment). */
export const GPU_CLUSTER_EXPECTED = {
  gpusTotal: 12,
  /** train-1 4 + notebook-1 1 on gpu-a1; infer-1 2 + queued-1 1 on gpu-b1. eval-1 (Succeeded) and waiting-1 (unbound) hold none. */
  gpusAllocated: 8,
  idleAllocated: 1,
  meanUtilization: (80 + 70 + 60 + 50 + 3 + 0 + 0 + 0 + 40 + 20 + 0 + 0) / 12,
  h100: { model: 'NVIDIA-H100-80GB-HBM3', nodePool: 'h100-pool', total: 8, allocated: 5, idleAllocated: 1, meanUtilization: 263 / 8 },
  /** gpu-b1 has no GPU-type label: its type is DCGM's modelName, spelled as GPU feature discovery would label it. */
  a100: { model: 'NVIDIA-A100-SXM4-40GB', nodePool: 'a100-pool', total: 4, allocated: 3, idleAllocated: 0, meanUtilization: 15 },
  nodesReady: 2,
  nodesTotal: 3,
  /** (2 CPUs × 0.25 + 2 CPUs × 0.5) / 4 CPUs. */
  cpuUtilization: 0.375,
  memoryUtilization: 1 - 70 / 150,
  /** Requests of Pending and Running pods bound to a node; allocatable of all nodes. */
  cpuRequested: 32 + 4 + 16 + 8 + 0.1,
  cpuAllocatable: 2 + 2 + 8,
  xid: { node: 'gpu-b1', gpu: '1' },
  hotGpus: 1,
  /** gpu-a1 reports FB_RESERVED: 40,000 / (40,000 + 40,000 + 1,000); gpu-b1 does not: 20,000 / (20,000 + 20,000). */
  memoryUsedPercent: { 'gpu-a1': (100 * 40_000) / 81_000, 'gpu-b1': 50 },
} as const;

const FAMILIES: Record<string, MetricFamily> = {
  DCGM_FI_DEV_GPU_UTIL: { help: 'GPU utilization (in %).', type: 'gauge' },
  DCGM_FI_DEV_GPU_TEMP: { help: 'GPU temperature (in C).', type: 'gauge' },
  DCGM_FI_DEV_POWER_USAGE: { help: 'Power draw (in W).', type: 'gauge' },
  DCGM_FI_DEV_FB_USED: { help: 'Framebuffer memory used (in MiB).', type: 'gauge' },
  DCGM_FI_DEV_FB_FREE: { help: 'Framebuffer memory free (in MiB).', type: 'gauge' },
  DCGM_FI_DEV_FB_RESERVED: { help: 'Framebuffer memory reserved (in MiB).', type: 'gauge' },
  DCGM_FI_DEV_XID_ERRORS: { help: 'Value of the last XID error encountered.', type: 'gauge' },
  kube_node_labels: { help: '[STABLE] Kubernetes labels converted to Prometheus labels.', type: 'gauge' },
  kube_node_status_condition: { help: '[STABLE] The condition of a cluster node.', type: 'gauge' },
  kube_node_status_allocatable: { help: '[STABLE] The allocatable for different resources of a node that are available for scheduling.', type: 'gauge' },
  kube_pod_status_phase: { help: '[STABLE] The pods current phase.', type: 'gauge' },
  kube_pod_container_resource_requests: { help: 'The number of requested request resource by a container.', type: 'gauge' },
  kube_pod_container_status_restarts_total: { help: '[STABLE] The number of container restarts per container.', type: 'counter' },
  node_cpu_seconds_total: { help: 'Seconds the CPUs spent in each mode.', type: 'counter' },
  node_memory_MemAvailable_bytes: { help: 'Memory information field MemAvailable_bytes.', type: 'gauge' },
  node_memory_MemTotal_bytes: { help: 'Memory information field MemTotal_bytes.', type: 'gauge' },
};

/** A GPU's labels as dcgm-exporter 3.x writes them (`hostLabel`: `Hostname`, or `hostname` on newer releases). */
function dcgmSamples(node: FixtureNode, hostLabel: 'Hostname' | 'hostname', withReserved: boolean, recentXid: boolean): ExporterSample[] {
  return node.gpus.flatMap((g, index) => {
    const labels = {
      gpu: String(index),
      UUID: `GPU-${node.name}-${index}`,
      device: `nvidia${index}`,
      modelName: node.modelName ?? '',
      [hostLabel]: node.name,
      DCGM_FI_DRIVER_VERSION: '535.104.05',
      container: g.pod?.container ?? '',
      namespace: g.pod?.namespace ?? '',
      pod: g.pod?.pod ?? '',
    };
    const values: Record<string, number> = {
      DCGM_FI_DEV_GPU_UTIL: g.util,
      DCGM_FI_DEV_GPU_TEMP: g.temp,
      DCGM_FI_DEV_POWER_USAGE: g.power,
      DCGM_FI_DEV_FB_USED: g.used,
      DCGM_FI_DEV_FB_FREE: g.free,
      ...(withReserved ? { DCGM_FI_DEV_FB_RESERVED: g.reserved } : {}),
      // The XID happened recently: the backfilled history (older than 3 h) has none.
      DCGM_FI_DEV_XID_ERRORS: recentXid ? g.xid : 0,
    };
    return Object.entries(values).map(([name, value]) => ({ name, labels, value }));
  });
}

function kubeStateSamples(): ExporterSample[] {
  const samples: ExporterSample[] = [];
  const push = (name: string, labels: Record<string, string>, value: number) => samples.push({ name, labels, value });
  for (const node of FIXTURE_NODES) {
    const nodeLabels: Record<string, string> = { node: node.name, label_cloud_google_com_gke_nodepool: node.pool };
    if (node.gpuTypeLabel) nodeLabels.label_nvidia_com_gpu_product = node.gpuTypeLabel;
    push('kube_node_labels', nodeLabels, 1);
    for (const status of ['true', 'false', 'unknown']) {
      push('kube_node_status_condition', { node: node.name, condition: 'Ready', status }, (status === 'true') === node.ready && status !== 'unknown' ? 1 : 0);
    }
    push('kube_node_status_allocatable', { node: node.name, resource: 'cpu', unit: 'core' }, node.cpus);
    push('kube_node_status_allocatable', { node: node.name, resource: 'memory', unit: 'byte' }, node.memoryBytes);
    if (node.gpus.length > 0) push('kube_node_status_allocatable', { node: node.name, resource: 'nvidia_com_gpu', unit: 'integer' }, node.gpus.length);
  }
  for (const pod of FIXTURE_PODS) {
    const uid = `uid-${pod.pod}`;
    for (const phase of ['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown']) {
      push('kube_pod_status_phase', { namespace: pod.namespace, pod: pod.pod, uid, phase }, phase === pod.phase ? 1 : 0);
    }
    const container = { namespace: pod.namespace, pod: pod.pod, uid, container: 'main', node: pod.node };
    push('kube_pod_container_resource_requests', { ...container, resource: 'cpu', unit: 'core' }, pod.cpu);
    push('kube_pod_container_resource_requests', { ...container, resource: 'memory', unit: 'byte' }, pod.memoryBytes);
    if (pod.gpus > 0) push('kube_pod_container_resource_requests', { ...container, resource: 'nvidia_com_gpu', unit: 'integer' }, pod.gpus);
    push('kube_pod_container_status_restarts_total', { namespace: pod.namespace, pod: pod.pod, uid, container: 'main' }, pod.restarts);
  }
  return samples;
}

/** node_exporter's counters grow at the node's busy share, so `rate` gives it back exactly. */
function nodeExporterSamples(node: FixtureNode, t: number): ExporterSample[] {
  const busy = node.busy ?? 0;
  const samples: ExporterSample[] = [];
  for (let cpu = 0; cpu < node.cpus; cpu++) {
    samples.push({ name: 'node_cpu_seconds_total', labels: { cpu: String(cpu), mode: 'idle' }, value: (1 - busy) * t });
    samples.push({ name: 'node_cpu_seconds_total', labels: { cpu: String(cpu), mode: 'user' }, value: busy * t });
  }
  samples.push({ name: 'node_memory_MemAvailable_bytes', labels: {}, value: node.memAvailableBytes ?? 0 });
  samples.push({ name: 'node_memory_MemTotal_bytes', labels: {}, value: node.memoryBytes });
  return samples;
}

const nodeNamed = (name: string) => FIXTURE_NODES.find((node) => node.name === name) as FixtureNode;

/** How a node's dcgm-exporter is scraped and which release it is: see the file comment. */
export type DcgmVariant = 'operator' | 'plain';

function dcgmTarget(node: FixtureNode, variant: DcgmVariant, address: string, xidSince: number): FixtureTarget {
  if (variant === 'operator') {
    return {
      job: 'dcgm-exporter',
      path: `/dcgm/${node.name}`,
      // The prometheus-operator way: the target names the exporter's own pod.
      targetLabels: { instance: address, namespace: 'gpu-operator', pod: `nvidia-dcgm-exporter-${node.name}`, container: 'nvidia-dcgm-exporter' },
      honorLabels: false,
      samples: (t) => dcgmSamples(node, 'Hostname', true, t >= xidSince),
    };
  }
  return {
    job: 'dcgm-exporter',
    path: `/dcgm/${node.name}`,
    targetLabels: { instance: address },
    honorLabels: false,
    samples: (t) => dcgmSamples(node, 'hostname', false, t >= xidSince),
  };
}

/** `xidSince`: before this time (unix seconds) the fixture's XID has not happened yet. */
function gpuClusterTargets(xidSince: number, variants: Record<'gpu-a1' | 'gpu-b1', DcgmVariant>): FixtureTarget[] {
  const a1 = nodeNamed('gpu-a1');
  const b1 = nodeNamed('gpu-b1');
  return [
    dcgmTarget(a1, variants['gpu-a1'], '10.0.1.11:9400', xidSince),
    dcgmTarget(b1, variants['gpu-b1'], '10.0.1.12:9400', xidSince),
    {
      job: 'kube-state-metrics',
      path: '/kube-state-metrics',
      targetLabels: { instance: '10.0.0.5:8080' },
      honorLabels: true,
      samples: () => kubeStateSamples(),
    },
    ...[a1, b1].map(
      (node): FixtureTarget => ({
        job: 'node-exporter',
        path: `/node-exporter/${node.name}`,
        targetLabels: { instance: `${node.name}:9100` },
        honorLabels: false,
        samples: (t) => nodeExporterSamples(node, t),
      }),
    ),
  ];
}

/**
 * The cluster above with history: every 6 h over the past 7 days (sparse: promtool writes a
 * block per 2 h it covers), every 15 s over the last 20 minutes, then live scrapes. The XID
 * happened 3 h ago: the older history has none.
 */
export function gpuClusterFixtures(
  options: { nowSeconds?: number; variants?: Record<'gpu-a1' | 'gpu-b1', DcgmVariant> } = {},
): PrometheusFixtures {
  const nowSeconds = options.nowSeconds ?? Math.floor(Date.now() / 1000);
  return {
    targets: gpuClusterTargets(nowSeconds - 3 * 3_600, options.variants ?? { 'gpu-a1': 'operator', 'gpu-b1': 'plain' }),
    families: FAMILIES,
    history: [
      { fromSecondsAgo: 7 * 24 * 3_600, toSecondsAgo: 3 * 3_600 + 60, intervalSeconds: 6 * 3_600 },
      { fromSecondsAgo: 20 * 60, toSecondsAgo: 0, intervalSeconds: 15 },
    ],
  };
}
