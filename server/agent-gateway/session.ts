/**
 * One agent's WebSocket: parses and dispatches its frames, carries requests to it and
 * hands what it reports to the state writer. It never writes to the store itself.
 */
import type { RawData, WebSocket } from 'ws';
import {
  CLOSE_CODES,
  PROTOCOL_VERSION,
  type AgentFrame,
  type AgentMethod,
  type ControlPlaneFrame,
  type FrameErrorCode,
  type RequestErrorBody,
  type PrometheusVector,
  type ResponseFrame,
  type SummaryFrame,
  type WelcomeFrame,
} from '@/lib/agent-protocol';
import type { MetricSummary, SummaryConfig } from '@/lib/metrics';
import type { SummaryCatalog } from '@/server/metrics/types';
import { LogThrottle } from '@/server/log-throttle';
import { errorMessage, type Logger } from '@/server/logger';
import type { AgentIdentity } from './auth';
import { agentCloseReason, controlPlaneCloseReason } from './disconnect-reasons';
import { AgentCallError } from './errors';
import { FrameBudget, type FrameRateLimits } from './frame-budget';
import { describeBytes, readFrame, type FrameReading } from './frame-reader';
import type { HeartbeatTarget } from './heartbeat';
import type { ClusterStateWriter } from './persistence';
import type { Task } from './scheduler';
import type { AgentSessionHandle, SessionRegistry } from './registry';

export interface SessionContext {
  registry: SessionRegistry;
  writer: ClusterStateWriter;
  log: Logger;
  heartbeatIntervalMs: number;
  /** `lastSeenAt` is written at most this often per cluster from heartbeats alone. */
  seenPersistIntervalMs: number;
  maxInFlight: number;
  /** How fast one session may send before it is closed. */
  frameRate: FrameRateLimits;
  /** Turns a summary frame's vectors into a `MetricSummary`; without it summaries are neither asked for nor taken. */
  summaryCatalog?: SummaryCatalog;
  /** The summary set for a cluster's config (`welcome`); undefined without a catalog. */
  summaryConfig(config: AgentIdentity['config']): SummaryConfig | undefined;
  /** Runs work for this session in the gateway's slices of event-loop time (scheduler.ts). */
  schedule(task: Task): void;
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
/** An agent's own words (its error frames, its requests' error messages) are cut to this before we log or pass them on. */
const MAX_AGENT_TEXT_CHARS = 1_024;
/** Frames one session handles per turn with the scheduler, so a busy agent cannot take a whole slice. */
const FRAMES_PER_TURN = 16;
/** Frames queued for one session before its socket is paused. */
const MAX_QUEUED_FRAMES = 64;
/** Complaints about one session's frames: a line per kind per this window, the rest counted. */
const FRAME_LOG_WINDOW_MS = 60_000;

export class AgentSession implements AgentSessionHandle, HeartbeatTarget {
  /** Unique in this process: names the session in the state writer's snapshot ops. */
  readonly id: number;
  readonly clusterId: number;
  readonly clusterName: string;
  /** The token this session authenticated with, so a revocation can be noticed. */
  readonly tokenId: number;
  readonly openedAt = Date.now();
  ready = false;
  private stateStored = false;
  lastHeardAt = this.openedAt;
  lastPingAt = this.openedAt;
  private ended = false;
  private readonly pending = new Map<string, PendingRequest>();
  private nextRequestId = 1;
  private nextPingId = 1;
  private lastSeenPersistedAt = 0;
  private readonly log: Logger;
  private readonly budget: FrameBudget;
  /** Frames received and not yet handled, in order: they wait for the scheduler, and while a snapshot is read. */
  private readonly inbox: { data: RawData; isBinary: boolean }[] = [];
  /** A turn with the scheduler is booked. */
  private scheduled = false;
  /** A frame's work is still running (a snapshot read in slices); the next frames wait for it. */
  private reading = false;
  private readonly config: AgentIdentity['config'];
  /** From the agent's hello; recorded with the session's connect and disconnect. */
  private agentVersion: string | null = null;
  /** Made on the first complaint: most sessions never need one. */
  private frameLog: LogThrottle | undefined;

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
    this.config = identity.config;
    this.log = ctx.log.child({ clusterId: identity.clusterId, cluster: identity.clusterName, tokenPrefix: identity.tokenPrefix });
    this.budget = new FrameBudget(ctx.frameRate);
    ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    // After our own close this finds the session ended already: the reason recorded is ours.
    ws.on('close', (code, reason) => this.end(agentCloseReason(code, reason.toString('utf8'))));
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
    this.end(controlPlaneCloseReason(code, reason));
    this.ws.close(code, closeReason(reason));
    const cut = setTimeout(() => this.ws.terminate(), CLOSE_GRACE_MS);
    cut.unref();
    this.ws.once('close', () => clearTimeout(cut));
  }

