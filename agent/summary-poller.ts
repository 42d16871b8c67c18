/**
 * Polls the metric summary set the control plane configured (`config.summary`, in
 * `welcome` and `agent.configure`) and pushes each poll's answers in one `summary`
 * frame: every query runs as an instant query against the cluster's Prometheus, with a
 * deadline of its own, and answers its vector or, in plain words, why it failed. The
 * control plane interprets the vectors (server/metrics/summary.ts), so a better query
 * never needs a new agent.
 *
 * Polls never overlap: the next one is timed from the end of the last. The poller runs
 * while a session is up (`start` / `stop`); new settings (`configure`) take effect at
 * the next poll, which comes at once when the set itself changed.
 */
import {
  FRAME_LIMITS,
  type PrometheusData,
  type PrometheusVector,
  type SummaryFrame,
} from '@/lib/agent-protocol';
import type { SummaryConfig } from '@/lib/metrics';
import type { AgentLogger } from '@/agent/logger';
import { queryPrometheus } from '@/agent/prometheus';

export interface SummaryPollerOptions {
  /** The Prometheus to ask (the configured one, or the agent's override); none: every query fails saying so. */
  prometheusUrl: () => string | undefined;
  /** Sends the frame on the current session; false if there is none to send on. */
  send: (frame: SummaryFrame) => boolean;
  logger: AgentLogger;
  /** Deadline of each query; default a third of the interval, at most 10 s. */
  queryTimeoutMs?: number;
  /** Unix milliseconds; tests move it. */
  now?: () => number;
}

type QueryResult = SummaryFrame['results'][string];

const MAX_QUERY_TIMEOUT_MS = 10_000;

export class SummaryPoller {
  private config: SummaryConfig | undefined;
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  private changedDuringPoll = false;
  private stopController: AbortController | undefined;
  private readonly log: AgentLogger;

  constructor(private readonly options: SummaryPollerOptions) {
    this.log = options.logger;
  }

  /** The summary set to poll from now on; undefined (an older control plane) polls nothing. */
  configure(config: SummaryConfig | undefined): void {
    const changed = JSON.stringify(config) !== JSON.stringify(this.config);
    this.config = config;
    if (!changed || !this.running) return;
    // A poll under way finishes with the old set; the new one is polled right after it.
    if (this.polling) this.changedDuringPoll = true;
    else this.schedule(0);
  }

  /** Starts polling (the session is up): the first poll at once. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopController = new AbortController();
    this.schedule(0);
  }

  /** Stops polling (the session ended); a poll under way is cut short and sends nothing. */
  stop(): void {
    this.running = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.stopController?.abort();
  }

  /** The poll under way, if any (tests wait for it). */
  get inFlight(): Promise<void> | undefined {
    return this.polling;
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    // A poll under way reschedules itself when it ends, with whatever config is current then.
    if (!this.running || this.polling || !this.config || this.config.queries.length === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.polling = this.poll().finally(() => {
        this.polling = undefined;
        const soon = this.changedDuringPoll;
        this.changedDuringPoll = false;
        if (this.running && this.config) this.schedule(soon ? 0 : this.config.intervalSeconds * 1000);
      });
    }, delayMs);
    this.timer.unref();
  }

  private async poll(): Promise<void> {
    const config = this.config;
    const stopSignal = this.stopController?.signal;
    if (!config || !stopSignal || stopSignal.aborted) return;
    const collectedAt = (this.options.now?.() ?? Date.now()) / 1000;
    const timeoutMs = this.options.queryTimeoutMs ?? Math.min(MAX_QUERY_TIMEOUT_MS, Math.floor((config.intervalSeconds * 1000) / 3));
    const url = this.options.prometheusUrl();
    const entries = await Promise.all(
      config.queries.map(async ({ id, promql }): Promise<[string, QueryResult]> => [id, await this.runQuery(url, promql, timeoutMs, stopSignal)]),
    );
    if (stopSignal.aborted) return;
    const frame = fitToLimit({ type: 'summary', collectedAt, results: Object.fromEntries(entries) });
    const failed = entries.filter(([, result]) => 'error' in result);
    if (failed.length > 0) {
      this.log.warn('summary queries failed', { failed: failed.length, of: entries.length, first: (failed[0]?.[1] as { error: string }).error });
    }
    if (this.options.send(frame)) this.log.debug('sent summary', { queries: entries.length, failed: failed.length });
  }

  private async runQuery(url: string | undefined, promql: string, timeoutMs: number, stopSignal: AbortSignal): Promise<QueryResult> {
    if (!url) return { error: 'No Prometheus URL is configured for this cluster' };
    const deadline = AbortSignal.timeout(timeoutMs);
    try {
      return asVector(await queryPrometheus(url, { query: promql }, AbortSignal.any([deadline, stopSignal])));
    } catch (error) {
      if (deadline.aborted) return { error: `Prometheus did not answer within ${formatSeconds(timeoutMs)}` };
      return { error: plainError(error) };
    }
  }
}

/** An instant query answers a vector; a scalar (e.g. `scalar(…)`, a number) is a vector of one unlabelled sample. */
function asVector(data: PrometheusData): QueryResult {
  switch (data.resultType) {
    case 'vector':
      return data;
    case 'scalar':
      return { resultType: 'vector', result: [{ metric: {}, value: data.result }] } satisfies PrometheusVector;
    default:
      return { error: `Prometheus answered a ${data.resultType}, not an instant vector` };
  }
}

/** `Prometheus at http://… is unreachable: connect ECONNREFUSED …` → `Prometheus unreachable: connect ECONNREFUSED …`. */
function plainError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const unreachable = /^Prometheus at \S+ is unreachable: (.*)$/s.exec(message);
  const text = unreachable ? `Prometheus unreachable: ${unreachable[1]}` : message;
  return text.length > 2_000 ? `${text.slice(0, 1_990)}…` : text || 'Prometheus query failed';
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}

/**
 * A poll whose answers exceed the frame limit (a query that forgot to aggregate) would be
 * refused whole: the largest answers are replaced by an error saying so, until it fits.
 */
export function fitToLimit(frame: SummaryFrame, limit = FRAME_LIMITS.summary): SummaryFrame {
  if (Buffer.byteLength(JSON.stringify(frame)) <= limit) return frame;
  const results = { ...frame.results };
  const bySize = Object.entries(results)
    .map(([id, result]) => [id, result, JSON.stringify(result).length] as const)
    .sort((a, b) => b[2] - a[2]);
  for (const [id, result] of bySize) {
    const series = 'result' in result ? result.result.length : 0;
    results[id] = { error: `The answer (${series} series) is too large to push; aggregate the query` };
    if (Buffer.byteLength(JSON.stringify({ ...frame, results })) <= limit) break;
  }
  return { ...frame, results };
}
