/**
 * A lightweight agent for tests and the benchmark: speaks the wire protocol with `ws`
 * and nothing else (no Kubernetes, no reconnects), so a test controls every frame.
 */
import http from 'node:http';
import WebSocket from 'ws';
import {
  AGENT_CONNECT_PATH,
  controlPlaneFrame,
  PROTOCOL_VERSION,
  type AgentFrame,
  type ClusterState,
  type ControlPlaneFrame,
  type NodeState,
  type StateChange,
  type WelcomeFrame,
} from '@/lib/agent-protocol';

type RequestFrame = Extract<ControlPlaneFrame, { type: 'request' }>;
type ResponseFrame = Extract<AgentFrame, { type: 'response' }>;

export interface ProtocolClientOptions {
  /** Answer `ping` with `pong` (turn off to play a silent agent). */
  answerPings?: boolean;
  /** Answers requests; without it requests go unanswered. */
  onRequest?: (request: RequestFrame) => Promise<Omit<ResponseFrame, 'type' | 'id'>> | undefined;
  /** Keep every received frame in `frames` (off in the benchmark to save memory). */
  recordFrames?: boolean;
}

export interface CloseEvent {
  code: number;
  reason: string;
}

export class ProtocolClient {
  readonly frames: ControlPlaneFrame[] = [];
  answerPings: boolean;
  readonly closed: Promise<CloseEvent>;
  private readonly waiters = new Set<{ match(frame: ControlPlaneFrame): boolean; resolve(frame: ControlPlaneFrame): void }>();

  private constructor(
    readonly ws: WebSocket,
    private readonly options: ProtocolClientOptions,
  ) {
    this.answerPings = options.answerPings ?? true;
    this.closed = new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    ws.on('message', (data) => this.onMessage(String(data)));
    ws.on('error', () => undefined);
  }