  abort(code: number, reason: string): void {
    if (this.ended) return;
    this.end(controlPlaneCloseReason(code, reason), code === CLOSE_CODES.heartbeatTimeout ? 'warn' : 'info');
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
    // Counted before anything is read: a flood costs us a subtraction per frame until it is cut off.
    if (!this.budget.spend(byteLength(data))) {
      this.log.warn('agent sends frames far faster than an agent should; closing its session', { inboxFrames: this.inbox.length });
      this.send({ type: 'error', code: 'too_many_frames', message: 'Frames arrive faster than the protocol allows' });
      this.close(CLOSE_CODES.policyViolation, 'Too many frames');
      return;
    }
    this.inbox.push({ data, isBinary });
    this.updateFlow();
    this.bookTurn();
  }

  private bookTurn(): void {
    if (this.scheduled || this.reading || this.ended || this.inbox.length === 0) return;
    this.scheduled = true;
    this.ctx.schedule(() => this.readInbox());
  }

  /**
   * Handles a few queued frames in order, in a turn given by the scheduler. A frame whose
   * work takes longer (a snapshot read in slices) runs on its own; the next frames wait
   * for it, and the scheduler goes on with other sessions meanwhile.
   */
  private readInbox(): void {
    this.scheduled = false;
    for (let handled = 0; handled < FRAMES_PER_TURN && !this.ended; handled++) {
      const next = this.inbox.shift();
      if (!next) break;
      const work = this.handleFrame(next.data, next.isBinary);
      if (work) {
        this.reading = true;
        this.updateFlow();
        work
          .catch((error: unknown) => {
            this.log.error('agent frame handling failed', { error: errorMessage(error) });
            this.abort(1011, 'The control plane failed to handle a frame');
          })
          .finally(() => {
            this.reading = false;
            this.updateFlow();
            this.bookTurn();
          });
        return;
      }
    }
    this.updateFlow();
    this.bookTurn();
  }

  /** Backpressure: while frames pile up or one is being read, the agent's next ones wait in TCP buffers, not here. */
  private updateFlow(): void {
    if (this.ended) return;
    const hold = this.reading || this.inbox.length >= MAX_QUEUED_FRAMES;
    if (hold && !this.ws.isPaused) this.ws.pause();
    else if (!hold && this.ws.isPaused) this.ws.resume();
  }

  /** A promise when the frame is read over more than this turn of the event loop (a snapshot). */
  private handleFrame(data: RawData, isBinary: boolean): Promise<void> | undefined {
    if (isBinary) {
      this.reject('bad_frame', 'Frames are JSON text; a binary frame was received');
      return undefined;
    }
    const reading = readFrame(asBuffer(data));
    if (reading instanceof Promise) return reading.then((read) => this.onFrameRead(read));
    this.onFrameRead(reading);
    return undefined;
  }

  private onFrameRead(reading: FrameReading): void {
    if (this.ended) return;
    if (reading.ok) {
      this.dispatch(reading.frame);
      return;
    }
    this.reject(reading.code, reading.message);
    if (reading.code !== 'frame_too_large') return;
    switch (reading.type) {
      case 'snapshot':
        // Sending it again will not help: the agent hears why and backs off.
        this.close(CLOSE_CODES.messageTooBig, reading.message);
        break;
      case 'delta':
        // A snapshot may be larger than a delta: a new session starts with one.
        if (this.ready) this.close(CLOSE_CODES.reconnect, 'A delta too large to read: reconnect and send a snapshot');
        break;
      case 'response':
        if (reading.requestId) this.failRequest(reading.requestId, (method) =>
          new AgentCallError('bad_result', `Cluster ${this.clusterName} answered ${method} with ${describeBytes(reading.bytes)}, more than the protocol allows`),
        );
        break;
      default:
        break;
    }
  }

