/**
 * The metric catalog: every chart a cluster's Metrics tab can draw, as a spec the browser
 * lays out (id, title, unit, chart kind, the label naming each series, the breakdowns it
 * offers) and the PromQL the agent runs with `query_range` against the cluster's Prometheus.
 *
 * Sources, and the names relied on (STACK.md "Metric names to rely on"):
 * - node_exporter — CPU (`node_cpu_seconds_total`) and memory (`MemAvailable`/`MemTotal`)
 *   utilisation, as ratios 0–1, cluster-wide or per scrape `instance`;
 * - kube-state-metrics — requests vs allocatable, nodes Ready, pods by phase, restarts, and
 *   GPU capacity: total = allocatable `nvidia_com_gpu`; allocated = requests of Pending or
 *   Running pods only (a finished pod's request is joined away via `kube_pod_status_phase`);
 * - dcgm-exporter — utilisation (%), framebuffer memory used (%), temperature, power, energy
 *   and XID errors, per GPU (`node`, `gpu`).
 *
 * GPU charts name GPU types and node pools the way the cluster's settings say (the node
 * labels `nodePoolLabel` / `gpuTypeLabel`, read from `kube_node_labels`, falling back to
 * DCGM's `modelName`), and every DCGM query copes with `pod` vs `exported_pod`, `Hostname`
 * vs `hostname` and `FB_RESERVED` present or absent (see ./promql.ts). Recording rules are
 * used when `context.recordingRules` names them, else the raw expression.
 *
 * "Idle allocated" means allocated to a Pending or Running pod yet under 10 % mean
 * utilisation over the last hour. XID errors count GPUs that reported a non-zero XID in the
 * last hour (the DCGM field is the last XID code and stays set).
 */
import {
  activeRequests,
  dcgmSeries,
  GPU_TYPE,
  gpuMemoryUsedPercent,
  idleAllocatedGpus,
  NODE_POOL,
  onNodeInfo,
  preferRule,
  quote,
} from './promql';
import type { MetricCatalog, MetricChartSpec, PromqlContext } from './types';

type Build = (context: PromqlContext, breakdown: string | undefined) => string;

interface CatalogEntry {
  spec: MetricChartSpec;
  promql: Build;
}

/** Names one expression's series `series=<name>`, so two quantities share a chart. */
function named(name: string, expr: string): string {
  return `label_replace(${expr}, "series", ${quote(name)}, "__name__", ".*")`;
}

/** `by (…)` for a chart's default grouping, or for the breakdown asked for (`gpu` always keeps its `node`). */
function groupBy(defaultLabels: readonly string[], breakdown: string | undefined): string {
  if (breakdown === undefined) return defaultLabels.join(', ');
  if (breakdown === 'gpu') return 'node, gpu, modelName';
  return breakdown;
}

function requestsVsAllocatable(resource: string): Build {
  return (_context, breakdown) => {
    const by = breakdown === 'node' ? ' by (node)' : '';
    const requested = `sum${by} (${activeRequests(resource)})`;
    const allocatable = `sum${by} (kube_node_status_allocatable{resource=${quote(resource)}})`;
    return `${named('requested', requested)} or ${named('allocatable', allocatable)}`;
  };
}

const DCGM_UTIL = 'DCGM_FI_DEV_GPU_UTIL';
const XID_LAST_HOUR = `(${dcgmSeries('max_over_time(DCGM_FI_DEV_XID_ERRORS[1h])')} > 0)`;

