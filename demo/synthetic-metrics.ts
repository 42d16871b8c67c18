/**
 * The demo clusters' synthetic metrics source (ARCHITECTURE.md, decision 7: the demo is the
 * real path). Each simulated cluster's Prometheus answers the exact PromQL the control
 * plane's catalogs build for the cluster's label keys (the summary set of
 * server/metrics/summary.ts and every chart of server/metrics/catalog.ts, with each
 * breakdown), with plausible values that move with time:
 * - diurnal load: GPU allocation, utilisation, CPU and memory follow the hour of the day;
 * - one hot GPU (88–91 °C) on the first GPU cluster;
 * - a few allocated-but-idle GPUs (memory held, no compute) on some clusters;
 * - one GPU with an XID (79, fallen off the bus) on one cluster.
 * No PromQL is evaluated: a query is looked up by its text, and one the catalogs did not
 * build (settings changed, a hand-written query) matches no series, as in a real Prometheus
 * without the metric.
 */
import type { PrometheusData } from '@/lib/agent-protocol';
import { metricCatalog } from '@/server/metrics/catalog';
import { GPU_TYPE, NODE_POOL } from '@/server/metrics/promql';
import { SUMMARY_QUERY_IDS, summaryCatalog } from '@/server/metrics/summary';
import type { PromqlContext } from '@/server/metrics/types';
import type { DemoCluster } from '@/demo/fleet';
import type { FakePrometheusAnswer } from '@/testing/fake-prometheus';

type Labels = Record<string, string>;
type Sample = { labels: Labels; value: number };

interface GpuState {
  labels: Labels;
  allocated: boolean;
  idle: boolean;
  util: number;
  memoryPercent: number;
  temperature: number;
  power: number;
  xid: number;
}

interface NodeState {
  labels: Labels;
  ready: boolean;
  cpu: number;
  memory: number;
  cpuCores: number;
  memoryBytes: number;
}

interface World {
  gpus: GpuState[];
  nodes: NodeState[];
}

/** Most points one range query answers per series (the catalog's steps stay far below). */
const MAX_POINTS = 11_000;
const GIB = 1024 ** 3;
/** Instants whose state is kept for the next query (a 7-day chart at its finest step is about 2,000). */
const MAX_REMEMBERED_WORLDS = 4_000;

/** 0 at 04:00 UTC, 1 at 16:00 UTC: the fleet's working day. */
export function diurnal(unixSeconds: number): number {
  const hour = (unixSeconds / 3600) % 24;
  return 0.5 - 0.5 * Math.cos(((hour - 4) / 24) * 2 * Math.PI);
}

/** A deterministic wobble in [-1, 1] that changes every minute, different per key. */
function wobble(unixSeconds: number, key: number): number {
  const x = Math.sin(Math.floor(unixSeconds / 60) * 12.9898 + key * 78.233) * 43758.5453;
  return (x - Math.floor(x)) * 2 - 1;
}

const clamp = (value: number, least: number, most: number) => Math.min(most, Math.max(least, value));

export interface SyntheticMetricsOptions {
  cluster: DemoCluster;
  /** The cluster's label keys, as the control plane stores them. */
  labelKeys: { nodePool: string; gpuType: string };
  /** Index of the cluster in the demo fleet: decides which carries the hot GPU, the XID and idle GPUs. */
  index: number;
}

export class SyntheticMetrics {
  private readonly queries = new Map<string, (world: World) => Sample[]>();
  private readonly hotGpu: boolean;
  private readonly xidGpu: boolean;
  private readonly idleGpus: number;
  private readonly worlds = new Map<number, World>();

  constructor(private readonly options: SyntheticMetricsOptions) {
    const gpuCluster = options.cluster.pools.some((pool) => pool.gpusPerNode);
    this.hotGpu = gpuCluster && options.index === 0;
    this.xidGpu = options.cluster.name.includes('h200');
    this.idleGpus = gpuCluster ? [3, 2, 0, 4, 0, 1][options.index % 6] ?? 0 : 0;
    const context: PromqlContext = { nodePoolLabel: options.labelKeys.nodePool, gpuTypeLabel: options.labelKeys.gpuType };
    this.registerSummary(context);
    this.registerCharts(context);
  }

