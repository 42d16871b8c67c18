/**
 * The agent gateway: the WebSocket endpoint agents dial (`AGENT_CONNECT_PATH`), on the
 * control plane's one HTTP server. The composition root makes one with
 * `createAgentGateway`; the HTTP server hands it agent upgrades (`handleUpgrade`), and
 * services reach clusters through `cp.gateway` (see client.ts).
 *
 * What agents report is written by the batching state writer (persistence.ts), and the
 * gateway publishes on the event bus once it is stored:
 * - `agent.sessionOpened` when an agent's hello is accepted,
 * - `cluster.changed` after every committed write of reported state,
 * - `agent.sessionReady` once a session's first snapshot is stored,
 * - `agent.sessionClosed` when an accepted session ends.
 *
 * Agents cannot take the control plane down with it: upgrades and frames are handled
 * in slices of event-loop time (scheduler.ts), frames are bounded per type and read in
 * slices (frame-reader.ts), each session has a frame and byte budget (frame-budget.ts),
 * and what agents make us log is cut and throttled.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { eq } from 'drizzle-orm';
import { WebSocketServer, type WebSocket } from 'ws';
import { AGENT_CONNECT_PATH, CLOSE_CODES, MAX_FRAME_BYTES, type AgentClusterConfig } from '@/lib/agent-protocol';
import { SUMMARY_INTERVAL_SECONDS, type SummaryConfig } from '@/lib/metrics';
import type { SummaryCatalog } from '@/server/metrics/types';
import type { EventBus } from '@/server/events/bus';
import { LogThrottle } from '@/server/log-throttle';
import { errorMessage, type Logger } from '@/server/logger';
import type { Store } from '@/server/store';
import { createAgentClient } from './agent-client';
import { authenticateAgent, isAgentConnectRequest, liveTokenIds, refuseUpgrade, type AgentIdentity } from './auth';
import type { AgentGateway } from './client';
import { DEFAULT_FRAME_RATE, type FrameRateLimits } from './frame-budget';
import { DEFAULT_HEARTBEAT, HeartbeatMonitor, type HeartbeatConfig } from './heartbeat';
import { ClusterStateWriter, type CommittedChunk } from './persistence';
import { InProcessSessionRegistry, type SessionRegistry } from './registry';
import { SliceScheduler } from './scheduler';
import { AgentSession, type SessionContext } from './session';
import { recordControlPlaneRestart } from './connection-events-sql';
import { SHUTDOWN_CLOSE_CODE } from './disconnect-reasons';
import { markStaleSessionsDisconnected } from './state-sql';

export * from './client';
export type { HeartbeatConfig } from './heartbeat';
export type { FrameRateLimits } from './frame-budget';
export type { CommittedChunk } from './persistence';
export type { AgentSessionHandle, SessionRegistry } from './registry';
export { isAgentConnectRequest } from './auth';

export interface AgentGatewayOptions {
  store: Store;
  bus: EventBus;
  log: Logger;
  heartbeat?: Partial<HeartbeatConfig>;
  /** How often pending reported state is written. Default 200 ms. */
  flushIntervalMs?: number;
  /** Clusters with reported state written in one transaction; the rest follow in the next. Default 100. */
  maxClustersPerFlush?: number;
  /** Node rows written in one transaction (a cluster is never split). Default 5,000. */
  maxNodeRowsPerFlush?: number;
  /**
   * A transaction takes no more clusters after this long. Default 20 ms on SQLite (where
   * it is time the event loop waits), 250 ms on PostgreSQL.
   */
  maxTransactionMs?: number;
  /** `lastSeenAt` moves at most this often on heartbeats alone. Default 15 s. */
  seenPersistIntervalMs?: number;
  /**
   * How often live sessions' tokens are checked against the store. `revoke` is the fast
   * path; this catches a token revoked or a cluster deleted by anything that did not
   * call it (another replica, a script). Default 5 s.
   */
  tokenRecheckMs?: number;
  /** Requests in flight per cluster before `call` fails fast with `busy`. Default 32. */
  maxInFlightPerCluster?: number;
  /** How fast one session may send frames and bytes before it is closed (1008). */
  frameRate?: Partial<FrameRateLimits>;
  /**
   * Event-loop time the gateway spends on agents' upgrades and frames before other work
   * gets a turn (see scheduler.ts). Default 10 ms.
   */
  workSliceMs?: number;
  /** Upgrades waiting to be let in at most; past this, newcomers get 503. Default 10,000. */
  maxWaitingUpgrades?: number;
  /**
   * The metric summary set agents poll and push (server/metrics/summary.ts), from the
   * composition root. Without it agents are asked for no summaries.
   */
  summaryCatalog?: SummaryCatalog;
  /** How often agents poll the summary set; default SUMMARY_INTERVAL_SECONDS. */
  summaryIntervalSeconds?: number;
  /** Told of every committed write (benchmarks measure flushes with it). */
  onFlushCommitted?: (chunk: CommittedChunk) => void;
}

