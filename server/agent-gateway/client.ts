/**
 * The agent gateway as server code (routers, services) sees it, through the control
 * plane:
 *
 *   cp.gateway.revoke(clusterId, 'Token rotated');
 *   await cp.gateway.agentClient(clusterId).call('prometheus.query', { query }, { deadlineMs: 5_000 });
 *
 * Types only: importing this module does not pull `ws` in.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { AgentClusterConfig } from '@/lib/agent-protocol';
import type { AgentClient } from './agent-client';

export { AgentCallError, type AgentCallFailure } from './errors';
export type { AgentCallOptions, AgentClient } from './agent-client';

export interface AgentGateway {
  /** The cluster has a live session whose agent has said hello. */
  isConnected(clusterId: number): boolean;
  /**
   * Closes the cluster's session with `CLOSE_CODES.revoked`: the agent stops and must
   * not retry with its token. Call it after rotating the token or detaching the
   * cluster. The cluster turns Disconnected. Returns whether there was a session.
   */
  revoke(clusterId: number, reason: string): boolean;
  /**
   * Closes the cluster's session with `CLOSE_CODES.reconnect`: not fatal, the agent
   * dials in again at once and sends a fresh snapshot. Returns whether there was a session.
   */
  reconnect(clusterId: number, reason: string): boolean;
  agentClient(clusterId: number): AgentClient;
  /**
   * What `agent.configure` carries for a cluster's settings: the label keys and
   * Prometheus URL, and the metric summary set built for those label keys (as `welcome`).
   */
  agentConfig(cluster: AgentClusterConfig): AgentClusterConfig;
  /** Clusters with a session (said hello or not). */
  connectedClusterCount(): number;
  /**
   * Serves an HTTP upgrade to `AGENT_CONNECT_PATH` (see `isAgentConnectRequest`): the
   * HTTP server's `upgrade` listener hands agent requests here and every other path
   * elsewhere.
   */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Writes pending reported state now rather than at the next tick. */
  flush(): Promise<void>;
  /** Ends every session (clusters go Disconnected) and writes what is pending. */
  close(): Promise<void>;
}