  /** What the simulated Prometheus answers (FakePrometheus `answer`). */
  answer(path: string, params: URLSearchParams): FakePrometheusAnswer {
    const produce = this.queries.get(params.get('query') ?? '');
    if (path === '/api/v1/query_range') {
      const start = Number(params.get('start'));
      const end = Number(params.get('end'));
      const step = Number(params.get('step'));
      if (!(step > 0) || !(end >= start)) return { status: 400, errorType: 'bad_data', error: 'invalid start, end or step' };
      if ((end - start) / step > MAX_POINTS) return { status: 400, errorType: 'bad_data', error: 'exceeded maximum resolution of 11,000 points per timeseries' };
      return { data: produce ? this.range(produce, start, end, step) : { resultType: 'matrix', result: [] } };
    }
    const time = params.has('time') ? Number(params.get('time')) : Date.now() / 1000;
    const samples = produce ? produce(this.world(time)) : [];
    return { data: { resultType: 'vector', result: samples.map((s) => ({ metric: s.labels, value: [time, format(s.value)] })) } };
  }

  private range(produce: (world: World) => Sample[], start: number, end: number, step: number): PrometheusData {
    const series = new Map<string, { metric: Labels; values: [number, string][] }>();
    for (let t = start; t <= end; t += step) {
      for (const sample of produce(this.world(t))) {
        const key = JSON.stringify(sample.labels);
        const entry = series.get(key) ?? { metric: sample.labels, values: [] };
        entry.values.push([t, format(sample.value)]);
        series.set(key, entry);
      }
    }
    return { resultType: 'matrix', result: [...series.values()] };
  }

  /** Every node and GPU of the cluster at `t`, remembered: a page's charts ask for the same instants. */
  private world(t: number): World {
    const known = this.worlds.get(t);
    if (known) return known;
    if (this.worlds.size >= MAX_REMEMBERED_WORLDS) this.worlds.clear();
    const world = this.buildWorld(t);
    this.worlds.set(t, world);
    return world;
  }

  private buildWorld(t: number): World {
    const load = diurnal(t);
    const { cluster } = this.options;
    const nodes: NodeState[] = [];
    const gpus: GpuState[] = [];
    let key = 0;
    let idleLeft = this.idleGpus;
    let firstGpu = true;
    for (const pool of cluster.pools) {
      const gpusInPool = (pool.gpusPerNode ?? 0) * pool.count;
      // Allocation follows the day: 45 % of the pool at night, 90 % in the afternoon.
      const allocatedInPool = Math.round(gpusInPool * clamp(0.45 + 0.45 * load + 0.05 * wobble(t, key), 0, 1));
      let gpuIndex = 0;
      for (let i = 0; i < pool.count; i++) {
        const node = `${cluster.name}-${pool.name}-${String(i + 1).padStart(2, '0')}`;
        const ready = i >= (pool.notReady ?? 0);
        const base = { node, [NODE_POOL]: pool.name };
        const cpu = clamp(0.2 + 0.55 * load + 0.08 * wobble(t, ++key), 0.02, 0.98);
        const memory = clamp(0.35 + 0.35 * load + 0.05 * wobble(t, ++key), 0.05, 0.97);
        nodes.push({
          labels: { ...base, instance: `${node}:9100`, [GPU_TYPE]: pool.gpuType ?? 'none' },
          ready,
          cpu,
          memory,
          cpuCores: pool.cpu ?? (pool.gpusPerNode ? 96 : 16),
          memoryBytes: (pool.memoryGi ?? (pool.gpusPerNode ? 1024 : 64)) * GIB,
        });
        for (let g = 0; g < (pool.gpusPerNode ?? 0); g++, gpuIndex++) {
          const allocated = gpuIndex < allocatedInPool;
          const idle = allocated && idleLeft > 0 && gpuIndex >= allocatedInPool - this.idleGpus && firstGpu;
          if (idle) idleLeft--;
          const jobSize = pool.gpusPerNode ?? 1;
          const labels: Labels = {
            ...base,
            [GPU_TYPE]: pool.gpuType ?? 'unknown',
            gpu: String(g),
            UUID: `GPU-${cluster.name}-${node}-${g}`,
            modelName: `NVIDIA ${pool.gpuType ?? 'GPU'}`,
            ...(allocated ? { namespace: pool.name.includes('inference') || pool.gpuType === 'L4' ? 'inference' : 'ml-training', pod: `${pool.name}-job-${Math.floor(gpuIndex / jobSize)}` } : {}),
          };
          const busy = allocated && !idle;
          const util = busy ? clamp(55 + 40 * load + 8 * wobble(t, ++key), 12, 100) : idle ? 1 + Math.abs(wobble(t, ++key)) : 0;
          const hot = this.hotGpu && firstGpu && i === 0 && g === 3;
          gpus.push({
            labels,
            allocated,
            idle,
            util,
            // Idle-allocated GPUs hold their memory: a notebook left open, a model loaded and unused.
            memoryPercent: busy ? clamp(60 + 30 * load + 5 * wobble(t, key), 5, 99) : idle ? 72 : 0.5,
            temperature: hot ? 88 + 3 * Math.abs(wobble(t, key)) : 34 + util * 0.42 + 2 * wobble(t, key + 1),
            power: (pool.gpuType === 'L4' ? 20 : 70) + util * (pool.gpuType === 'L4' ? 0.5 : 6),
            xid: this.xidGpu && firstGpu && i === 1 && g === 5 ? 79 : 0,
          });
        }
      }
      if (pool.gpusPerNode) firstGpu = false;
    }
    return { gpus, nodes };
  }