/**
 * The listen backlog the control plane's HTTP server needs: after a restart every agent
 * dials back within a fraction of a second. With Node's default (511) the kernel drops
 * the rest of a 2,000-agent fleet's connection attempts, and those (and any user's
 * browser among them) retry only 1 s, then 3 s later. Linux caps it at
 * `net.core.somaxconn` (4096 by default).
 */
export const LISTEN_BACKLOG = 4096;

const REFUSAL = 'Unauthorized: the cluster token is missing, unknown or revoked.';

interface PendingUpgrade {
  req: IncomingMessage;
  socket: Duplex;
  head: Buffer;
}

export async function createAgentGateway(options: AgentGatewayOptions): Promise<AgentGateway> {
  const { store, bus } = options;
  const log = options.log.child({ component: 'agent-gateway' });
  const heartbeat: HeartbeatConfig = { ...DEFAULT_HEARTBEAT, ...options.heartbeat };
  const registry: SessionRegistry = new InProcessSessionRegistry();
  /** This process's sessions, by session id. */
  const sessions = new Map<number, AgentSession>();
  const monitor = new HeartbeatMonitor(() => sessions.values(), heartbeat);
  let nextSessionId = 1;
  let closing = false;
  let closed: Promise<void> | undefined;

  const writer = new ClusterStateWriter({
    store,
    log,
    flushIntervalMs: options.flushIntervalMs ?? 200,
    maxClustersPerFlush: options.maxClustersPerFlush,
    maxNodeRowsPerFlush: options.maxNodeRowsPerFlush,
    maxTransactionMs: options.maxTransactionMs,
    summaryHistoryIntervalSeconds: options.summaryIntervalSeconds,
    onCommitted(chunk) {
      if (chunk.changed.length > 0) bus.publish({ type: 'cluster.changed', clusterIds: chunk.changed });
      if (chunk.summaries) bus.publish({ type: 'metrics.summaryChanged', clusterIds: chunk.summaries });
      // Drift found or cleared, quota use moved: the workspace views refetch.
      for (const { clusterId, workspaceIds } of chunk.workspaces ?? []) {
        for (const id of workspaceIds) bus.publish({ type: 'sync.statusChanged', clusterId, resource: 'workspace', resourceId: String(id), status: 'reported' });
      }
      for (const { clusterId, sessionId } of chunk.snapshots) {
        const session = sessions.get(sessionId);
        // Only a session still serving its cluster is ready; a replaced one's snapshot is history.
        if (session && registry.get(clusterId) === session && session.markStateStored()) {
          bus.publish({ type: 'agent.sessionReady', clusterId });
        }
      }
      options.onFlushCommitted?.(chunk);
    },
  });

  const describeCluster = async (clusterId: number): Promise<string> => {
    const { clusters } = store.tables;
    const [row] = await store.db.select({ name: clusters.name }).from(clusters).where(eq(clusters.id, clusterId)).limit(1);
    return row ? row.name : `#${clusterId}`;
  };

  const summaryCatalog = options.summaryCatalog;
  const summaryConfig = (cluster: { nodePoolLabel: string; gpuTypeLabel: string }): SummaryConfig | undefined =>
    summaryCatalog && {
      intervalSeconds: options.summaryIntervalSeconds ?? SUMMARY_INTERVAL_SECONDS,
      queries: summaryCatalog.queries({ nodePoolLabel: cluster.nodePoolLabel, gpuTypeLabel: cluster.gpuTypeLabel }),
    };
  const agentConfig = (cluster: AgentClusterConfig): AgentClusterConfig => {
    const summary = summaryConfig(cluster);
    const { nodePoolLabel, gpuTypeLabel, prometheusUrl } = cluster;
    return { nodePoolLabel, gpuTypeLabel, prometheusUrl, ...(summary ? { summary } : {}) };
  };

  const scheduler = new SliceScheduler(options.workSliceMs ?? 10, (error) =>
    log.error('agent work failed', { error: errorMessage(error) }),
  );

  const sessionContext: SessionContext = {
    registry,
    writer,
    log,
    heartbeatIntervalMs: heartbeat.intervalMs,
    seenPersistIntervalMs: options.seenPersistIntervalMs ?? 15_000,
    maxInFlight: options.maxInFlightPerCluster ?? 32,
    frameRate: { ...DEFAULT_FRAME_RATE, ...options.frameRate },
    summaryCatalog,
    summaryConfig,
    schedule: (task) => scheduler.schedule(task),
    onAccepted: (session) => bus.publish({ type: 'agent.sessionOpened', clusterId: session.clusterId }),
    onEnded(session, reason, wasAccepted) {
      sessions.delete(session.id);
      if (wasAccepted) bus.publish({ type: 'agent.sessionClosed', clusterId: session.clusterId, reason });
    },
  };

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_FRAME_BYTES,
    // Compression costs CPU on every frame for thousands of mostly tiny heartbeats.
    perMessageDeflate: false,
    clientTracking: false,
  });

  const openSession = (ws: WebSocket, identity: AgentIdentity): void => {
    if (closing) {
      ws.close(1001, 'The control plane is shutting down');
      ws.terminate();
      return;
    }
    const session = new AgentSession(nextSessionId++, ws, identity, sessionContext);
    sessions.set(session.id, session);
    const previous = registry.claim(session);
    if (previous) {
      log.info('a new connection replaces the cluster\'s session', { clusterId: identity.clusterId });
      previous.close(CLOSE_CODES.replaced, 'Another connection for this cluster took over');
    }
  };

  // An agent left running with a revoked token retries forever: log it once a minute, not every time.
  // Keyed by what the caller cannot choose (its address, our reason), never by the token it sent.
  const refusalLog = new LogThrottle(60_000, 1_000);
  const upgrade = async ({ req, socket, head }: PendingUpgrade): Promise<void> => {
    // The agent may have given up while it waited to be let in.
    if (socket.destroyed) return;
    let auth: Awaited<ReturnType<typeof authenticateAgent>>;
    try {
      auth = await authenticateAgent(store.db, req.headers.authorization);
    } catch (error) {
      log.error('agent authentication failed', { error: errorMessage(error) });
      refuseUpgrade(socket, 503, 'The control plane cannot check tokens right now; try again shortly.');
      return;
    }
    // The agent may have hung up while its token was being checked.
    if (socket.destroyed) return;
    if (closing) {
      refuseUpgrade(socket, 503, 'The control plane is shutting down; try again shortly.');
      return;
    }
    if (!auth.ok) {
      const remote = req.socket.remoteAddress;
      const heldBack = refusalLog.admit(`${remote ?? 'unknown'}|${auth.reason}`);
      if (heldBack !== null) log.warn('agent refused', { reason: auth.reason, tokenPrefix: auth.tokenPrefix, remote, repeatsNotLogged: heldBack });
      refuseUpgrade(socket, 401, REFUSAL);
      return;
    }
    const { ok: _ok, ...identity } = auth;
    wss.handleUpgrade(req, socket, head, (ws) => openSession(ws, identity));
  };

  /** Upgrades queued for the scheduler; `close` refuses those still waiting. */
  const waitingUpgrades = new Set<PendingUpgrade>();
  const maxWaitingUpgrades = options.maxWaitingUpgrades ?? 10_000;
  /** Upgrades being let in (their tokens checked); `close` waits for them. */
  const admitting = new Set<Promise<void>>();
  const admit = (pending: PendingUpgrade) => (): Promise<void> | undefined => {
    // Refused at shutdown meanwhile.
    if (!waitingUpgrades.delete(pending)) return undefined;
    const admission = upgrade(pending)
      .catch((error: unknown) => {
        log.error('agent upgrade failed', { error: errorMessage(error) });
        pending.socket.destroy();
      })
      .finally(() => admitting.delete(admission));
    admitting.add(admission);
    return admission;
  };

  let recheckRunning = false;
  const recheckTokens = async (): Promise<void> => {
    if (sessions.size === 0 || recheckRunning) return;
    recheckRunning = true;
    try {
      // Only the sessions whose tokens were asked about: on PostgreSQL the lookup waits on
      // the network, and sessions opened meanwhile must not be taken for revoked.
      const checked = [...sessions.values()];
      const valid = await liveTokenIds(store.db, new Set(checked.map((session) => session.tokenId)));
      for (const session of checked) {
        if (!valid.has(session.tokenId)) session.close(CLOSE_CODES.revoked, 'the token is no longer valid (rotated, or the cluster detached)');
      }
    } catch (error) {
      log.error('token re-check failed', { error: errorMessage(error) });
    } finally {
      recheckRunning = false;
    }
  };
  const tokenTimer = setInterval(() => void recheckTokens(), options.tokenRecheckMs ?? 5_000);
  tokenTimer.unref();

  const stale = await store.transaction(async (tx) => {
    const now = new Date();
    const ids = await markStaleSessionsDisconnected(tx, now);
    await recordControlPlaneRestart(tx, ids, now);
    return ids;
  });
  if (stale.length > 0) {
    log.info('clusters left connected by a previous run marked disconnected', { clusters: stale.length });
    bus.publish({ type: 'cluster.changed', clusterIds: stale });
  }

  writer.start();
  monitor.start();
  log.info('agent gateway started', { path: AGENT_CONNECT_PATH, heartbeat });

  const closeSession = (clusterId: number, code: number, reason: string): boolean => {
    const session = registry.get(clusterId);
    session?.close(code, reason);
    return session !== undefined;
  };

  return {
    isConnected: (clusterId) => registry.get(clusterId)?.ready === true,
    revoke: (clusterId, reason) => closeSession(clusterId, CLOSE_CODES.revoked, reason),
    reconnect: (clusterId, reason) => closeSession(clusterId, CLOSE_CODES.reconnect, reason),
    agentClient: (clusterId) => createAgentClient(registry, clusterId, describeCluster),
    agentConfig,
    connectedClusterCount: () => registry.size,

    handleUpgrade(req, socket, head) {
      if (!isAgentConnectRequest(req)) {
        socket.destroy();
        return;
      }
      socket.on('error', (error) => log.debug('agent upgrade socket error', { error: error.message }));
      if (closing) {
        refuseUpgrade(socket, 503, 'The control plane is shutting down; try again shortly.');
        return;
      }
      if (waitingUpgrades.size >= maxWaitingUpgrades) {
        refuseUpgrade(socket, 503, 'Too many agents are connecting at once; try again shortly.');
        return;
      }
      const pending: PendingUpgrade = { req, socket, head };
      waitingUpgrades.add(pending);
      scheduler.schedule(admit(pending));
    },

    flush: () => writer.flush(),

    close() {
      closed ??= (async () => {
        closing = true;
        monitor.stop();
        clearInterval(tokenTimer);
        for (const { socket } of waitingUpgrades) refuseUpgrade(socket, 503, 'The control plane is shutting down; try again shortly.');
        waitingUpgrades.clear();
        await Promise.all(admitting);
        for (const session of [...sessions.values()]) session.abort(SHUTDOWN_CLOSE_CODE, 'The control plane is shutting down');
        await writer.stop();
        wss.close();
      })();
      return closed;
    },
  };
}
