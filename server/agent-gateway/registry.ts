/**
 * Which agent session serves which cluster.
 *
 * Behind an interface because the single-process registry below is only the first
 * step (ARCHITECTURE decision 8): with several control-plane replicas, a registry backed
 * by NATS would answer `get` with a handle that forwards requests to the replica that
 * holds the socket. Server code only sees `AgentSessionHandle`.
 */
import type { AgentMethod } from '@/lib/agent-protocol';

/** What server code may do with a live agent session, wherever the socket lives. */
export interface AgentSessionHandle {
  readonly clusterId: number;
  readonly clusterName: string;
  /** The agent has said hello: it can take requests and its state is being recorded. */
  readonly ready: boolean;
  /** Sends a request frame and settles with the agent's (unvalidated) result. */
  request(method: AgentMethod, params: unknown, deadlineMs: number): Promise<unknown>;
  /** Ends the session with a protocol close code; idempotent. */
  close(code: number, reason: string): void;
}

export interface SessionRegistry {
  get(clusterId: number): AgentSessionHandle | undefined;
  /**
   * Makes `session` the cluster's session and returns the one it displaced, if any
   * (the caller closes that one: one live session per cluster).
   */
  claim(session: AgentSessionHandle): AgentSessionHandle | undefined;
  /** Forgets `session` if it is still the cluster's session; says whether it was. */
  release(session: AgentSessionHandle): boolean;
  readonly size: number;
}

export class InProcessSessionRegistry implements SessionRegistry {
  private readonly byCluster = new Map<number, AgentSessionHandle>();

  get(clusterId: number): AgentSessionHandle | undefined {
    return this.byCluster.get(clusterId);
  }

  claim(session: AgentSessionHandle): AgentSessionHandle | undefined {
    const previous = this.byCluster.get(session.clusterId);
    this.byCluster.set(session.clusterId, session);
    return previous === session ? undefined : previous;
  }

  release(session: AgentSessionHandle): boolean {
    if (this.byCluster.get(session.clusterId) !== session) return false;
    this.byCluster.delete(session.clusterId);
    return true;
  }

  get size(): number {
    return this.byCluster.size;
  }
}