const entries: CatalogEntry[] = [
  // ── Cluster health ────────────────────────────────────────────────────────
  {
    spec: {
      id: 'cluster.cpu.utilization',
      title: 'CPU utilisation',
      description: 'Share of all node CPU time spent busy (node_exporter), cluster-wide or per node.',
      group: 'cluster',
      unit: 'ratio',
      kind: 'line',
      seriesLabel: 'instance',
      breakdowns: ['instance'],
    },
    promql: (context, breakdown) =>
      breakdown === 'instance' ? preferRule('instance:node_cpu_utilisation:rate5m', context) : preferRule('cluster:node_cpu:ratio_rate5m', context),
  },
  {
    spec: {
      id: 'cluster.memory.utilization',
      title: 'Memory utilisation',
      description: 'Share of node memory not available to new work (node_exporter), cluster-wide or per node.',
      group: 'cluster',
      unit: 'ratio',
      kind: 'line',
      seriesLabel: 'instance',
      breakdowns: ['instance'],
    },
    promql: (context, breakdown) =>
      breakdown === 'instance'
        ? preferRule('instance:node_memory_utilisation:ratio', context)
        : '(1 - sum(node_memory_MemAvailable_bytes) / sum(node_memory_MemTotal_bytes))',
  },
  {
    spec: {
      id: 'cluster.cpu.requests',
      title: 'CPU requests vs allocatable',
      description: 'CPU cores requested by Pending and Running pods against what the nodes can allocate: how full the scheduler sees the cluster.',
      group: 'cluster',
      unit: 'cores',
      kind: 'line',
      seriesLabel: 'series',
      breakdowns: ['node'],
    },
    promql: requestsVsAllocatable('cpu'),
  },
  {
    spec: {
      id: 'cluster.memory.requests',
      title: 'Memory requests vs allocatable',
      description: 'Memory requested by Pending and Running pods against what the nodes can allocate.',
      group: 'cluster',
      unit: 'bytes',
      kind: 'line',
      seriesLabel: 'series',
      breakdowns: ['node'],
    },
    promql: requestsVsAllocatable('memory'),
  },
  {
    spec: {
      id: 'cluster.nodes.ready',
      title: 'Nodes Ready',
      description: 'Nodes whose Ready condition is true, out of all nodes: a gap means nodes that cannot take work.',
      group: 'cluster',
      unit: 'count',
      kind: 'line',
      seriesLabel: 'series',
    },
    promql: () => {
      const ready = 'kube_node_status_condition{condition="Ready", status="true"}';
      return `${named('ready', `sum(${ready})`)} or ${named('total', `count(${ready})`)}`;
    },
  },
  {
    spec: {
      id: 'cluster.pods.byPhase',
      title: 'Pods by phase',
      description: 'Pods Pending, Running, Succeeded, Failed or Unknown: a growing Pending band means work waiting for room.',
      group: 'cluster',
      unit: 'count',
      kind: 'stacked-area',
      seriesLabel: 'phase',
    },
    promql: () => 'sum by (phase) (kube_pod_status_phase)',
  },
  {
    spec: {
      id: 'cluster.pods.restarts',
      title: 'Pod restarts',
      description: 'Container restarts over the preceding hour, per namespace or per pod: crash loops show up here first.',
      group: 'cluster',
      unit: 'count',
      kind: 'line',
      seriesLabel: 'namespace',
      breakdowns: ['pod'],
    },
    promql: (_context, breakdown) =>
      `sum by (${breakdown === 'pod' ? 'namespace, pod' : 'namespace'}) (increase(kube_pod_container_status_restarts_total[1h]))`,
  },

  // ── GPU ───────────────────────────────────────────────────────────────────
  {
    spec: {
      id: 'gpu.total',
      title: 'GPUs total',
      description: 'Allocatable nvidia.com/gpu per GPU type: the capacity the scheduler can hand out.',
      group: 'gpu',
      unit: 'count',
      kind: 'stacked-area',
      seriesLabel: GPU_TYPE,
      breakdowns: [NODE_POOL, 'node'],
    },
    promql: (context, breakdown) =>
      `sum by (${groupBy([GPU_TYPE], breakdown)}) (${onNodeInfo('kube_node_status_allocatable{resource="nvidia_com_gpu"}', context)})`,
  },
  {
    spec: {
      id: 'gpu.allocated',
      title: 'GPUs allocated',
      description: 'nvidia.com/gpu requested by Pending or Running pods bound to a node, per GPU type; finished pods do not count.',
      group: 'gpu',
      unit: 'count',
      kind: 'stacked-area',
      seriesLabel: GPU_TYPE,
      breakdowns: [NODE_POOL, 'node', 'namespace'],
    },
    promql: (context, breakdown) => `sum by (${groupBy([GPU_TYPE], breakdown)}) (${onNodeInfo(activeRequests('nvidia_com_gpu'), context)})`,
  },
  {
    spec: {
      id: 'gpu.utilization.byModel',
      title: 'GPU utilisation by model',
      description: 'Mean DCGM GPU utilisation per GPU model (DCGM modelName), or per node or GPU.',
      group: 'gpu',
      unit: 'percent',
      kind: 'line',
      seriesLabel: 'modelName',
      breakdowns: ['node', 'gpu'],
    },
    promql: (_context, breakdown) => `avg by (${groupBy(['modelName'], breakdown)}) (${dcgmSeries(DCGM_UTIL)})`,
  },
  {
    spec: {
      id: 'gpu.utilization.byNodePool',
      title: 'GPU utilisation by node pool',
      description: 'Mean DCGM GPU utilisation per node pool, or per node or GPU.',
      group: 'gpu',
      unit: 'percent',
      kind: 'line',
      seriesLabel: NODE_POOL,
      breakdowns: ['node', 'gpu'],
    },
    promql: (context, breakdown) => `avg by (${groupBy([NODE_POOL], breakdown)}) (${onNodeInfo(dcgmSeries(DCGM_UTIL), context)})`,
  },
  {
    spec: {
      id: 'gpu.idleAllocated',
      title: 'Idle allocated GPUs',
      description: 'GPUs allocated to a Pending or Running pod but under 10 % mean utilisation over the preceding hour: capacity held and not used.',
      group: 'gpu',
      unit: 'count',
      kind: 'bar',
      seriesLabel: GPU_TYPE,
      breakdowns: [NODE_POOL, 'node', 'namespace', 'pod'],
    },
    promql: (context, breakdown) => {
      const by = breakdown === 'pod' ? 'namespace, pod' : groupBy([GPU_TYPE], breakdown);
      return `count by (${by}) (${onNodeInfo(idleAllocatedGpus(), context)})`;
    },
  },
  {
    spec: {
      id: 'gpu.memory.used',
      title: 'GPU memory used',
      description: 'Framebuffer memory in use, as a share of each GPU’s memory (used / (used + free + reserved)); the highest GPU per node, or each GPU.',
      group: 'gpu',
      unit: 'percent',
      kind: 'line',
      seriesLabel: 'node',
      breakdowns: ['gpu'],
    },
    promql: (_context, breakdown) => `max by (${groupBy(['node'], breakdown)}) (${gpuMemoryUsedPercent()})`,
  },
  {
    spec: {
      id: 'gpu.temperature',
      title: 'GPU temperature',
      description: 'The hottest GPU per node, or each GPU; above 85 °C GPUs throttle and fail sooner.',
      group: 'gpu',
      unit: 'celsius',
      kind: 'line',
      seriesLabel: 'node',
      breakdowns: ['gpu'],
    },
    promql: (_context, breakdown) => `max by (${groupBy(['node'], breakdown)}) (${dcgmSeries('DCGM_FI_DEV_GPU_TEMP')})`,
  },
  {
    spec: {
      id: 'gpu.power',
      title: 'GPU power',
      description: 'Power drawn by the GPUs of each node, or by each GPU.',
      group: 'gpu',
      unit: 'watts',
      kind: 'stacked-area',
      seriesLabel: 'node',
      breakdowns: ['gpu'],
    },
    promql: (_context, breakdown) => `sum by (${groupBy(['node'], breakdown)}) (${dcgmSeries('DCGM_FI_DEV_POWER_USAGE')})`,
  },
  {
    spec: {
      id: 'gpu.energy',
      title: 'GPU energy',
      description: 'Energy the GPUs of each node (or each GPU) used over the preceding hour: mean power × 3,600 s.',
      group: 'gpu',
      unit: 'joules',
      kind: 'line',
      seriesLabel: 'node',
      breakdowns: ['gpu'],
    },
    promql: (_context, breakdown) =>
      `sum by (${groupBy(['node'], breakdown)}) (${dcgmSeries('avg_over_time(DCGM_FI_DEV_POWER_USAGE[1h])')} * 3600)`,
  },
  {
    spec: {
      id: 'gpu.xid',
      title: 'XID errors',
      description: 'GPUs that reported an XID error in the preceding hour, per node or per GPU: XIDs such as 79 (fallen off the bus) need a node drain.',
      group: 'gpu',
      unit: 'count',
      kind: 'bar',
      seriesLabel: 'node',
      breakdowns: ['gpu'],
    },
    promql: (_context, breakdown) => `count by (${groupBy(['node'], breakdown)}) ${XID_LAST_HOUR}`,
  },
];

const byId = new Map(entries.map((entry) => [entry.spec.id, entry]));

export const metricCatalog: MetricCatalog = {
  charts: entries.map((entry) => entry.spec),
  find: (chartId) => byId.get(chartId)?.spec,
  promql(chartId, context, breakdown) {
    const entry = byId.get(chartId);
    if (!entry) throw new Error(`No chart ${chartId} in the metric catalog`);
    if (breakdown !== undefined && !entry.spec.breakdowns?.includes(breakdown)) {
      throw new Error(`Chart ${chartId} has no breakdown by ${breakdown}`);
    }
    return entry.promql(context, breakdown);
  },
};
