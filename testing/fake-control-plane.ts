/**
 * The control plane's side of the agent protocol, minimal, for the agent's own tests:
 * token check on the upgrade (401), `welcome` after `hello`, every agent frame
 * validated with `agentFrame`, the streamed state rebuilt from snapshot + deltas, and
 * helpers to ping, send requests (given up at their deadline, as the gateway does),
 * revoke and ask for a reconnect.
 *
 * The real gateway lives in `server/agent-gateway/`; this stays small on purpose.
 */
import http from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  AGENT_CONNECT_PATH,
  agentFrame,
  CLOSE_CODES,
  PROTOCOL_VERSION,
  type AgentFrame,
  type AgentMethod,
  type AgentMethodParams,
  type ClusterState,
  type ControlPlaneFrame,
  type HelloFrame,
  type ResponseFrame,
  type WelcomeFrame,
} from '@/lib/agent-protocol';
import { applyStateChanges } from '@/testing/apply-changes';
import { waitFor } from '@/testing/wait-for';
import { listenOnLoopback } from '@/testing/loopback';

/** The control plane stopped waiting for a response: what the gateway's own timeout would report. */
export class ControlPlaneGaveUp extends Error {
  constructor(readonly deadlineMs: number) {
    super(`the control plane stopped waiting after ${deadlineMs} ms`);
    this.name = 'ControlPlaneGaveUp';
  }
}

export interface FakeControlPlaneOptions {
  /** Tokens accepted on the upgrade; anything else gets HTTP 401. */
  tokens: readonly string[];
  /** Sent in `welcome`; defaults suit the kube-objects builders. */
  welcome?: Partial<WelcomeFrame['config']> & { clusterName?: string };
}

/** One agent connection as the control plane sees it. */
export class FakeAgentConnection {
  /** Every valid frame received, in order. */
  readonly frames: AgentFrame[] = [];
  /** Frames that failed `agentFrame` validation (a test should expect none). */
  readonly invalidFrames: unknown[] = [];
  /** The cluster state as rebuilt from the last snapshot and the deltas after it. */
  state: ClusterState | undefined;
  hello: HelloFrame | undefined;
  closed = false;
  closeCode: number | undefined;
  private readonly pending = new Map<string, (response: ResponseFrame) => void>();
  private nextRequestId = 1;

  constructor(
    readonly socket: WebSocket,
    /** The bearer token the agent presented. */
    readonly token: string,
    private readonly onHello: (connection: FakeAgentConnection) => void,
  ) {}

  /** Frames of one type, e.g. `conn.framesOf('delta')`. */
  framesOf<T extends AgentFrame['type']>(type: T): Array<Extract<AgentFrame, { type: T }>> {
    return this.frames.filter((f): f is Extract<AgentFrame, { type: T }> => f.type === type);
  }

  send(frame: ControlPlaneFrame | Record<string, unknown>): void {
    this.socket.send(JSON.stringify(frame));
  }

