/**
 * The agent gateway: the WebSocket endpoint agents dial (`AGENT_CONNECT_PATH`), on the
 * control plane's one HTTP server. server.ts calls `attachAgentGateway(httpServer)`;
 * everything else uses `getAgentGateway()` / `agentClient()`, best imported from
 * `@/server/agent-gateway/client`, which does not pull `ws` into Next's bundles.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { eq } from 'drizzle-orm';
import { WebSocketServer, type WebSocket } from 'ws';
import { getDb, type Db } from '@/db/client';
import { clusters } from '@/db/schema';
import { AGENT_CONNECT_PATH, CLOSE_CODES, MAX_FRAME_BYTES, PROTOCOL_VERSION, type WelcomeFrame } from '@/lib/agent-protocol';
import { LogThrottle } from '@/server/log-throttle';
import { logger as rootLogger, type Logger } from '@/server/logger';
import { gatewayState, getAgentGateway, type AgentGateway } from './client';
import { authenticateAgent, isAgentConnectRequest, liveTokenIds, refuseUpgrade, type AgentIdentity } from './auth';
import { DEFAULT_HEARTBEAT, HeartbeatMonitor, type HeartbeatConfig } from './heartbeat';
import { ClusterStateWriter, markStaleSessionsDisconnected } from './persistence';
import { AgentSession } from './session';

export * from './client';
export type { HeartbeatConfig } from './heartbeat';
export { isAgentConnectRequest } from './auth';

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

  // An agent left running with a revoked token retries forever: log it once a minute, not every time.
  const refusalLog = new LogThrottle();
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
      const remote = req.socket.remoteAddress;
      const heldBack = refusalLog.admit(`${remote}|${auth.reason}|${auth.tokenPrefix ?? ''}`);
      if (heldBack !== null) log.warn('agent refused', { reason: auth.reason, tokenPrefix: auth.tokenPrefix, remote, repeatsNotLogged: heldBack });
      refuseUpgrade(socket, 401, REFUSAL);
      return;
    }
    const { ok: _ok, ...identity } = auth;
    wss.handleUpgrade(req, socket, head, (ws) => openSession(ws, identity));
  };

  const recheckTokens = (): void => {
    if (localSessions.size === 0) return;
    const valid = liveTokenIds(db, new Set([...localSessions].map((session) => session.tokenId)));
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
