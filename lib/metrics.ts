/**
 * Metric vocabulary shared by the store, the server, the browser and the agent: the
 * summary each agent pushes every 30–60 s (decision 6 of the architecture: pushed
 * summaries for the fleet, pulled detail per cluster), and the ranges a chart can show.
 *
 * The control plane owns the queries: it sends the summary set to the agent (in
 * `welcome` and `agent.configure`), the agent runs each as an instant query against its
 * Prometheus and pushes the raw vectors in a `summary` frame, and the control plane
 * turns them into a `MetricSummary` (server/metrics). So a better query never needs a
 * new agent.
 */
import { z } from 'zod';

/** How often the agent polls the summary set. */
export const SUMMARY_INTERVAL_SECONDS = 30;
/** A summary older than this is shown as stale, with its age. */
export const SUMMARY_STALE_AFTER_SECONDS = 120;
/** How long the control plane keeps summary history per cluster. */
export const SUMMARY_HISTORY_HOURS = 24;

/** GPU capacity of one GPU model in one node pool of one cluster. */
export interface GpuPoolSummary {
  /** The GPU type as the node label gives it, e.g. `H100-SXM5-80GB`; `unknown` when unlabelled. */
  model: string;
  nodePool: string;
  /** Allocatable `nvidia.com/gpu`. */
  total: number;
  /** Requested by Pending or Running pods. */
  allocated: number;
  /** Allocated, but under 10 % utilisation over the last hour. */
  idleAllocated: number;
  /** Mean `DCGM_FI_DEV_GPU_UTIL` (0–100), null without DCGM data. */
  meanUtilization: number | null;
}

/** What a cluster's Prometheus said at one moment, as the fleet pages read it. */
export interface MetricSummary {
  gpus: GpuPoolSummary[];
  nodesReady: number | null;
  nodesTotal: number | null;
  /** 0–1. */
  cpuUtilization: number | null;
  /** 0–1. */
  memoryUtilization: number | null;
  /** XID errors seen in the last hour. */
  xidErrors: number | null;
  /** GPUs over 85 °C now. */
  hotGpus: number | null;
}

// ── The protocol's part (imported by lib/agent-protocol.ts) ──────────────────

export const summaryQuery = z.object({
  /** Stable id the control plane interprets the answer by, e.g. `gpu_total`. */
  id: z.string().min(1).max(64),
  promql: z.string().min(1).max(4000),
});
export type SummaryQuery = z.infer<typeof summaryQuery>;

/** The summary set the agent polls, and how often. */
export const summaryConfig = z.object({
  intervalSeconds: z.number().int().min(10).max(600),
  queries: z.array(summaryQuery).max(32),
});
export type SummaryConfig = z.infer<typeof summaryConfig>;