  /**
   * Sends a request frame (any method name, for negative tests) and resolves with the
   * response; rejects with {@link ControlPlaneGaveUp} once `deadlineMs` has passed, as
   * the gateway does.
   */
  request<M extends AgentMethod>(
    method: M | string,
    params: AgentMethodParams<M> | unknown,
    deadlineMs = 5000,
  ): Promise<ResponseFrame> {
    const id = `req-${this.nextRequestId++}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new ControlPlaneGaveUp(deadlineMs));
      }, deadlineMs);
      this.pending.set(id, (response) => {
        clearTimeout(timer);
        resolve(response);
      });
      this.send({ type: 'request', id, method, params, deadlineMs });
    });
  }

  /** Closes with a WebSocket close code, e.g. `CLOSE_CODES.replaced`. */
  close(code: number, reason = ''): void {
    this.socket.close(code, reason);
  }

  /** The token is no longer good: the agent must stop, not retry. */
  revoke(reason = 'token revoked'): void {
    this.close(CLOSE_CODES.revoked, reason);
  }

  /** Asks the agent for a new session: it dials again at once and sends a fresh snapshot. */
  reconnect(reason = 'reconnect'): void {
    this.close(CLOSE_CODES.reconnect, reason);
  }

  /** Drops the TCP connection without a close frame, as a crash or a network cut does. */
  terminate(): void {
    this.socket.terminate();
  }

  /** @internal */
  receive(text: string): void {
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      this.invalidFrames.push(text);
      return;
    }
    const parsed = agentFrame.safeParse(raw);
    if (!parsed.success) {
      this.invalidFrames.push(raw);
      return;
    }
    const frame = parsed.data;
    this.frames.push(frame);
    switch (frame.type) {
      case 'hello':
        if (this.hello) return;
        this.hello = frame;
        this.onHello(this);
        return;
      case 'snapshot':
        this.state = frame.state;
        return;
      case 'delta':
        if (this.state) this.state = applyStateChanges(this.state, frame.changes);
        return;
      case 'response':
        this.pending.get(frame.id)?.(frame);
        this.pending.delete(frame.id);
        return;
      case 'summary':
      case 'pong':
      case 'error':
        return;
      default: {
        const unhandled: never = frame;
        this.invalidFrames.push(unhandled);
      }
    }
  }
}

export class FakeControlPlane {
  private server: http.Server | undefined;
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly tokens: Set<string>;
  private baseUrl: string | undefined;
  /** Every accepted connection, oldest first. */
  readonly connections: FakeAgentConnection[] = [];
  /** HTTP statuses of refused upgrades, in order. */
  readonly refusedUpgrades: number[] = [];

  constructor(private readonly options: FakeControlPlaneOptions) {
    this.tokens = new Set(options.tokens);
  }

  /** Listens on loopback; `port` 0 (default) picks a free one, a fixed port lets a test restart "the same" control plane. */
  async start(port = 0): Promise<this> {
    const server = http.createServer((_req, res) => {
      res.writeHead(404);
      res.end();
    });
    server.on('upgrade', (req, socket, head) => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      if (url.pathname !== AGENT_CONNECT_PATH || !token || !this.tokens.has(token)) {
        const status = url.pathname !== AGENT_CONNECT_PATH ? 404 : 401;
        this.refusedUpgrades.push(status);
        socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, token));
    });
    this.baseUrl = await listenOnLoopback(server, port);
    this.server = server;
    return this;
  }

  /** `http://127.0.0.1:<port>`: what an agent is given as `--control-plane-url`. */
  get url(): string {
    if (!this.baseUrl) throw new Error('FakeControlPlane is not started');
    return this.baseUrl;
  }

  /** Stops accepting a token from now on (existing connections stay until closed). */
  revokeToken(token: string): void {
    this.tokens.delete(token);
  }

  /** The latest connection, once there are at least `count`. */
  async waitForConnection(count = 1, timeoutMs = 5000): Promise<FakeAgentConnection> {
    return waitFor(() => this.connections.length >= count && this.connections[count - 1], timeoutMs, `connection #${count}`);
  }

  /** Resolves with the connection's state once a snapshot arrived on it. */
  async waitForSnapshot(connection: FakeAgentConnection, timeoutMs = 5000): Promise<ClusterState> {
    return waitFor(() => connection.state, timeoutMs, 'snapshot');
  }

  async stop(): Promise<void> {
    for (const client of this.wss.clients) client.terminate();
    this.wss.close();
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  private accept(ws: WebSocket, token: string): void {
    const connection = new FakeAgentConnection(ws, token, (conn) => this.welcome(conn));
    this.connections.push(connection);
    ws.on('message', (data) => connection.receive(data.toString()));
    ws.on('close', (code) => {
      connection.closed = true;
      connection.closeCode = code;
    });
  }

  private welcome(connection: FakeAgentConnection): void {
    const w = this.options.welcome ?? {};
    connection.send({
      type: 'welcome',
      protocolVersion: PROTOCOL_VERSION,
      clusterName: w.clusterName ?? 'test-cluster',
      config: {
        nodePoolLabel: w.nodePoolLabel ?? 'fleetdeck.io/node-pool',
        gpuTypeLabel: w.gpuTypeLabel ?? 'fleetdeck.io/gpu-type',
        prometheusUrl: w.prometheusUrl ?? 'http://127.0.0.1:1',
        heartbeatIntervalMs: w.heartbeatIntervalMs ?? 10_000,
        ...(w.summary ? { summary: w.summary } : {}),
      },
    } satisfies WelcomeFrame);
  }
}
