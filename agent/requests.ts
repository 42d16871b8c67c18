/**
 * Serves `request` frames from the control plane: checks the method and its params,
 * caps the work in flight, works to a deadline a little shorter than the control
 * plane's, and always produces exactly one `response`.
 */
import { z } from 'zod';
import {
  agentDeadlineMs,
  agentMethods,
  isAgentMethod,
  type AgentClusterConfig,
  type AgentMethod,
  type AgentMethodParams,
  type AgentMethodResult,
  type RequestErrorCode,
  type RequestFrame,
  type ResponseFrame,
} from '@/lib/agent-protocol';
import { describeKubeError } from '@/agent/kube/resource-watch';
import type { AgentLogger } from '@/agent/logger';
import { queryPrometheus, queryPrometheusRange } from '@/agent/prometheus';
import { RequestError } from '@/agent/request-error';

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

function failure(id: string, code: RequestErrorCode, message: string): ResponseFrame {
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

function parseParams<S extends z.ZodType>(schema: S, raw: unknown): z.infer<S> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new RequestError('bad_params', z.prettifyError(parsed.error));
  return parsed.data;
}

type BoundCall = (signal: AbortSignal) => Promise<unknown>;

/** Checks the params against the method's schema and binds them to its handler. Throws `bad_params`. */
function bind(handlers: AgentHandlers, method: AgentMethod, rawParams: unknown): BoundCall {
  // A case per method keeps params and handler types paired without casts.
  switch (method) {
    case 'prometheus.query': {
      const params = parseParams(agentMethods[method].params, rawParams);
      return (signal) => handlers[method](params, signal);
    }
    case 'prometheus.queryRange': {
      const params = parseParams(agentMethods[method].params, rawParams);
      return (signal) => handlers[method](params, signal);
    }
    case 'namespace.ensure': {
      const params = parseParams(agentMethods[method].params, rawParams);
      return (signal) => handlers[method](params, signal);
    }
    case 'workspace.apply': {
      const params = parseParams(agentMethods[method].params, rawParams);
      return (signal) => handlers[method](params, signal);
    }
    case 'workspace.remove': {
      const params = parseParams(agentMethods[method].params, rawParams);
      return (signal) => handlers[method](params, signal);
    }
    case 'agent.configure': {
      const params = parseParams(agentMethods[method].params, rawParams);
      return (signal) => handlers[method](params, signal);
    }
    default: {
      const unserved: never = method;
      throw new RequestError('unknown_method', `method ${String(unserved)} has no handler`);
    }
  }
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
   * Answers one request. `sessionSignal` aborts the work when the connection goes away.
   * Never rejects: every failure becomes an error response.
   */
  async dispatch(request: RequestFrame, sessionSignal?: AbortSignal): Promise<ResponseFrame> {
    const { id, method } = request;
    if (!isAgentMethod(method)) {
      return failure(id, 'unknown_method', `this agent does not serve method ${JSON.stringify(method.slice(0, 80))}`);
    }
    let call: BoundCall;
    try {
      call = bind(this.options.handlers, method, request.params);
    } catch (err) {
      if (err instanceof RequestError) return failure(id, err.code, err.message);
      throw err;
    }
    if (this.inFlight >= this.maxInFlight) {
      return failure(id, 'busy', `${this.inFlight} requests already in flight; retry later`);
    }
    this.inFlight++;
    const started = Date.now();
    const workMs = agentDeadlineMs(request.deadlineMs);
    const deadline = AbortSignal.timeout(workMs);
    const signal = sessionSignal ? AbortSignal.any([deadline, sessionSignal]) : deadline;
    try {
      const result = await abortable(call(signal), signal);
      return { type: 'response', id, ok: true, result };
    } catch (err) {
      if (deadline.aborted) {
        return failure(id, 'deadline_exceeded', `${method} did not finish within ${workMs} ms (of the ${request.deadlineMs} ms allowed)`);
      }
      if (err instanceof RequestError) return failure(id, err.code, err.message);
      const message = err instanceof Error ? err.message : String(err);
      this.options.logger.warn('request failed', { method, detail: message });
      return failure(id, 'internal_error', message);
    } finally {
      this.inFlight--;
      this.options.logger.debug('request served', { method, ms: Date.now() - started });
    }
  }
}

/** Kubernetes namespace names are DNS-1123 labels. */
const NAMESPACE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export interface HandlerDependencies {
  /** The Prometheus to query; undefined until the control plane has sent `welcome`. */
  prometheusUrl: () => string | undefined;
  /** Creates the namespace unless it exists; true when it was created. */
  ensureNamespace: (name: string, labels: Record<string, string>) => Promise<boolean>;
  /** Writes a workspace's namespace and quota (only a namespace Fleetdeck manages). */
  applyWorkspace: (params: AgentMethodParams<'workspace.apply'>) => Promise<AgentMethodResult<'workspace.apply'>>;
  /** Deletes a workspace's namespace if Fleetdeck manages it. */
  removeWorkspace: (name: string) => Promise<AgentMethodResult<'workspace.remove'>>;
  /** Takes new cluster settings and sends a fresh snapshot; the number of nodes in it. */
  configure: (config: AgentClusterConfig) => number;
}

function checkNamespaceName(name: string): void {
  if (name.length > 63 || !NAMESPACE_NAME.test(name)) {
    throw new RequestError('bad_params', `"${name}" is not a valid namespace name`);
  }
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
        { query: params.query, ...(params.time !== undefined ? { time: String(params.time) } : {}) },
        signal,
      ),
    'prometheus.queryRange': (params, signal) =>
      queryPrometheusRange(
        requirePrometheus(deps),
        { query: params.query, start: String(params.start), end: String(params.end), step: String(params.step) },
        signal,
      ),
    'namespace.ensure': async (params) => {
      checkNamespaceName(params.name);
      try {
        return { created: await deps.ensureNamespace(params.name, params.labels) };
      } catch (err) {
        throw new RequestError('upstream_error', `Kubernetes API: ${describeKubeError(err)}`);
      }
    },
    'workspace.apply': async (params) => {
      checkNamespaceName(params.name);
      try {
        return await deps.applyWorkspace(params);
      } catch (err) {
        throw new RequestError('upstream_error', `Kubernetes API: ${describeKubeError(err)}`);
      }
    },
    'workspace.remove': async (params) => {
      checkNamespaceName(params.name);
      try {
        return await deps.removeWorkspace(params.name);
      } catch (err) {
        throw new RequestError('upstream_error', `Kubernetes API: ${describeKubeError(err)}`);
      }
    },
    'agent.configure': async (params) => ({ nodes: deps.configure(params) }),
  };
}
