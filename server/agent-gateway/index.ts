/**
 * The agent gateway: the WebSocket endpoint agents dial (`AGENT_CONNECT_PATH`), on the
 * control plane's one HTTP server.
 *
 *   server.ts                    attachAgentGateway(httpServer)
 *   routers and services         getAgentGateway().disconnectCluster(id, reason)
 *                                agentClient(id).call('prometheus.query', { query }, { deadlineMs })
 *
 * Next bundles route handlers apart from server.ts, so module state is not shared
 * between them: the session registry lives on globalThis, like the database handle.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { and, eq, inArray, isNull } from 'drizzle-orm';
import { WebSocketServer, type WebSocket } from 'ws';
import { getDb, type Db } from '@/db/client';
import { clusters, clusterTokens } from '@/db/schema';
import { AGENT_CONNECT_PATH, CLOSE_CODES, MAX_FRAME_BYTES, PROTOCOL_VERSION, type WelcomeFrame } from '@/lib/agent-protocol';
import { logger as rootLogger, type Logger } from '@/server/logger';
import { createAgentClient, type AgentClient } from './agent-client';
import { authenticateAgent, isAgentConnectRequest, refuseUpgrade, type AgentIdentity } from './auth';
import { DEFAULT_HEARTBEAT, HeartbeatMonitor, type HeartbeatConfig } from './heartbeat';
import { ClusterStateWriter, markStaleSessionsDisconnected } from './persistence';
import { InProcessSessionRegistry, type SessionRegistry } from './registry';
import { AgentSession } from './session';

export { AgentCallError, type AgentCallFailure } from './errors';
export type { AgentCallOptions, AgentClient } from './agent-client';
export type { HeartbeatConfig } from './heartbeat';
export { isAgentConnectRequest } from './auth';

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

export interface AgentGatewayOptions {
  /** Defaults to the process database, `getDb()`. */
  db?: Db;
  heartbeat?: Partial<HeartbeatConfig>;
  /** How often pending state is written, in one transaction. */
  flushIntervalMs?: number;
  /** `lastSeenAt` moves at most this often on heartbeats alone. */
  seenPersistIntervalMs?: number;
  /**
   * How often live sessions' tokens are checked against the database. `disconnectCluster`
   * is the fast path; this catches a token revoked or a cluster deleted by anything that
   * did not call it (another process, a script). Default 5 s.
   */
  tokenRecheckMs?: number;
  /** Requests in flight per cluster before `call` fails fast with `busy`. */
  maxInFlightPerCluster?: number;
  log?: Logger;
}

export interface AttachedAgentGateway extends AgentGateway {
  readonly heartbeat: HeartbeatConfig;
  /** Writes pending state now rather than at the next tick. */
  flush(): void;
  /** Stops listening, ends every session (clusters go Disconnected) and writes what is pending. */
  close(): void;
}

interface GatewayGlobal {
  registry: SessionRegistry;
  listeners: Set<ClusterChangeListener>;
  db: Db | undefined;
  attached: boolean;
}

const globalForGateway = globalThis as unknown as { fleetdeckAgentGateway?: GatewayGlobal };

