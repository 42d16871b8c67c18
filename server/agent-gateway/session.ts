/**
 * One agent's WebSocket: parses and dispatches its frames, carries requests to it and
 * hands what it reports to the state writer. It never writes to the store itself.
 */
import type { RawData, WebSocket } from 'ws';
import {
  agentFrame,
  CLOSE_CODES,
  describeFrameError,
  PROTOCOL_VERSION,
  type AgentFrame,
  type AgentMethod,
  type ControlPlaneFrame,
  type FrameErrorCode,
  type RequestErrorBody,
  type ResponseFrame,
  type WelcomeFrame,
} from '@/lib/agent-protocol';
import { errorMessage, type Logger } from '@/server/logger';
import type { AgentIdentity } from './auth';
import { AgentCallError } from './errors';
import type { HeartbeatTarget } from './heartbeat';
import type { ClusterStateWriter } from './persistence';
import type { AgentSessionHandle, SessionRegistry } from './registry';

export interface SessionContext {
  registry: SessionRegistry;
  writer: ClusterStateWriter;
  log: Logger;
  heartbeatIntervalMs: number;
  /** `lastSeenAt` is written at most this often per cluster from heartbeats alone. */
  seenPersistIntervalMs: number;
  maxInFlight: number;
  /** The cluster's configuration for `welcome`, read fresh; null if the cluster is gone. */
  loadWelcome(clusterId: number): Promise<WelcomeFrame | null>;
  /** The agent's hello was accepted: it is welcomed and can take requests. */
  onAccepted(session: AgentSession): void;
  /** Called once when the session has ended, however it ended; `wasAccepted` if it had got that far. */
  onEnded(session: AgentSession, reason: string, wasAccepted: boolean): void;
}

interface PendingRequest {
  method: AgentMethod;
  timer: NodeJS.Timeout;
  resolve(result: unknown): void;
  reject(error: AgentCallError): void;
}

/** A revoked or replaced agent gets this long to read its close frame before the socket is cut. */
const CLOSE_GRACE_MS = 500;
/** WebSocket close reasons are limited to 123 bytes (ws throws past that). */
const MAX_CLOSE_REASON_BYTES = 123;

export class AgentSession implements AgentSessionHandle, HeartbeatTarget {
  /** Unique in this process: names the session in the state writer's snapshot ops. */
  readonly id: number;
  readonly clusterId: number;
  readonly clusterName: string;
  /** The token this session authenticated with, so a revocation can be noticed. */
  readonly tokenId: number;
  readonly openedAt = Date.now();
  ready = false;
  /** A hello is being answered (the welcome is read from the store). */
  private welcoming = false;
  private stateStored = false;
  lastHeardAt = this.openedAt;
  lastPingAt = this.openedAt;
  private ended = false;
  private readonly pending = new Map<string, PendingRequest>();
  private nextRequestId = 1;
  private nextPingId = 1;
  private lastSeenPersistedAt = 0;
  private readonly log: Logger;

  constructor(
    id: number,
    private readonly ws: WebSocket,
    identity: AgentIdentity,
    private readonly ctx: SessionContext,
  ) {
    this.id = id;
    this.clusterId = identity.clusterId;
    this.clusterName = identity.clusterName;
    this.tokenId = identity.tokenId;
    this.log = ctx.log.child({ clusterId: identity.clusterId, cluster: identity.clusterName, tokenPrefix: identity.tokenPrefix });
    ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    ws.on('close', (code) => this.end(`socket closed (${code})`));
    // 'close' always follows 'error'; the listener only keeps an error from being unhandled.
    ws.on('error', (error) => this.log.warn('agent socket error', { error: error.message }));
  }

  /**
   * Records that this session's first snapshot is stored. True only the first time, and
   * only while the session is live: that is when it becomes "ready" for reconciliation.
   */
  markStateStored(): boolean {
    if (this.stateStored || !this.ready) return false;
    this.stateStored = true;
    return true;
  }

  get inFlight(): number {
    return this.pending.size;
  }

