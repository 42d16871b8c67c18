/**
 * Serves `request` frames from the control plane: validates them, caps the work in
 * flight, enforces the deadline, and always produces exactly one `response`.
 */
import { z } from 'zod';
import {
  AGENT_METHOD_NAMES,
  agentMethods,
  requestFrame,
  type responseFrame,
  type AgentMethod,
  type AgentMethodParams,
  type AgentMethodResult,
} from '@/lib/agent-protocol';
import { describeKubeError } from '@/agent/kube/resource-watch';
import type { AgentLogger } from '@/agent/logger';
import { queryPrometheus } from '@/agent/prometheus';
import { RequestError } from '@/agent/request-error';

export type ResponseFrame = z.infer<typeof responseFrame>;

export type MethodHandler<M extends AgentMethod> = (
  params: AgentMethodParams<M>,
  signal: AbortSignal,
) => Promise<AgentMethodResult<M>>;

/** One handler per protocol method: adding a method to the protocol fails type-checking here until served. */
export type AgentHandlers = { [M in AgentMethod]: MethodHandler<M> };

export interface RequestDispatcherOptions {
  handlers: AgentHandlers;
  /** Requests served at once; more are answered `busy`. Default 16. */
  maxInFlight?: number;
  logger: AgentLogger;
}

const looseRequest = z.object({ type: z.literal('request'), id: z.string(), method: z.unknown() });

function isAgentMethod(value: unknown): value is AgentMethod {
  return typeof value === 'string' && (AGENT_METHOD_NAMES as string[]).includes(value);
}

function failure(id: string, code: string, message: string): ResponseFrame {
  return { type: 'response', id, ok: false, error: { code, message } };
}

/** Rejects when `signal` aborts, so a handler that ignores its signal still cannot outlive the deadline. */
function abortable<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

export class RequestDispatcher {
  private inFlight = 0;
  private readonly maxInFlight: number;

  constructor(private readonly options: RequestDispatcherOptions) {
    this.maxInFlight = options.maxInFlight ?? 16;
  }

  get requestsInFlight(): number {
    return this.inFlight;
  }

  /**
   * Answers a frame whose `type` is `request`. Returns undefined only when the frame has
   * no usable id to answer to (the caller then sends an `error` frame).
   * `sessionSignal` aborts the work when the connection goes away.
   */
  async dispatch(raw: unknown, sessionSignal?: AbortSignal): Promise<ResponseFrame | undefined> {
    const parsed = requestFrame.safeParse(raw);
    if (!parsed.success) {
      const loose = looseRequest.safeParse(raw);
      if (!loose.success) return undefined;
      const { id, method } = loose.data;
      if (!isAgentMethod(method)) {
        return failure(id, 'unknown_method', `this agent does not serve method ${JSON.stringify(method)}`);
      }
      return failure(id, 'bad_request', z.prettifyError(parsed.error));
    }
    const request = parsed.data;
    if (this.inFlight >= this.maxInFlight) {
      return failure(request.id, 'busy', `${this.inFlight} requests already in flight; retry later`);
    }
    this.inFlight++;
    const started = Date.now();
    const deadline = AbortSignal.timeout(request.deadlineMs);
    const signal = sessionSignal ? AbortSignal.any([deadline, sessionSignal]) : deadline;
    try {
      const result = await abortable(this.run(request.method, request.params, signal), signal);
      return { type: 'response', id: request.id, ok: true, result };
    } catch (err) {
      if (deadline.aborted) {
        return failure(request.id, 'deadline_exceeded', `no answer within ${request.deadlineMs} ms`);
      }
      if (err instanceof RequestError) return failure(request.id, err.code, err.message);
      const message = err instanceof Error ? err.message : String(err);
      this.options.logger.warn('request failed', { method: request.method, detail: message });
      return failure(request.id, 'internal_error', message);
    } finally {
      this.inFlight--;
      this.options.logger.debug('request served', { method: request.method, ms: Date.now() - started });
    }
  }

  private async run(method: AgentMethod, rawParams: unknown, signal: AbortSignal): Promise<unknown> {
    // A switch per method keeps params and handler types paired without casts.
    switch (method) {
      case 'prometheus.query':
        return this.options.handlers[method](parseParams(agentMethods[method].params, rawParams), signal);
      case 'prometheus.queryRange':
        return this.options.handlers[method](parseParams(agentMethods[method].params, rawParams), signal);
      case 'namespace.ensure':
        return this.options.handlers[method](parseParams(agentMethods[method].params, rawParams), signal);
    }
  }
}

function parseParams<S extends z.ZodType>(schema: S, raw: unknown): z.infer<S> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new RequestError('bad_params', z.prettifyError(parsed.error));
  return parsed.data;
}

/** Kubernetes namespace names are DNS-1123 labels. */
const NAMESPACE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export interface HandlerDependencies {
  /** The Prometheus to query; undefined until the control plane has sent `welcome`. */
  prometheusUrl: () => string | undefined;
  /** Creates the namespace unless it exists; true when it was created. */
  ensureNamespace: (name: string, labels: Record<string, string>) => Promise<boolean>;
}

function requirePrometheus(deps: HandlerDependencies): string {
  const url = deps.prometheusUrl();
  if (!url) throw new RequestError('unavailable', 'no Prometheus URL configured yet');
  return url;
}

export function createAgentHandlers(deps: HandlerDependencies): AgentHandlers {
  return {
    'prometheus.query': (params, signal) =>
      queryPrometheus(
        requirePrometheus(deps),
        '/api/v1/query',
        { query: params.query, ...(params.time !== undefined ? { time: String(params.time) } : {}) },
        signal,
      ),
    'prometheus.queryRange': (params, signal) =>
      queryPrometheus(
        requirePrometheus(deps),
        '/api/v1/query_range',
        { query: params.query, start: String(params.start), end: String(params.end), step: String(params.step) },
        signal,
      ),
    'namespace.ensure': async (params) => {
      if (params.name.length > 63 || !NAMESPACE_NAME.test(params.name)) {
        throw new RequestError('bad_params', `"${params.name}" is not a valid namespace name`);
      }
      try {
        return { created: await deps.ensureNamespace(params.name, params.labels) };
      } catch (err) {
        throw new RequestError('upstream_error', `Kubernetes API: ${describeKubeError(err)}`);
      }
    },
  };
}