  private registerSummary(context: PromqlContext): void {
    const ids = SUMMARY_QUERY_IDS;
    const byPool = ['gpu_type', NODE_POOL];
    const producers: Record<string, (world: World) => Sample[]> = {
      [ids.gpuTotal]: (w) => aggregate(w.gpus, byPool, 'count'),
      [ids.gpuAllocated]: (w) => aggregate(w.gpus.filter((g) => g.allocated), byPool, 'count'),
      [ids.gpuIdleAllocated]: (w) => aggregate(w.gpus.filter((g) => g.idle), byPool, 'count'),
      [ids.gpuMeanUtilization]: (w) => aggregate(w.gpus, byPool, 'avg', (g) => g.util),
      [ids.nodesReady]: (w) => [{ labels: {}, value: w.nodes.filter((n) => n.ready).length }],
      [ids.nodesTotal]: (w) => [{ labels: {}, value: w.nodes.length }],
      [ids.cpuUtilization]: (w) => aggregate(w.nodes, [], 'avg', (n) => n.cpu),
      [ids.memoryUtilization]: (w) => aggregate(w.nodes, [], 'avg', (n) => n.memory),
      [ids.xidErrors]: (w) => (w.gpus.length > 0 ? [{ labels: {}, value: w.gpus.filter((g) => g.xid > 0).length }] : []),
      [ids.hotGpus]: (w) => (w.gpus.length > 0 ? [{ labels: {}, value: w.gpus.filter((g) => g.temperature > 85).length }] : []),
    };
    for (const query of summaryCatalog.queries(context)) {
      const produce = producers[query.id];
      if (produce) this.queries.set(query.promql, produce);
    }
  }

  private registerCharts(context: PromqlContext): void {
    for (const chart of metricCatalog.charts) {
      for (const breakdown of [undefined, ...(chart.breakdowns ?? [])]) {
        const produce = chartProducer(chart.id, breakdown);
        if (produce) this.queries.set(metricCatalog.promql(chart.id, context, breakdown), produce);
      }
    }
  }
}

/** The labels a chart's series carry: its default grouping, or the breakdown's (`gpu` keeps its node). */
function groupLabels(defaults: string[], breakdown: string | undefined): string[] {
  if (breakdown === undefined) return defaults;
  if (breakdown === 'gpu') return ['node', 'gpu', 'modelName'];
  if (breakdown === 'pod') return ['namespace', 'pod'];
  return [breakdown];
}

