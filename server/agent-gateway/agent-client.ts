/**
 * The typed way for server code to ask an agent something:
 *
 *   const data = await cp.gateway.agentClient(clusterId).call('prometheus.query', { query: 'up' }, { deadlineMs: 5_000 });
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
import { AgentCallError } from './errors';
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
  describeCluster: (clusterId: number) => Promise<string>,
): AgentClient {
  return {
    async call<M extends AgentMethod>(method: M, params: AgentMethodParams<M>, options: AgentCallOptions = {}) {
      const session = registry.get(clusterId);
      if (!session?.ready) {
        throw new AgentCallError('not_connected', `Cluster ${await describeCluster(clusterId)} is not connected`);
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
      const raw = await session.request(method, checkedParams.data, deadlineMs);
      const result = spec.result.safeParse(raw);
      if (!result.success) {
        throw new AgentCallError('bad_result', `Cluster ${session.clusterName} answered ${method} with a result that does not match the protocol`);
      }
      // `agentMethods[method]` widens to the union of all methods; the schema picked is M's.
      return result.data as AgentMethodResult<M>;
    },
  };
}