  private dispatch(frame: AgentFrame): void {
    switch (frame.type) {
      case 'hello':
        this.onHello(frame.protocolVersion, frame.agentVersion, frame.kubernetesVersion);
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
      case 'summary':
        if (!this.requireHello(frame.type)) return;
        this.onSummary(frame);
        return;
      case 'pong':
        return;
      case 'response':
        this.onResponse(frame);
        return;
      case 'error':
        this.logFrameProblem(`agent:${frame.code}`, 'agent reported an error', { code: frame.code, message: agentText(frame.message) });
        return;
      default: {
        const unhandled: never = frame;
        this.log.error('agent frame without a handler', { frame: unhandled });
        return;
      }
    }
  }

  private onHello(protocolVersion: number, agentVersion: string, kubernetesVersion: string): void {
    if (protocolVersion !== PROTOCOL_VERSION) {
      this.log.warn('agent speaks an unsupported protocol version', { protocolVersion, agentVersion });
      this.close(
        CLOSE_CODES.unsupportedProtocol,
        `Protocol version ${protocolVersion} is not supported; this control plane speaks ${PROTOCOL_VERSION}`,
      );
      return;
    }
    if (this.ready) {
      this.reject('unexpected_frame', 'hello was already received on this connection');
      return;
    }
    this.ready = true;
    this.lastSeenPersistedAt = Date.now();
    const summary = this.ctx.summaryConfig(this.config);
    const welcome: WelcomeFrame = {
      type: 'welcome',
      protocolVersion: PROTOCOL_VERSION,
      clusterName: this.clusterName,
      config: { ...this.config, ...(summary ? { summary } : {}), heartbeatIntervalMs: this.ctx.heartbeatIntervalMs },
    };
    this.send(welcome);
    this.agentVersion = agentVersion;
    const at = new Date();
    this.ctx.writer.enqueue(this.clusterId, { kind: 'history', at, event: 'connected', reason: '', agentVersion });
    this.ctx.writer.enqueue(this.clusterId, { kind: 'connected', at, agentVersion, kubernetesVersion });
    this.log.info('agent connected', { agentVersion, kubernetesVersion });
    this.ctx.onAccepted(this);
  }

  /**
   * A poll of the summary set: interpreted here (the catalog is the control plane's), and
   * stored by the writer. The agent's clock is not trusted to be ahead of ours: a summary
   * "from the future" would never turn stale.
   */
  private onSummary(frame: SummaryFrame): void {
    const catalog = this.ctx.summaryCatalog;
    if (!catalog) {
      this.reject('unexpected_frame', 'This control plane did not ask for metric summaries');
      return;
    }
    const vectors: Record<string, PrometheusVector> = {};
    const errors: string[] = [];
    for (const [id, result] of Object.entries(frame.results)) {
      if ('error' in result) errors.push(result.error);
      else vectors[id] = result;
    }
    let summary: MetricSummary;
    try {
      summary = catalog.interpret(vectors);
    } catch (error) {
      this.reject('bad_frame', `The summary could not be read: ${errorMessage(error)}`);
      return;
    }
    const total = Object.keys(frame.results).length;
    const collectedAt = new Date(Math.min(frame.collectedAt * 1000, Date.now()));
    this.ctx.writer.enqueue(this.clusterId, { kind: 'summary', collectedAt, summary, error: summaryError(errors, total) });
  }

  private onResponse(frame: ResponseFrame): void {
    const pending = this.takePending(frame.id);
    if (!pending) return;
    if (frame.ok) pending.resolve(frame.result);
    else pending.reject(agentFailure(this.clusterName, pending.method, frame.error));
  }

  private failRequest(id: string, failure: (method: AgentMethod) => AgentCallError): void {
    const pending = this.takePending(id);
    pending?.reject(failure(pending.method));
  }

