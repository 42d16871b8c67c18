/**
 * One WebSocket connection to the control plane, from dial to close:
 * hello → welcome → snapshot → coalesced deltas, pongs, and request/response.
 * The agent runs one session at a time and decides, from how it ended, whether and
 * when to dial again.
 */
import WebSocket from 'ws';
import {
  AGENT_CONNECT_PATH,
  controlPlaneFrame,
  describeFrameError,
  MAX_FRAME_BYTES,
  PROTOCOL_VERSION,
  type AgentFrame,
  type ClusterState,
  type RequestFrame,
  type SummaryFrame,
  type WelcomeFrame,
} from '@/lib/agent-protocol';
import { diffClusterState } from '@/agent/cluster-state';
import type { AgentLogger } from '@/agent/logger';
import type { RequestDispatcher } from '@/agent/requests';

/** `https://cp.example.com/base` → `wss://cp.example.com/base/api/agent/connect`. */
export function agentConnectUrl(controlPlaneUrl: string): string {
  const url = new URL(controlPlaneUrl);
  if (url.protocol === 'http:') url.protocol = 'ws:';
  else if (url.protocol === 'https:') url.protocol = 'wss:';
  else if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw new Error(`control plane URL must be http(s) or ws(s), got ${url.protocol}`);
  }
  url.pathname = url.pathname.replace(/\/+$/, '') + AGENT_CONNECT_PATH;
  url.search = '';
  url.hash = '';
  return url.toString();
}

export interface SessionEnd {
  /** HTTP status when the server refused the upgrade (e.g. 401). */
  httpStatus?: number;
  /** WebSocket close code (1006 when the connection simply dropped). */
  closeCode?: number;
  closeReason?: string;
  /** The control plane sent `welcome` on this connection. */
  welcomed: boolean;
  /** How long the connection was up after `welcome`, in ms (0 if never welcomed). */
  welcomedForMs: number;
  /** The dial itself failed (DNS, refused, TLS…). */
  dialError?: string;
}

export interface SessionOptions {
  url: string;
  token: string;
  agentVersion: string;
  kubernetesVersion: string | undefined;
  logger: AgentLogger;
  dispatcher: RequestDispatcher;
  /** Applies the cluster config from `welcome`. */
  onWelcome: (welcome: WelcomeFrame) => void;
  /** Waits until the caches are worth a snapshot. */
  ready: () => Promise<void>;
  /** The whole state as of now. */
  currentState: () => ClusterState;
  /** Delay collecting changes into one delta frame; default 100 ms. */
  coalesceMs?: number;
  /** How long to wait for `welcome` after `hello`; default 15 s. */
  welcomeTimeoutMs?: number;
  /** Silence, in heartbeat intervals, after which the control plane is presumed gone; default 3. */
  missedHeartbeats?: number;
}

export class AgentSession {
  private ws: WebSocket | undefined;
  private lastSent: ClusterState | undefined;
  private flushTimer: NodeJS.Timeout | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private welcomeTimer: NodeJS.Timeout | undefined;
  private lastHeardAt = Date.now();
  private welcomedAt: number | undefined;
  private readonly requests = new AbortController();
  private readonly log: AgentLogger;

  constructor(private readonly options: SessionOptions) {
    this.log = options.logger;
  }

  /** Up, welcomed and the snapshot sent. */
  get established(): boolean {
    return this.lastSent !== undefined && this.ws?.readyState === WebSocket.OPEN;
  }

  /** Dials and runs the conversation; resolves when the connection is over. */
  run(): Promise<SessionEnd> {
    return new Promise((resolve) => {
      let httpStatus: number | undefined;
      let dialError: string | undefined;
      let opened = false;
      const ws = new WebSocket(this.options.url, {
        headers: { Authorization: `Bearer ${this.options.token}` },
        maxPayload: MAX_FRAME_BYTES,
        handshakeTimeout: 10_000,
      });
      this.ws = ws;

      ws.on('unexpected-response', (_req, res) => {
        httpStatus = res.statusCode;
        res.resume();
        ws.terminate();
      });
      ws.on('error', (err) => {
        if (!opened) dialError = err.message;
      });
      ws.on('open', () => {
        opened = true;
        this.log.info('connected to the control plane, saying hello');
        this.lastHeardAt = Date.now();
        this.send({
          type: 'hello',
          protocolVersion: PROTOCOL_VERSION,
          agentVersion: this.options.agentVersion,
          kubernetesVersion: this.options.kubernetesVersion ?? 'unknown',
        });
        this.welcomeTimer = setTimeout(() => {
          this.log.warn('no welcome from the control plane in time; reconnecting');
          ws.terminate();
        }, this.options.welcomeTimeoutMs ?? 15_000);
      });
      ws.on('message', (data, isBinary) => {
        this.lastHeardAt = Date.now();
        if (isBinary) return this.protocolError('binary frames are not part of the protocol');
        this.onMessage(data.toString());
      });
      ws.on('close', (code, reasonBuffer) => {
        this.cleanup();
        const welcomedForMs = this.welcomedAt === undefined ? 0 : Date.now() - this.welcomedAt;
        const end: SessionEnd = { welcomed: this.welcomedAt !== undefined, welcomedForMs };
        if (httpStatus !== undefined) end.httpStatus = httpStatus;
        else if (!opened) end.dialError = dialError ?? 'connection failed';
        else {
          end.closeCode = code;
          end.closeReason = reasonBuffer.toString();
        }
        resolve(end);
      });
    });
  }

