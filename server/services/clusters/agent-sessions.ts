/**
 * The clusters service's link to live agent sessions: after a token rotation or a
 * detach, the cluster's agent is cut off at once (ARCHITECTURE decision 3), not at its
 * next reconnect. Tests replace the link to observe the call.
 */
import { getAgentGateway } from '@/server/agent-gateway/client';
import { logger } from '@/server/logger';

export type AgentSessionCutter = (clusterId: number, reason: string) => void;

const gatewayCutter: AgentSessionCutter = (clusterId, reason) => {
  getAgentGateway().disconnectCluster(clusterId, reason);
};

let cutter: AgentSessionCutter = gatewayCutter;

/** For tests: observe cuts instead of reaching the gateway. `undefined` restores the gateway. */
export function setAgentSessionCutter(replacement: AgentSessionCutter | undefined): void {
  cutter = replacement ?? gatewayCutter;
}

/**
 * Closes the cluster's agent session if one is open. Called after the transaction that
 * revoked the token has committed, so a reconnect attempt already finds it revoked.
 */
export function cutAgentSession(clusterId: number, reason: string): void {
  try {
    cutter(clusterId, reason);
  } catch (error) {
    // The token is already revoked in the database, so the agent cannot come back with
    // it; a failed close must not turn the committed mutation into an error.
    logger.warn('could not close agent session', { clusterId, error: error instanceof Error ? error.message : String(error) });
  }
}
