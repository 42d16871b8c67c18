/**
 * The typed way for server code to ask an agent something:
 *
 *   const data = await agentClient(clusterId).call('prometheus.query', { query: 'up' }, { deadlineMs: 5_000 });
 *
 * Params are checked before they leave and results before they are returned, against the
 * protocol's `agentMethods`, so a caller holds exactly the type the schema promises.
 */
import {
  agentMethods,
  type AgentMethod,
  type AgentMethodParams,
  type AgentMethodResult,
} from '@/lib/agent-protocol';
import { InvalidError } from '@/server/errors';
import { AgentCallError, type AgentCallFailure } from './errors';
import type { SessionRegistry } from './registry';

export const DEFAULT_CALL_DEADLINE_MS = 10_000;

export interface AgentCallOptions {
  /** How long to wait for the answer; the agent is told too, and abandons the work after it. */
  deadlineMs?: number;
}

export interface AgentClient {
  call<M extends AgentMethod>(
    method: M,
    params: AgentMethodParams<M>,
    options?: AgentCallOptions,
  ): Promise<AgentMethodResult<M>>;
}

export function createAgentClient(
  registry: SessionRegistry,
  clusterId: number,
  /** A name for messages when no session can provide it ("Cluster gpu-west is not connected"). */
  describeCluster: (clusterId: number) => string,
): AgentClient {
  return {
    async call<M extends AgentMethod>(method: M, params: AgentMethodParams<M>, options: AgentCallOptions = {}) {
      const session = registry.get(clusterId);
      if (!session?.ready) {
        throw new AgentCallError('not_connected', `Cluster ${describeCluster(clusterId)} is not connected`);
      }
      const deadlineMs = options.deadlineMs ?? DEFAULT_CALL_DEADLINE_MS;
      if (!Number.isInteger(deadlineMs) || deadlineMs <= 0) {
        throw new InvalidError(`A deadline must be a positive whole number of milliseconds, not ${deadlineMs}`);
      }
      const spec = agentMethods[method];
      const checkedParams = spec.params.safeParse(params);
      if (!checkedParams.success) {
        throw new InvalidError(`Invalid parameters for ${method}: ${checkedParams.error.issues[0]?.message ?? 'invalid'}`);
      }
      let raw: unknown;
      try {
        raw = await session.request(method, checkedParams.data, deadlineMs);
      } catch (error) {
        throw asLocalError(error);
      }
      const result = spec.result.safeParse(raw);
      if (!result.success) {
        throw new AgentCallError('bad_result', `Cluster ${session.clusterName} answered ${method} with a result that does not match the protocol`);
      }
      // `agentMethods[method]` widens to the union of all methods; the schema picked is M's.
      return result.data as AgentMethodResult<M>;
    },
  };
}

const FAILURES: ReadonlySet<unknown> = new Set<AgentCallFailure>([
  'not_connected',
  'busy',
  'deadline_exceeded',
  'disconnected',
  'bad_result',
  'agent_error',
]);

/**
 * The session lives in server.ts's bundle and Next's route bundles carry their own copy
 * of every class, so its AgentCallError fails `instanceof DomainError` here and the tRPC
 * middleware would hide the message behind a generic 500. Rebuilding the error from this
 * bundle's class keeps "Cluster X did not answer within 5000 ms" visible to the user.
 */
function asLocalError(error: unknown): unknown {
  if (error instanceof AgentCallError || !(error instanceof Error) || !('failure' in error)) return error;
  const failure = error.failure;
  if (!isFailure(failure)) return error;
  const agentCode = 'agentCode' in error && typeof error.agentCode === 'string' ? error.agentCode : undefined;
  return new AgentCallError(failure, error.message, agentCode);
}

function isFailure(value: unknown): value is AgentCallFailure {
  return FAILURES.has(value);
}