  request(method: AgentMethod, params: unknown, deadlineMs: number): Promise<unknown> {
    if (this.ended || !this.ready) {
      return Promise.reject(new AgentCallError('not_connected', `Cluster ${this.clusterName} is not connected`));
    }
    if (this.pending.size >= this.ctx.maxInFlight) {
      return Promise.reject(
        new AgentCallError(
          'busy',
          `Cluster ${this.clusterName} already has ${this.pending.size} requests in flight; try again shortly`,
        ),
      );
    }
    const id = String(this.nextRequestId++);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new AgentCallError('deadline_exceeded', `Cluster ${this.clusterName} did not answer ${method} within ${deadlineMs} ms`));
      }, deadlineMs);
      this.pending.set(id, { method, timer, resolve, reject });
      this.send({ type: 'request', id, method, params, deadlineMs });
    });
  }

  /** Closes politely, cutting the socket if the agent does not finish the handshake soon. */
  close(code: number, reason: string): void {
    if (this.ended) return;
    this.end(reason);
    this.ws.close(code, closeReason(reason));
    const cut = setTimeout(() => this.ws.terminate(), CLOSE_GRACE_MS);
    cut.unref();
    this.ws.once('close', () => clearTimeout(cut));
  }

  abort(code: number, reason: string): void {
    if (this.ended) return;
    this.end(reason, code === CLOSE_CODES.heartbeatTimeout ? 'warn' : 'info');
    // The close frame is written before the socket is destroyed, so an agent that is merely
    // slow still learns why; a dead one costs us nothing more.
    this.ws.close(code, closeReason(reason));
    this.ws.terminate();
  }

  sendPing(now: number): void {
    this.lastPingAt = now;
    this.send({ type: 'ping', id: this.nextPingId++ });
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    if (this.ended) return;
    // Any frame, even a bad one, proves the agent is alive.
    const now = Date.now();
    this.lastHeardAt = now;
    if (this.ready && now - this.lastSeenPersistedAt >= this.ctx.seenPersistIntervalMs) {
      this.lastSeenPersistedAt = now;
      this.ctx.writer.enqueue(this.clusterId, { kind: 'seen', at: new Date(now) });
    }

    if (isBinary) {
      this.reject('bad_frame', 'Frames are JSON text; a binary frame was received');
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(rawText(data));
    } catch {
      this.reject('bad_frame', 'The frame is not valid JSON');
      return;
    }
    const parsed = agentFrame.safeParse(json);
    if (!parsed.success) {
      this.reject('bad_frame', `The frame does not match the protocol: ${describeFrameError(json, parsed.error)}`);
      return;
    }
    this.dispatch(parsed.data);
  }

  private dispatch(frame: AgentFrame): void {
    switch (frame.type) {
      case 'hello':
        void this.onHello(frame.protocolVersion, frame.agentVersion, frame.kubernetesVersion);
        return;
      case 'snapshot':
        if (!this.requireHello(frame.type)) return;
        this.ctx.writer.enqueue(this.clusterId, { kind: 'snapshot', at: new Date(), state: frame.state, sessionId: this.id });
        this.log.debug('snapshot received', { nodes: frame.state.nodes.length });
        return;
      case 'delta':
        if (!this.requireHello(frame.type)) return;
        this.ctx.writer.enqueue(this.clusterId, { kind: 'delta', at: new Date(), changes: frame.changes });
        return;
      case 'pong':
        return;
      case 'response':
        this.onResponse(frame);
        return;
      case 'error':
        this.log.warn('agent reported an error', { code: frame.code, message: frame.message });
        return;
      default: {
        const unhandled: never = frame;
        this.log.error('agent frame without a handler', { frame: unhandled });
      }
    }
  }

  private async onHello(protocolVersion: number, agentVersion: string, kubernetesVersion: string): Promise<void> {
    if (protocolVersion !== PROTOCOL_VERSION) {
      this.log.warn('agent speaks an unsupported protocol version', { protocolVersion, agentVersion });
      this.close(
        CLOSE_CODES.unsupportedProtocol,
        `Protocol version ${protocolVersion} is not supported; this control plane speaks ${PROTOCOL_VERSION}`,
      );
      return;
    }
    if (this.ready || this.welcoming) {
      this.reject('unexpected_frame', 'hello was already received on this connection');
      return;
    }
    this.welcoming = true;
    let welcome: WelcomeFrame | null;
    try {
      welcome = await this.ctx.loadWelcome(this.clusterId);
    } catch (error) {
      this.log.error('could not read the cluster\'s configuration for welcome', { error: errorMessage(error) });
      // Not the agent's fault: it reconnects and says hello again.
      this.abort(1011, 'The control plane could not read this cluster\'s configuration; try again');
      return;
    } finally {
      this.welcoming = false;
    }
    if (this.ended) return;
    if (!welcome) {
      this.close(CLOSE_CODES.revoked, 'This cluster is no longer attached');
      return;
    }
    this.ready = true;
    this.lastSeenPersistedAt = Date.now();
    this.send(welcome);
    this.ctx.writer.enqueue(this.clusterId, { kind: 'connected', at: new Date(), agentVersion, kubernetesVersion });
    this.log.info('agent connected', { agentVersion, kubernetesVersion });
    this.ctx.onAccepted(this);
  }

  private onResponse(frame: ResponseFrame): void {
    const pending = this.pending.get(frame.id);
    if (!pending) {
      // Usually an answer that arrived after its deadline: the caller has moved on.
      this.log.debug('response to no pending request', { id: frame.id });
      return;
    }
    this.pending.delete(frame.id);
    clearTimeout(pending.timer);
    if (frame.ok) pending.resolve(frame.result);
    else pending.reject(agentFailure(this.clusterName, pending.method, frame.error));
  }

  private requireHello(frameType: string): boolean {
    if (this.ready) return true;
    this.reject('hello_required', `Send hello before ${frameType}`);
    return false;
  }

  /** A bad frame is logged and answered, never fatal: the connection stays up. */
  private reject(code: FrameErrorCode, message: string): void {
    this.log.warn('bad frame from agent', { code, message });
    this.send({ type: 'error', code, message });
  }

  private send(frame: ControlPlaneFrame): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    this.ws.send(JSON.stringify(frame));
  }

  /** Runs once: settles pending calls and, if this was still the cluster's session, records the disconnect. */
  private end(why: string, level: 'info' | 'warn' = 'info'): void {
    if (this.ended) return;
    this.ended = true;
    for (const pending of this.pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(
        new AgentCallError('disconnected', `Cluster ${this.clusterName} disconnected before answering ${pending.method}`),
      );
    }
    this.pending.clear();
    // A replaced session is no longer the cluster's: its end must not mark the cluster
    // Disconnected under the session that replaced it.
    const helloed = this.ready;
    this.ready = false;
    const wasCurrent = this.ctx.registry.release(this);
    if (wasCurrent) {
      this.ctx.writer.enqueue(this.clusterId, {
        kind: 'disconnected',
        at: new Date(),
        ...(helloed ? { lastHeardAt: new Date(this.lastHeardAt) } : {}),
      });
    }
    this.ctx.onEnded(this, why, helloed);
    this.log[level]('agent session ended', { reason: why, replaced: !wasCurrent });
  }
}

function closeReason(reason: string): string {
  let text = reason;
  while (Buffer.byteLength(text) > MAX_CLOSE_REASON_BYTES) text = text.slice(0, -1);
  return text;
}

function rawText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

/**
 * The agent's own error answer as the caller sees it. Its code is kept as `agentCode`;
 * the ones a caller may act on get their own failure: an agent too old for the method
 * (`unknown_method`), and the agent's own deadline (`deadline_exceeded`, like ours).
 */
function agentFailure(clusterName: string, method: AgentMethod, error: RequestErrorBody): AgentCallError {
  switch (error.code) {
    case 'unknown_method':
      return new AgentCallError(
        'unknown_method',
        `The agent of cluster ${clusterName} does not serve ${method}; upgrade the agent`,
        error.code,
      );
    case 'deadline_exceeded':
      return new AgentCallError('deadline_exceeded', `Cluster ${clusterName} gave up on ${method}: ${error.message}`, error.code);
    case 'busy':
      return new AgentCallError('busy', `Cluster ${clusterName} is busy: ${error.message}`, error.code);
    default:
      return new AgentCallError('agent_error', `Cluster ${clusterName} could not run ${method}: ${error.message}`, error.code);
  }
}