  /** Something in the cluster state changed: send a delta soon, with whatever else changes meanwhile. */
  notifyChanged(): void {
    if (!this.lastSent || this.flushTimer) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      this.flush();
    }, this.options.coalesceMs ?? 100);
  }

  /**
   * Sends what changed now rather than after the coalescing window: after the agent
   * wrote to the cluster, so the control plane hears of the change before the answer
   * and a quick change by hand right after still differs from what was last sent.
   */
  sendChangesNow(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.flush();
  }

  /**
   * Sends the whole state again now (after new settings changed how it is derived), and
   * diffs later changes against it. Before the first snapshot nothing is sent: that one
   * is built from the new settings anyway. Returns the state sent, if any.
   */
  resendSnapshot(): ClusterState | undefined {
    if (!this.lastSent || this.ws?.readyState !== WebSocket.OPEN) return undefined;
    const state = this.options.currentState();
    this.lastSent = state;
    this.send({ type: 'snapshot', state });
    this.log.info('sent snapshot after new settings', { nodes: state.nodes.length });
    return state;
  }

  /** Pushes a metric summary (agent/summary-poller.ts) once welcomed; false when there is no session to send on. */
  sendSummary(frame: SummaryFrame): boolean {
    if (this.welcomedAt === undefined || this.ws?.readyState !== WebSocket.OPEN) return false;
    this.send(frame);
    return true;
  }

  /** Closes the connection (normal closure); `run()` resolves once it is closed. */
  close(): void {
    const ws = this.ws;
    if (!ws) return;
    if (ws.readyState === WebSocket.OPEN) ws.close(1000, 'agent stopping');
    else ws.terminate();
    // A peer that never answers the close handshake must not hold the agent's shutdown.
    setTimeout(() => ws.terminate(), 2000).unref();
  }

  private flush(): void {
    const previous = this.lastSent;
    if (!previous || this.ws?.readyState !== WebSocket.OPEN) return;
    const next = this.options.currentState();
    const changes = diffClusterState(previous, next);
    if (changes.length === 0) return;
    this.lastSent = next;
    this.send({ type: 'delta', changes });
    this.log.debug('sent delta', { changes: changes.length });
  }

  private send(frame: AgentFrame): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(frame));
  }

  private protocolError(message: string): void {
    this.log.warn('malformed frame from the control plane', { detail: message });
    this.send({ type: 'error', code: 'bad_frame', message });
  }

  private onMessage(text: string): void {
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      return this.protocolError('frame is not JSON');
    }
    const parsed = controlPlaneFrame.safeParse(raw);
    if (!parsed.success) return this.protocolError(`unexpected frame: ${describeFrameError(raw, parsed.error)}`);
    const frame = parsed.data;
    switch (frame.type) {
      case 'welcome':
        return void this.onWelcome(frame);
      case 'ping':
        return this.send({ type: 'pong', id: frame.id });
      case 'request':
        return void this.serveRequest(frame);
      case 'error':
        this.log.warn('the control plane reported an error', { code: frame.code, detail: frame.message });
        return;
      default: {
        const unhandled: never = frame;
        return this.protocolError(`unhandled frame ${JSON.stringify(unhandled).slice(0, 80)}`);
      }
    }
  }

  private async onWelcome(welcome: WelcomeFrame): Promise<void> {
    if (this.welcomedAt !== undefined) return;
    clearTimeout(this.welcomeTimer);
    this.welcomedAt = Date.now();
    this.log.info('welcomed by the control plane', {
      cluster: welcome.clusterName,
      heartbeatIntervalMs: welcome.config.heartbeatIntervalMs,
    });
    this.options.onWelcome(welcome);
    const interval = welcome.config.heartbeatIntervalMs;
    const silenceMs = interval * (this.options.missedHeartbeats ?? 3);
    this.watchdog = setInterval(() => {
      if (Date.now() - this.lastHeardAt > silenceMs) {
        this.log.warn('the control plane went silent; reconnecting', { silentForMs: Date.now() - this.lastHeardAt });
        this.ws?.terminate();
      }
    }, interval);
    await this.options.ready();
    if (this.ws?.readyState !== WebSocket.OPEN) return;
    const state = this.options.currentState();
    this.lastSent = state;
    this.send({ type: 'snapshot', state });
    this.log.info('sent snapshot', {
      nodes: state.nodes.length,
      namespaces: state.namespaces.length,
      warnings: state.warnings,
    });
  }

  private async serveRequest(request: RequestFrame): Promise<void> {
    this.send(await this.options.dispatcher.dispatch(request, this.requests.signal));
  }

  private cleanup(): void {
    clearTimeout(this.flushTimer);
    clearTimeout(this.welcomeTimer);
    clearInterval(this.watchdog);
    this.flushTimer = undefined;
    this.requests.abort();
  }
}