  /** Connects to `baseUrl` (http://host:port) with the token; rejects with the HTTP status if refused. */
  static connect(baseUrl: string, token: string, options: ProtocolClientOptions = {}): Promise<ProtocolClient> {
    const ws = new WebSocket(baseUrl.replace(/^http/, 'ws') + AGENT_CONNECT_PATH, {
      headers: { authorization: `Bearer ${token}` },
      perMessageDeflate: false,
      // As the real agent: a server that never answers the upgrade must not hold the dial forever.
      handshakeTimeout: 30_000,
    });
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new ProtocolClient(ws, options)));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`refused with HTTP ${res.statusCode}`)));
      ws.once('error', reject);
    });
  }

  send(frame: AgentFrame): void {
    this.ws.send(JSON.stringify(frame));
  }

  sendRaw(text: string): void {
    this.ws.send(text);
  }

  /** Sends hello and resolves with the welcome. */
  async hello(overrides: Partial<Extract<AgentFrame, { type: 'hello' }>> = {}, timeoutMs = 5_000): Promise<WelcomeFrame> {
    const welcome = this.nextFrame((f): f is WelcomeFrame => f.type === 'welcome', timeoutMs);
    this.send({ type: 'hello', protocolVersion: PROTOCOL_VERSION, agentVersion: '0.0.0-test', kubernetesVersion: 'v1.30.2', ...overrides });
    return welcome;
  }

  snapshot(state: ClusterState): void {
    this.send({ type: 'snapshot', state });
  }

  delta(...changes: [StateChange, ...StateChange[]]): void {
    this.send({ type: 'delta', changes });
  }

  /** The next frame (already received or still to come) that matches. */
  nextFrame<T extends ControlPlaneFrame>(match: (frame: ControlPlaneFrame) => frame is T, timeoutMs = 5_000): Promise<T> {
    const seen = this.frames.find(match);
    if (seen) {
      this.frames.splice(this.frames.indexOf(seen), 1);
      return Promise.resolve(seen);
    }
    return new Promise((resolve, reject) => {
      const waiter = {
        match,
        resolve: (frame: ControlPlaneFrame) => {
          clearTimeout(timer);
          resolve(frame as T);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`no matching frame within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  close(): void {
    this.ws.close(1000, 'bye');
  }

  /** Drops the TCP connection without a close frame, like a killed process. */
  kill(): void {
    this.ws.terminate();
  }

  private onMessage(text: string): void {
    const frame = controlPlaneFrame.parse(JSON.parse(text));
    if (frame.type === 'ping' && this.answerPings) this.send({ type: 'pong', id: frame.id });
    if (frame.type === 'request' && this.options.onRequest) {
      const answer = this.options.onRequest(frame);
      if (answer) void answer.then((response) => this.send({ type: 'response', id: frame.id, ...response } as ResponseFrame));
    }
    for (const waiter of this.waiters) {
      if (waiter.match(frame)) {
        this.waiters.delete(waiter);
        waiter.resolve(frame);
        return;
      }
    }
    // Pings are only interesting to a waiter; keeping them would grow without bound.
    if (frame.type !== 'ping' && (this.options.recordFrames ?? true)) this.frames.push(frame);
  }
}

/**
 * Attempts the upgrade with a raw HTTP request, to see exactly what the server answered:
 * either it switched protocols, or it sent this status and body.
 */
export function attemptUpgrade(
  baseUrl: string,
  headers: Record<string, string>,
  path = AGENT_CONNECT_PATH,
): Promise<{ upgraded: true } | { upgraded: false; status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(baseUrl + path, {
      headers: {
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
        ...headers,
      },
    });
    req.on('upgrade', (_res, socket) => {
      socket.destroy();
      resolve({ upgraded: true });
    });
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ upgraded: false, status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

export function node(name: string, overrides: Partial<NodeState> = {}): NodeState {
  return {
    name,
    nodePool: 'cpu-pool',
    gpuType: null,
    gpuCount: 0,
    ready: true,
    capacity: { cpu: '16', memory: '64Gi' },
    taints: [],
    ...overrides,
  };
}

export function gpuNode(name: string, gpuType: string, gpuCount = 8, overrides: Partial<NodeState> = {}): NodeState {
  return node(name, {
    nodePool: `${gpuType.toLowerCase()}-pool`,
    gpuType,
    gpuCount,
    capacity: { cpu: '96', memory: '1024Gi', 'nvidia.com/gpu': String(gpuCount) },
    taints: [{ key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' }],
    ...overrides,
  });
}

export function clusterState(overrides: Partial<ClusterState> = {}): ClusterState {
  return {
    nodes: [],
    namespaces: ['default', 'kube-system'],
    storageClasses: [{ name: 'standard', provisioner: 'kubernetes.io/no-provisioner', isDefault: true }],
    ingressClasses: [{ name: 'nginx', controller: 'k8s.io/ingress-nginx', isDefault: true }],
    components: [],
    preflight: [{ id: 'kubernetes-version', status: 'pass', detail: 'Kubernetes v1.30.2' }],
    warnings: [],
    ...overrides,
  };
}

/**
 * A node as a real cloud cluster reports it: an EC2-style name, a kubelet's full
 * capacity map, GPU nodes tainted. Sized like the real thing, so snapshots built from
 * it measure what a large fleet sends.
 */
export function realisticNode(index: number): NodeState {
  const gpu = index % 4 !== 0;
  const octets = `${10 + (index >> 16)}-${(index >> 8) & 255}-${index & 255}-${(index * 7) & 255}`;
  return {
    name: `ip-${octets}.us-west-2.compute.internal`,
    nodePool: gpu ? `gpu-h100-pool-${index % 3}` : 'system-pool',
    gpuType: gpu ? 'NVIDIA-H100-80GB-HBM3' : null,
    gpuCount: gpu ? 8 : 0,
    ready: index % 50 !== 0,
    capacity: {
      cpu: gpu ? '192' : '16',
      'ephemeral-storage': '1048064000Ki',
      'hugepages-1Gi': '0',
      'hugepages-2Mi': '0',
      memory: gpu ? '2113413648Ki' : '65021132Ki',
      pods: '110',
      'attachable-volumes-aws-ebs': '39',
      ...(gpu ? { 'nvidia.com/gpu': '8', 'vpc.amazonaws.com/efa': '32' } : {}),
    },
    taints: gpu
      ? [
          { key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' },
          { key: 'fleetdeck.io/dedicated', value: 'training', effect: 'NoSchedule' },
        ]
      : [],
    kubeletVersion: 'v1.30.4-eks-a737599',
    // As the agent sends them: Ready, plus any condition that is wrong.
    conditions:
      index % 50 !== 0
        ? [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', since: '2026-11-20T08:14:03Z' }]
        : [
            { type: 'Ready', status: 'False', reason: 'KubeletNotReady', message: 'container runtime network not ready: NetworkReady=false', since: '2026-11-23T14:02:41Z' },
            { type: 'MemoryPressure', status: 'True', reason: 'KubeletHasInsufficientMemory', message: 'kubelet has insufficient memory available', since: '2026-11-23T14:01:10Z' },
          ],
  };
}

/** A large cluster's state: `nodeCount` realistic nodes and a namespace per 10 of them. */
export function largeClusterState(nodeCount: number): ClusterState {
  return clusterState({
    nodes: Array.from({ length: nodeCount }, (_, i) => realisticNode(i)),
    namespaces: Array.from({ length: Math.max(2, Math.ceil(nodeCount / 10)) }, (_, i) => `team-${i}-workloads`),
  });
}