function chartProducer(chartId: string, breakdown: string | undefined): ((world: World) => Sample[]) | undefined {
  const by = (defaults: string[]) => groupLabels(defaults, breakdown);
  switch (chartId) {
    case 'cluster.cpu.utilization':
      return (w) => aggregate(w.nodes, breakdown ? ['instance'] : [], 'avg', (n) => n.cpu);
    case 'cluster.memory.utilization':
      return (w) => aggregate(w.nodes, breakdown ? ['instance'] : [], 'avg', (n) => n.memory);
    case 'cluster.cpu.requests':
    case 'cluster.memory.requests': {
      const cpu = chartId === 'cluster.cpu.requests';
      const capacity = (n: NodeState) => (cpu ? n.cpuCores : n.memoryBytes);
      const used = (n: NodeState) => capacity(n) * (cpu ? n.cpu : n.memory) * 1.15;
      const labels = breakdown === 'node' ? ['node'] : [];
      return (w) => [
        ...aggregate(w.nodes, labels, 'sum', used).map((s) => ({ ...s, labels: { ...s.labels, series: 'requested' } })),
        ...aggregate(w.nodes, labels, 'sum', capacity).map((s) => ({ ...s, labels: { ...s.labels, series: 'allocatable' } })),
      ];
    }
    case 'cluster.nodes.ready':
      return (w) => [
        { labels: { series: 'ready' }, value: w.nodes.filter((n) => n.ready).length },
        { labels: { series: 'total' }, value: w.nodes.length },
      ];
    case 'cluster.pods.byPhase':
      return (w) => {
        const running = w.gpus.filter((g) => g.allocated).length / 4 + w.nodes.length * 6;
        return [
          { labels: { phase: 'Running' }, value: Math.round(running) },
          { labels: { phase: 'Pending' }, value: Math.round(running * 0.04) },
          { labels: { phase: 'Succeeded' }, value: Math.round(running * 0.2) },
          { labels: { phase: 'Failed' }, value: 1 },
          { labels: { phase: 'Unknown' }, value: 0 },
        ];
      };
    case 'cluster.pods.restarts':
      return () =>
        breakdown === 'pod'
          ? [{ labels: { namespace: 'inference', pod: 'tokenizer-7d9f-x2k' }, value: 3 }, { labels: { namespace: 'kube-system', pod: 'coredns-5d78c-abc' }, value: 1 }]
          : [{ labels: { namespace: 'inference' }, value: 3 }, { labels: { namespace: 'kube-system' }, value: 1 }, { labels: { namespace: 'ml-training' }, value: 0 }];
    case 'gpu.total':
      return (w) => aggregate(w.gpus, by([GPU_TYPE]), 'count');
    case 'gpu.allocated':
      return (w) => aggregate(w.gpus.filter((g) => g.allocated), by([GPU_TYPE]), 'count');
    case 'gpu.utilization.byModel':
      return (w) => aggregate(w.gpus, by(['modelName']), 'avg', (g) => g.util);
    case 'gpu.utilization.byNodePool':
      return (w) => aggregate(w.gpus, by([NODE_POOL]), 'avg', (g) => g.util);
    case 'gpu.idleAllocated':
      return (w) => aggregate(w.gpus.filter((g) => g.idle), by([GPU_TYPE]), 'count');
    case 'gpu.memory.used':
      return (w) => aggregate(w.gpus, by(['node']), 'max', (g) => g.memoryPercent);
    case 'gpu.temperature':
      return (w) => aggregate(w.gpus, by(['node']), 'max', (g) => g.temperature);
    case 'gpu.power':
      return (w) => aggregate(w.gpus, by(['node']), 'sum', (g) => g.power);
    case 'gpu.energy':
      return (w) => aggregate(w.gpus, by(['node']), 'sum', (g) => g.power * 3600);
    case 'gpu.xid':
      return (w) => aggregate(w.gpus.filter((g) => g.xid > 0), by(['node']), 'count');
    default:
      return undefined;
  }
}

/** `<op> by (labels) (…)` over the entities, as Prometheus would answer it (groups without members are absent). */
function aggregate<T extends { labels: Labels }>(
  items: readonly T[],
  labels: readonly string[],
  op: 'count' | 'sum' | 'avg' | 'max',
  value: (item: T) => number = () => 1,
): Sample[] {
  const groups = new Map<string, { labels: Labels; values: number[] }>();
  for (const item of items) {
    const picked: Labels = {};
    for (const label of labels) if (item.labels[label] !== undefined) picked[label] = item.labels[label];
    const key = labels.map((label) => picked[label] ?? '').join('\u0000');
    const group = groups.get(key) ?? { labels: picked, values: [] };
    group.values.push(value(item));
    groups.set(key, group);
  }
  return [...groups.values()].map(({ labels: groupLabelsOf, values }) => {
    const sum = values.reduce((total, v) => total + v, 0);
    const result = op === 'count' ? values.length : op === 'sum' ? sum : op === 'avg' ? sum / values.length : Math.max(...values);
    return { labels: groupLabelsOf, value: result };
  });
}

function format(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(4);
}