  private takePending(id: string): PendingRequest | undefined {
    const pending = this.pending.get(id);
    if (!pending) {
      // Usually an answer that arrived after its deadline: the caller has moved on.
      this.log.debug('response to no pending request', { id });
      return undefined;
    }
    this.pending.delete(id);
    clearTimeout(pending.timer);
    return pending;
  }

  private requireHello(frameType: string): boolean {
    if (this.ready) return true;
    this.reject('hello_required', `Send hello before ${frameType}`);
    return false;
  }

  /** A bad frame is logged and answered, never fatal: the connection stays up. */
  private reject(code: FrameErrorCode, message: string): void {
    const text = agentText(message);
    this.logFrameProblem(code, 'bad frame from agent', { code, message: text });
    this.send({ type: 'error', code, message: text });
  }

  /** One line per kind of complaint per minute for this session, with how many were held back. */
  private logFrameProblem(kind: string, msg: string, fields: Record<string, unknown>): void {
    this.frameLog ??= new LogThrottle(FRAME_LOG_WINDOW_MS, 32);
    const heldBack = this.frameLog.admit(kind);
    if (heldBack !== null) this.log.warn(msg, heldBack > 0 ? { ...fields, repeatsNotLogged: heldBack } : fields);
  }

  private send(frame: ControlPlaneFrame): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    this.ws.send(JSON.stringify(frame));
  }

  /**
   * Runs once: settles pending calls and, if this was still the cluster's session, records
   * the disconnect. `why` is in the words of the connection history (disconnect-reasons.ts).
   */
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
    this.inbox.length = 0;
    // A replaced session is no longer the cluster's: its end must not mark the cluster
    // Disconnected under the session that replaced it.
    const helloed = this.ready;
    this.ready = false;
    const wasCurrent = this.ctx.registry.release(this);
    const at = new Date();
    // Only an accepted session is in the history (its connect is): a refused hello is not a disconnect.
    if (helloed) this.ctx.writer.enqueue(this.clusterId, { kind: 'history', at, event: 'disconnected', reason: why, agentVersion: this.agentVersion });
    if (wasCurrent) {
      this.ctx.writer.enqueue(this.clusterId, {
        kind: 'disconnected',
        at,
        ...(helloed ? { lastHeardAt: new Date(this.lastHeardAt) } : {}),
      });
    }
    this.ctx.onEnded(this, why, helloed);
    this.log[level]('agent session ended', { reason: why, replaced: !wasCurrent });
  }
}

/**
 * The stored summary's `error`: null when every query answered; the reason when all
 * failed (usually one, e.g. `Prometheus unreachable: …`); otherwise how many failed and
 * the first reason.
 */
export function summaryError(errors: readonly string[], total: number): string | null {
  const [first] = errors;
  if (first === undefined) return null;
  const text = agentText(first);
  if (errors.length === total) {
    const others = errors.filter((error) => error !== first).length;
    return others === 0 ? text : `${text} (and ${others} other ${others === 1 ? 'failure' : 'failures'})`;
  }
  return `${errors.length} of ${total} summary queries failed: ${text}`;
}

function closeReason(reason: string): string {
  let text = reason.slice(0, MAX_CLOSE_REASON_BYTES);
  while (Buffer.byteLength(text) > MAX_CLOSE_REASON_BYTES) text = text.slice(0, -1);
  return text;
}

function asBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

function byteLength(data: RawData): number {
  return Array.isArray(data) ? data.reduce((total, part) => total + part.length, 0) : data.byteLength;
}

function agentText(text: string): string {
  return text.length <= MAX_AGENT_TEXT_CHARS ? text : `${text.slice(0, MAX_AGENT_TEXT_CHARS)}… (${text.length - MAX_AGENT_TEXT_CHARS} more characters)`;
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
      return new AgentCallError('deadline_exceeded', `Cluster ${clusterName} gave up on ${method}: ${agentText(error.message)}`, error.code);
    case 'busy':
      return new AgentCallError('busy', `Cluster ${clusterName} is busy: ${agentText(error.message)}`, error.code);
    default:
      return new AgentCallError('agent_error', `Cluster ${clusterName} could not run ${method}: ${agentText(error.message)}`, error.code);
  }
}
