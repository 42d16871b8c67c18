/**
 * The agent gateway as server code (routers, services) sees it:
 *
 *   getAgentGateway().disconnectCluster(clusterId, 'Token rotated');
 *   await agentClient(clusterId).call('prometheus.query', { query }, { deadlineMs: 5_000 });
 *
 * This module does not import `ws`, so Next's route bundles can import it without
 * pulling the socket server in. Next bundles route handlers apart from server.ts, so
 * module state is not shared between them: the session registry lives on globalThis,
 * like the database handle, and whichever bundle asks first creates it.
 */
import { eq } from 'drizzle-orm';
import { getDb, type Db } from '@/db/client';
import { clusters } from '@/db/schema';
import { CLOSE_CODES } from '@/lib/agent-protocol';
import { createAgentClient, type AgentClient } from './agent-client';
import { InProcessSessionRegistry, type SessionRegistry } from './registry';

export { AgentCallError, type AgentCallFailure } from './errors';
export type { AgentCallOptions, AgentClient } from './agent-client';

export type ClusterChangeListener = (clusterIds: readonly number[]) => void;

/** What server code (routers, services) may do with the gateway. */
export interface AgentGateway {
  /** The cluster has a live session whose agent has said hello. */
  isConnected(clusterId: number): boolean;
  /**
   * Closes the cluster's session with `CLOSE_CODES.revoked` (the agent must not retry
   * with its token) and marks the cluster Disconnected. Call it after rotating the
   * token or detaching the cluster. Returns whether there was a session.
   */
  disconnectCluster(clusterId: number, reason: string): boolean;
  agentClient(clusterId: number): AgentClient;
  connectedClusterCount(): number;
  /**
   * Notified after reported state is committed (connect, snapshot, delta, disconnect),
   * with the clusters it touched: for live UI updates. Returns the unsubscribe function.
   */
  onClusterChange(listener: ClusterChangeListener): () => void;
}

/** Shared between bundles through globalThis; the socket side fills `db` and `attached`. */
export interface GatewayGlobal {
  registry: SessionRegistry;
  listeners: Set<ClusterChangeListener>;
  db: Db | undefined;
  attached: boolean;
}

const globalForGateway = globalThis as unknown as { fleetdeckAgentGateway?: GatewayGlobal };

export function gatewayState(): GatewayGlobal {
  globalForGateway.fleetdeckAgentGateway ??= {
    registry: new InProcessSessionRegistry(),
    listeners: new Set(),
    db: undefined,
    attached: false,
  };
  return globalForGateway.fleetdeckAgentGateway;
}

/**
 * The gateway as seen from anywhere in the process. Works before (or without) an attached
 * server, e.g. in router tests: then no cluster is connected and calls fail fast.
 */
export function getAgentGateway(): AgentGateway {
  const state = gatewayState();
  const describeCluster = (clusterId: number): string => {
    const row = (state.db ?? getDb()).select({ name: clusters.name }).from(clusters).where(eq(clusters.id, clusterId)).get();
    return row ? row.name : `#${clusterId}`;
  };
  return {
    isConnected: (clusterId) => state.registry.get(clusterId)?.ready === true,
    disconnectCluster(clusterId, reason) {
      const session = state.registry.get(clusterId);
      session?.close(CLOSE_CODES.revoked, reason);
      return session !== undefined;
    },
    agentClient: (clusterId) => createAgentClient(state.registry, clusterId, describeCluster),
    connectedClusterCount: () => state.registry.size,
    onClusterChange(listener) {
      state.listeners.add(listener);
      return () => {
        state.listeners.delete(listener);
      };
    },
  };
}

/** Shorthand for `getAgentGateway().agentClient(clusterId)`. */
export function agentClient(clusterId: number): AgentClient {
  return getAgentGateway().agentClient(clusterId);
}
