/**
 * The summary set: the few instant queries each agent polls every 30–60 s and pushes
 * (per GPU type and node pool: GPUs total, allocated, idle-allocated and mean utilisation;
 * nodes Ready and total; CPU and memory utilisation; XID errors in the last hour; GPUs over
 * 85 °C), and the interpretation of their vectors into the `MetricSummary` the fleet pages read.
 *
 * The control plane owns both halves (lib/metrics.ts), so a better query never needs a new
 * agent. The queries share the catalog's builders (./promql.ts), so the fleet page and a
 * cluster's charts agree.
 */
import type { PrometheusVector } from '@/lib/agent-protocol';
import type { GpuPoolSummary, MetricSummary } from '@/lib/metrics';
import {
  activeRequests,
  dcgmSeries,
  GPU_TYPE,
  HOT_GPU_CELSIUS,
  idleAllocatedGpus,
  NODE_POOL,
  onNodeInfo,
  preferRule,
  UNKNOWN,
} from './promql';
import type { SummaryCatalog } from './types';

/** The summary queries' ids: what `interpret` reads each answer as. */
export const SUMMARY_QUERY_IDS = {
  gpuTotal: 'gpu_total',
  gpuAllocated: 'gpu_allocated',
  gpuIdleAllocated: 'gpu_idle_allocated',
  gpuMeanUtilization: 'gpu_mean_utilization',
  nodesReady: 'nodes_ready',
  nodesTotal: 'nodes_total',
  cpuUtilization: 'cpu_utilization',
  memoryUtilization: 'memory_utilization',
  xidErrors: 'xid_errors',
  hotGpus: 'hot_gpus',
} as const;

const ids = SUMMARY_QUERY_IDS;
const BY_POOL = `${GPU_TYPE}, ${NODE_POOL}`;
const READY = 'kube_node_status_condition{condition="Ready", status="true"}';

/** `count(expr)`, or 0 when `presence` has series (DCGM is there, nothing matched), or no answer when DCGM is absent. */
function countOrZero(expr: string, presence: string): string {
  return `count(${expr}) or on() (0 * count(${presence}))`;
}

export const summaryCatalog: SummaryCatalog = {
  queries(context) {
    return [
      { id: ids.gpuTotal, promql: `sum by (${BY_POOL}) (${onNodeInfo('kube_node_status_allocatable{resource="nvidia_com_gpu"}', context)})` },
      { id: ids.gpuAllocated, promql: `sum by (${BY_POOL}) (${onNodeInfo(activeRequests('nvidia_com_gpu'), context)})` },
      { id: ids.gpuIdleAllocated, promql: `count by (${BY_POOL}) (${onNodeInfo(idleAllocatedGpus(), context)})` },
      { id: ids.gpuMeanUtilization, promql: `avg by (${BY_POOL}) (${onNodeInfo(dcgmSeries('DCGM_FI_DEV_GPU_UTIL'), context)})` },
      { id: ids.nodesReady, promql: `sum(${READY})` },
      { id: ids.nodesTotal, promql: `count(${READY})` },
      { id: ids.cpuUtilization, promql: preferRule('cluster:node_cpu:ratio_rate5m', context) },
      { id: ids.memoryUtilization, promql: '(1 - sum(node_memory_MemAvailable_bytes) / sum(node_memory_MemTotal_bytes))' },
      {
        id: ids.xidErrors,
        promql: countOrZero(`${dcgmSeries('max_over_time(DCGM_FI_DEV_XID_ERRORS[1h])')} > 0`, 'DCGM_FI_DEV_XID_ERRORS'),
      },
      { id: ids.hotGpus, promql: countOrZero(`DCGM_FI_DEV_GPU_TEMP > ${HOT_GPU_CELSIUS}`, 'DCGM_FI_DEV_GPU_TEMP') },
    ];
  },

  interpret(results) {
    return {
      gpus: gpuPools(results),
      nodesReady: scalar(results[ids.nodesReady]),
      nodesTotal: scalar(results[ids.nodesTotal]),
      cpuUtilization: scalar(results[ids.cpuUtilization]),
      memoryUtilization: scalar(results[ids.memoryUtilization]),
      xidErrors: scalar(results[ids.xidErrors]),
      hotGpus: scalar(results[ids.hotGpus]),
    } satisfies MetricSummary;
  },
};

/** A sample's value; Prometheus sends strings, and "NaN" / "±Inf" mean no usable figure. */
function numberOf(text: string): number | null {
  const value = Number(text);
  return Number.isFinite(value) ? value : null;
}

/** The single value of a label-less answer; null when the query failed, matched nothing or said NaN. */
function scalar(vector: PrometheusVector | undefined): number | null {
  const sample = vector?.result[0];
  return sample ? numberOf(sample.value[1]) : null;
}

/**
 * GPU feature discovery labels a node with DCGM's model name, spaces turned into `-`
 * (`NVIDIA A100-SXM4-40GB` → `NVIDIA-A100-SXM4-40GB`); a type that fell back to `modelName`
 * is spelled the same way, so the fleet pools one GPU type under one name.
 */
function gpuTypeName(value: string | undefined): string {
  return value ? value.trim().replace(/\s+/g, '-') : UNKNOWN;
}

const poolKey = (labels: Record<string, string>) => `${labels[GPU_TYPE] || UNKNOWN}\u0000${labels[NODE_POOL] || UNKNOWN}`;

function byPool(vector: PrometheusVector): Map<string, number | null> {
  return new Map(vector.result.map((sample) => [poolKey(sample.metric), numberOf(sample.value[1])]));
}

/**
 * One entry per GPU type and node pool with allocatable GPUs. The counts have no "unknown"
 * in the contract, so the pools are only reported when total, allocated and idle-allocated
 * all answered: a partly failed poll reports no pools rather than false zeros.
 */
function gpuPools(results: Readonly<Record<string, PrometheusVector | undefined>>): GpuPoolSummary[] {
  const total = results[ids.gpuTotal];
  const allocated = results[ids.gpuAllocated];
  const idle = results[ids.gpuIdleAllocated];
  if (!total || !allocated || !idle) return [];
  const allocatedByPool = byPool(allocated);
  const idleByPool = byPool(idle);
  const utilization = results[ids.gpuMeanUtilization];
  const utilizationByPool = utilization ? byPool(utilization) : new Map<string, number | null>();
  return total.result
    .map((sample): GpuPoolSummary => {
      const key = poolKey(sample.metric);
      return {
        model: gpuTypeName(sample.metric[GPU_TYPE]),
        nodePool: sample.metric[NODE_POOL] || UNKNOWN,
        total: numberOf(sample.value[1]) ?? 0,
        allocated: allocatedByPool.get(key) ?? 0,
        idleAllocated: idleByPool.get(key) ?? 0,
        meanUtilization: utilizationByPool.get(key) ?? null,
      };
    })
    .filter((pool) => pool.total > 0)
    .sort((a, b) => a.model.localeCompare(b.model) || a.nodePool.localeCompare(b.nodePool));
}