function gatewayState(): GatewayGlobal {
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

const REFUSAL = 'Unauthorized: the cluster token is missing, unknown or revoked.';

/**
 * Serves agent connections on `server`. Only upgrades to `AGENT_CONNECT_PATH` are
 * touched; any other upgrade (Next's HMR) is left to the other listeners, which must in
 * turn leave this path alone (see `isAgentConnectRequest`).
 */
export function attachAgentGateway(server: Server, options: AgentGatewayOptions = {}): AttachedAgentGateway {
  const state = gatewayState();
  if (state.attached) throw new Error('The agent gateway is already attached in this process');
  const db = options.db ?? getDb();
  const log = (options.log ?? rootLogger).child({ component: 'agent-gateway' });
  const heartbeat: HeartbeatConfig = { ...DEFAULT_HEARTBEAT, ...options.heartbeat };
  const localSessions = new Set<AgentSession>();

  const writer = new ClusterStateWriter({
    db,
    flushIntervalMs: options.flushIntervalMs ?? 200,
    log,
    onCommitted(clusterIds) {
      for (const listener of state.listeners) {
        try {
          listener(clusterIds);
        } catch (error) {
          log.error('cluster change listener failed', { error: error instanceof Error ? error.message : String(error) });
        }
      }
    },
  });
  const monitor = new HeartbeatMonitor(() => localSessions, heartbeat);

  const loadWelcome = (clusterId: number): WelcomeFrame | null => {
    const row = db
      .select({
        name: clusters.name,
        nodePoolLabel: clusters.nodePoolLabel,
        gpuTypeLabel: clusters.gpuTypeLabel,
        prometheusUrl: clusters.prometheusUrl,
      })
      .from(clusters)
      .where(eq(clusters.id, clusterId))
      .get();
    if (!row) return null;
    return {
      type: 'welcome',
      protocolVersion: PROTOCOL_VERSION,
      clusterName: row.name,
      config: {
        nodePoolLabel: row.nodePoolLabel,
        gpuTypeLabel: row.gpuTypeLabel,
        prometheusUrl: row.prometheusUrl,
        heartbeatIntervalMs: heartbeat.intervalMs,
      },
    };
  };

  const sessionContext = {
    registry: state.registry,
    writer,
    log,
    heartbeatIntervalMs: heartbeat.intervalMs,
    seenPersistIntervalMs: options.seenPersistIntervalMs ?? 15_000,
    maxInFlight: options.maxInFlightPerCluster ?? 32,
    loadWelcome,
    onEnded: (session: AgentSession) => localSessions.delete(session),
  };

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_FRAME_BYTES,
    // Compression costs CPU on every frame for thousands of mostly tiny heartbeats.
    perMessageDeflate: false,
    clientTracking: false,
  });

  const openSession = (ws: WebSocket, identity: AgentIdentity): void => {
    const session = new AgentSession(ws, identity, sessionContext);
    localSessions.add(session);
    const previous = state.registry.claim(session);
    if (previous) {
      log.info('a new connection replaces the cluster\'s session', { clusterId: identity.clusterId });
      previous.close(CLOSE_CODES.replaced, 'Another connection for this cluster took over');
    }
  };

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    if (!isAgentConnectRequest(req)) return;
    socket.on('error', (error) => log.debug('agent upgrade socket error', { error: error.message }));
    let auth: ReturnType<typeof authenticateAgent>;
    try {
      auth = authenticateAgent(db, req.headers.authorization);
    } catch (error) {
      log.error('agent authentication failed', { error: error instanceof Error ? error.message : String(error) });
      refuseUpgrade(socket, 503, 'The control plane cannot check tokens right now; try again shortly.');
      return;
    }
    if (!auth.ok) {
      log.warn('agent refused', { reason: auth.reason, token: auth.tokenPrefix, remote: req.socket.remoteAddress });
      refuseUpgrade(socket, 401, REFUSAL);
      return;
    }
    const { ok: _ok, ...identity } = auth;
    wss.handleUpgrade(req, socket, head, (ws) => openSession(ws, identity));
  };

  const recheckTokens = (): void => {
    if (localSessions.size === 0) return;
    const tokenIds = [...new Set([...localSessions].map((session) => session.tokenId))];
    const valid = new Set<number>();
    // Chunked to stay far below SQLite's limit on bound parameters.
    for (let i = 0; i < tokenIds.length; i += 1_000) {
      const rows = db
        .select({ id: clusterTokens.id })
        .from(clusterTokens)
        .innerJoin(clusters, eq(clusters.id, clusterTokens.clusterId))
        .where(and(inArray(clusterTokens.id, tokenIds.slice(i, i + 1_000)), isNull(clusterTokens.revokedAt)))
        .all();
      for (const row of rows) valid.add(row.id);
    }
    for (const session of [...localSessions]) {
      if (!valid.has(session.tokenId)) session.close(CLOSE_CODES.revoked, 'The cluster token was revoked or the cluster detached');
    }
  };
  const tokenTimer = setInterval(() => {
    try {
      recheckTokens();
    } catch (error) {
      log.error('token re-check failed', { error: error instanceof Error ? error.message : String(error) });
    }
  }, options.tokenRecheckMs ?? 5_000);
  tokenTimer.unref();

  const stale = markStaleSessionsDisconnected(db);
  if (stale.length > 0) log.info('clusters left connected by a previous run marked disconnected', { clusters: stale.length });

  server.on('upgrade', onUpgrade);
  writer.start();
  monitor.start();
  state.db = db;
  state.attached = true;
  log.info('agent gateway attached', { path: AGENT_CONNECT_PATH, heartbeat });

  return {
    ...getAgentGateway(),
    heartbeat,
    flush: () => writer.flush(),
    close() {
      server.off('upgrade', onUpgrade);
      monitor.stop();
      clearInterval(tokenTimer);
      for (const session of [...localSessions]) session.abort(1001, 'The control plane is shutting down');
      writer.stop();
      wss.close();
      state.attached = false;
    },
  };
}
