/**
 * Errors a call into an agent can end with. They are domain errors so that the tRPC
 * middleware passes their (human) message to the UI instead of a generic 500: "Cluster
 * gpu-west is not connected" tells the user what is wrong and what to look at.
 */
import type { RequestErrorCode } from '@/lib/agent-protocol';
import { DomainError } from '@/server/errors';

/** Why a call failed, for server code that wants to branch (retry, show stale data…). */
export type AgentCallFailure =
  | 'not_connected'
  | 'busy'
  /** Ours or the agent's own deadline passed (`agentCode` is set when it was the agent's). */
  | 'deadline_exceeded'
  | 'disconnected'
  | 'bad_result'
  /** The agent does not serve the method: it is older than this control plane. */
  | 'unknown_method'
  /** The agent answered with another error; see `agentCode`. */
  | 'agent_error';

export class AgentCallError extends DomainError {
  // tRPC has no code for "the other side did not answer"; PRECONDITION_FAILED keeps the
  // message visible and says "the world is not in a state to serve this now".
  readonly code: 'PRECONDITION_FAILED' | 'TOO_MANY_REQUESTS';
  readonly failure: AgentCallFailure;
  /** The agent's own error code when the agent answered the failure (`upstream_error`, `deadline_exceeded`…). */
  readonly agentCode: RequestErrorCode | undefined;

  constructor(failure: AgentCallFailure, message: string, agentCode?: RequestErrorCode) {
    super(message);
    this.failure = failure;
    this.agentCode = agentCode;
    this.code = failure === 'busy' ? 'TOO_MANY_REQUESTS' : 'PRECONDITION_FAILED';
  }
}
