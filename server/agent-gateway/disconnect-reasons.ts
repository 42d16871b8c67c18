/**
 * Why a session ended, in the words a cluster's connection history records and the
 * cluster page shows: "Heartbeat missed: nothing heard for 26.0 s (timeout 25.0 s)",
 * "Agent closed the connection (1001: agent stopping)". One sentence per cause, so an
 * on-call engineer can tell a network drop from a revoked token at a glance.
 */
import { CLOSE_CODES } from '@/lib/agent-protocol';

/** The startup sweep's reason: sessions the database still held open from a previous run. */
export const CONTROL_PLANE_RESTARTED = 'Control plane restarted: the session of its previous run ended with it';

/** The code the gateway closes with when it stops. */
export const SHUTDOWN_CLOSE_CODE = 1001;

/** No close frame at all (RFC 6455 1006): the TCP connection dropped or the agent was killed. */
const ABNORMAL_CLOSURE = 1006;
/** A close frame without a code (RFC 6455 1005). */
const NO_STATUS = 1005;

/** The control plane ended the session with `code`, telling the agent `reason`. */
export function controlPlaneCloseReason(code: number, reason: string): string {
  switch (code) {
    case CLOSE_CODES.revoked:
      return `Token revoked: ${reason}`;
    case CLOSE_CODES.replaced:
      return 'Replaced by a newer session of the agent';
    case CLOSE_CODES.heartbeatTimeout:
      return `Heartbeat missed: ${reason}`;
    case CLOSE_CODES.reconnect:
      return `Control plane asked the agent to reconnect: ${reason}`;
    case SHUTDOWN_CLOSE_CODE:
      return 'Control plane stopping';
    default:
      return `Closed by the control plane (${code}): ${reason}`;
  }
}

/** The agent (or the network between us) ended the session; `reason` is the agent's own, at most 123 bytes. */
export function agentCloseReason(code: number, reason: string): string {
  if (code === ABNORMAL_CLOSURE) return 'Connection lost: no close frame (1006), the network dropped or the agent was killed';
  if (code === NO_STATUS) return 'Agent closed the connection without a code';
  const said = reason.trim();
  return said ? `Agent closed the connection (${code}: ${said})` : `Agent closed the connection (${code})`;
}

/** The heartbeat monitor's reason: how long the agent was silent against the limit. */
export function silenceReason(silentMs: number, timeoutMs: number): string {
  return `nothing heard for ${seconds(silentMs)} (timeout ${seconds(timeoutMs)})`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
