/**
 * The agent protocol: versioned JSON frames over one WebSocket, dialled OUT by the
 * agent to `<control plane>/api/agent/connect` with `Authorization: Bearer <cluster token>`.
 *
 * The control plane owns this schema; the agent imports it. Every frame received on
 * either side is parsed with `agentFrame` / `controlPlaneFrame` before it is used.
 *
 * Conversation:
 *   agent → hello          (versions)
 *   cp    → welcome        (the cluster's config: label keys, Prometheus URL, heartbeat)
 *   agent → snapshot       (the whole state; again after every reconnect)
 *   agent → delta …        (changes from list+watch, preflight re-runs)
 *   agent → summary …      (the summary set's answers, every `config.summary.intervalSeconds`)
 *   cp    → ping / agent → pong          (heartbeat; a silent agent is Disconnected)
 *   cp    → request / agent → response   (correlated by id, with a deadline)
 *   either → error         (a malformed or unexpected frame; the connection stays up)
 *
 * Both frame unions are discriminated on `type` (a response also on `ok`), so each side
 * parses a frame once and switches on it. Close codes say how a session ended: `revoked`
 * is final for the token, `reconnect` asks for a new session at once.
 */
import { z } from 'zod';
import { summaryConfig, summaryQuery } from '@/lib/metrics';

export const PROTOCOL_VERSION = 1;
export const AGENT_CONNECT_PATH = '/api/agent/connect';

/** WebSocket close codes the gateway uses, so the agent can tell why it was closed. */
export const CLOSE_CODES = {
  /** Another connection for the same cluster took over. */
  replaced: 4000,
  /** The token was rotated or the cluster detached: do not reconnect with this token. */
  revoked: 4001,
  /** Protocol version not supported. */
  unsupportedProtocol: 4002,
  /** No heartbeat answer in time. */
  heartbeatTimeout: 4003,
  /** The control plane asks for a fresh session (not fatal): reconnect at once, with the same token. */
  reconnect: 4004,
  /** A frame larger than the protocol allows (the WebSocket standard's code): a snapshot over its limit. */
  messageTooBig: 1009,
  /** The agent broke the session's rules (the WebSocket standard's code): frames far faster than any agent sends. */
  policyViolation: 1008,
} as const;

// ── Cluster state ────────────────────────────────────────────────────────────

export const taint = z.object({
  key: z.string(),
  value: z.string().optional(),
  effect: z.string(),
});
export type Taint = z.infer<typeof taint>;

/** One of a node's status conditions as the kubelet reports it (`Ready`, `MemoryPressure`, …). */
export const nodeCondition = z.object({
  type: z.string(),
  /** `True`, `False` or `Unknown`. */
  status: z.string(),
  reason: z.string().optional(),
  message: z.string().optional(),
  /** ISO-8601 time of the condition's last transition, when the kubelet gave one. */
  since: z.string().optional(),
});
export type NodeCondition = z.infer<typeof nodeCondition>;

export const nodeState = z.object({
  name: z.string().min(1),
  /** Value of the cluster's node-pool label key, or null when the node lacks it. */
  nodePool: z.string().nullable(),
  /** Value of the cluster's GPU-type label key, or null when the node lacks it. */
  gpuType: z.string().nullable(),
  /** `nvidia.com/gpu` allocatable (0 for CPU nodes). */
  gpuCount: z.number().int().nonnegative(),
  /** The `Ready` condition is `True`. */
  ready: z.boolean(),
  capacity: z.record(z.string(), z.string()),
  taints: z.array(taint),
  /** Optional so that agents older than these fields still parse. */
  kubeletVersion: z.string().optional(),
  /** `Ready`, and any other condition while it is not in its healthy state (a pressure that is `True`). */
  conditions: z.array(nodeCondition).optional(),
});
export type NodeState = z.infer<typeof nodeState>;

export const storageClassState = z.object({
  name: z.string(),
  provisioner: z.string(),
  isDefault: z.boolean(),
});
export type StorageClassState = z.infer<typeof storageClassState>;

export const ingressClassState = z.object({
  name: z.string(),
  controller: z.string(),
  isDefault: z.boolean(),
});
export type IngressClassState = z.infer<typeof ingressClassState>;

/**
 * Components the agent detects as already installed. Ids match addon ids in
 * lib/addons/catalog.ts where an addon exists for them.
 */
export const COMPONENT_IDS = [
  'gpu-operator',
  'prometheus',
  'cert-manager',
  'argocd',
  'istio',
  'keda',
  'karpenter',
] as const;
export type ComponentId = (typeof COMPONENT_IDS)[number];

export const detectedComponent = z.object({
  id: z.enum(COMPONENT_IDS),
  /** Carries `app.kubernetes.io/managed-by=fleetdeck`: we installed it. */
  managedByFleetdeck: z.boolean(),
  /** What gave it away, e.g. `CRD clusterpolicies.nvidia.com, namespace gpu-operator`. */
  evidence: z.string(),
});
export type DetectedComponent = z.infer<typeof detectedComponent>;

export const PREFLIGHT_CHECK_IDS = [
  'kubernetes-version',
  'node-pool-labels',
  'gpu-type-labels',
  'default-storage-class',
  'ingress-class',
  'cert-manager',
  'prometheus',
  'registry-egress',
] as const;
export type PreflightCheckId = (typeof PREFLIGHT_CHECK_IDS)[number];

export const preflightResult = z.object({
  id: z.enum(PREFLIGHT_CHECK_IDS),
  status: z.enum(['pass', 'fail', 'unknown']),
  /** One human line: what was found, e.g. `2 GPU nodes lack gpu-type: gpu-7, gpu-9`. */
  detail: z.string(),
});
export type PreflightResult = z.infer<typeof preflightResult>;

/** A ResourceQuota's figures (`status.hard` / `status.used`), as lib/workspaces.ts `QuotaUsage`. */
export const quotaUsage = z.object({
  hard: z.record(z.string(), z.string()),
  used: z.record(z.string(), z.string()),
});

/**
 * A namespace carrying `app.kubernetes.io/managed-by=fleetdeck` (a workspace), with its
 * labels, Fleetdeck's annotations (only those: others can be large) and its managed
 * ResourceQuota's figures, so the control plane sees drift and quota use without asking.
 */
export const managedNamespaceState = z.object({
  name: z.string().min(1),
  labels: z.record(z.string(), z.string()),
  annotations: z.record(z.string(), z.string()),
  quota: quotaUsage.nullable(),
});
export type ManagedNamespaceState = z.infer<typeof managedNamespaceState>;

export const clusterState = z.object({
  nodes: z.array(nodeState),
  namespaces: z.array(z.string()),
  storageClasses: z.array(storageClassState),
  ingressClasses: z.array(ingressClassState),
  components: z.array(detectedComponent),
  preflight: z.array(preflightResult),
  /** Optional resources the API server refused (403/404), e.g. `ingressclasses: forbidden`. */
  warnings: z.array(z.string()),
  /** Optional so that agents older than workspaces still parse. */
  managedNamespaces: z.array(managedNamespaceState).optional(),
});
export type ClusterState = z.infer<typeof clusterState>;

export const stateChange = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('node.upsert'), node: nodeState }),
  z.object({ kind: z.literal('node.delete'), name: z.string() }),
  z.object({ kind: z.literal('namespace.upsert'), name: z.string() }),
  z.object({ kind: z.literal('namespace.delete'), name: z.string() }),
  z.object({ kind: z.literal('storageClasses'), items: z.array(storageClassState) }),
  z.object({ kind: z.literal('ingressClasses'), items: z.array(ingressClassState) }),
  z.object({ kind: z.literal('components'), items: z.array(detectedComponent) }),
  z.object({ kind: z.literal('preflight'), results: z.array(preflightResult) }),
  z.object({ kind: z.literal('warnings'), items: z.array(z.string()) }),
  z.object({ kind: z.literal('managedNamespace.upsert'), namespace: managedNamespaceState }),
  z.object({ kind: z.literal('managedNamespace.delete'), name: z.string() }),
]);
export type StateChange = z.infer<typeof stateChange>;

// ── Prometheus results ───────────────────────────────────────────────────────

/** `[<unix seconds, fractional>, "<value>"]`: Prometheus sends values as strings ("NaN", "+Inf" included). */
export const prometheusSample = z.tuple([z.number(), z.string()]);
const prometheusLabels = z.record(z.string(), z.string());

export const prometheusVector = z.object({
  resultType: z.literal('vector'),
  result: z.array(z.object({ metric: prometheusLabels, value: prometheusSample })),
});
export const prometheusMatrix = z.object({
  resultType: z.literal('matrix'),
  result: z.array(z.object({ metric: prometheusLabels, values: z.array(prometheusSample) })),
});
export const prometheusScalar = z.object({ resultType: z.literal('scalar'), result: prometheusSample });
export const prometheusString = z.object({ resultType: z.literal('string'), result: prometheusSample });

/** Prometheus' HTTP API `data` object, by `resultType` (https://prometheus.io/docs/prometheus/latest/querying/api/). */
export const prometheusData = z.discriminatedUnion('resultType', [
  prometheusVector,
  prometheusMatrix,
  prometheusScalar,
  prometheusString,
]);
export type PrometheusData = z.infer<typeof prometheusData>;
export type PrometheusVector = z.infer<typeof prometheusVector>;
export type PrometheusMatrix = z.infer<typeof prometheusMatrix>;

// ── Requests the control plane makes of the agent ────────────────────────────

/** What the control plane configures in the agent: in `welcome`, and again with `agent.configure`. */
export const agentClusterConfig = z.object({
  nodePoolLabel: z.string(),
  gpuTypeLabel: z.string(),
  prometheusUrl: z.string(),
  /**
   * The metric summary set the agent polls and pushes (lib/metrics.ts). Optional so
   * that older control planes (which send none: the agent polls nothing) and older
   * agents (which ignore it) interoperate.
   */
  summary: summaryConfig.optional(),
});
export type AgentClusterConfig = z.infer<typeof agentClusterConfig>;


/** Each method's params and result. The agent answers methods it does not know with `unknown_method`. */
export const agentMethods = {
  'prometheus.query': {
    params: z.object({ query: z.string().min(1), time: z.number().optional() }),
    result: prometheusData,
  },
  'prometheus.queryRange': {
    params: z.object({
      query: z.string().min(1),
      start: z.number(),
      end: z.number(),
      step: z.number().positive(),
    }),
    // A range query always answers a matrix.
    result: prometheusMatrix,
  },
  /** A plain create-if-absent, kept for tools and tests; workspaces use `workspace.apply`. */
  'namespace.ensure': {
    params: z.object({ name: z.string().min(1), labels: z.record(z.string(), z.string()) }),
    result: z.object({ created: z.boolean() }),
  },
  /**
   * Makes a workspace's namespace what the control plane says: the namespace with these
   * labels (the agent adds `app.kubernetes.io/managed-by=fleetdeck` itself) and
   * annotations, and the ResourceQuota `fleetdeck-quota` with `quota` as its `spec.hard`
   * (deleted when null). The agent writes only namespaces carrying the managed-by label:
   * an existing namespace without it is answered `foreign`, with a message, and left as
   * it is. `generation` is echoed in logs; the control plane matches answers to it.
   */
  'workspace.apply': {
    params: z.object({
      name: z.string().min(1).max(63),
      labels: z.record(z.string(), z.string()),
      annotations: z.record(z.string(), z.string()),
      quota: z.record(z.string(), z.string()).nullable(),
      generation: z.number().int().nonnegative(),
    }),
    result: z.object({ outcome: z.enum(['applied', 'foreign']), message: z.string().optional() }),
  },
  /** Deletes a workspace's namespace, only if Fleetdeck manages it. */
  'workspace.remove': {
    params: z.object({ name: z.string().min(1).max(63) }),
    result: z.object({ outcome: z.enum(['removed', 'absent', 'foreign']), message: z.string().optional() }),
  },
  /**
   * The cluster's settings changed after attach: the agent takes the new config (as
   * `welcome` carries it), re-derives its state and sends a fresh `snapshot` before it
   * answers, so the control plane stores nodes under the new label keys without a
   * reconnect. An agent older than this method answers `unknown_method`; the control
   * plane then closes with `reconnect` and the next `welcome` carries the config.
   */
  'agent.configure': {
    params: agentClusterConfig,
    result: z.object({ nodes: z.number().int().nonnegative() }),
  },
} as const;
export type AgentMethod = keyof typeof agentMethods;
export type AgentMethodParams<M extends AgentMethod> = z.infer<(typeof agentMethods)[M]['params']>;
export type AgentMethodResult<M extends AgentMethod> = z.infer<(typeof agentMethods)[M]['result']>;

export const AGENT_METHOD_NAMES = Object.keys(agentMethods) as [AgentMethod, ...AgentMethod[]];

export function isAgentMethod(name: string): name is AgentMethod {
  return Object.hasOwn(agentMethods, name);
}

/** Why the agent could not answer a request. */
export const REQUEST_ERROR_CODES = [
  /** The agent does not serve this method (an older agent, or a typo). */
  'unknown_method',
  /** The params do not match the method's schema, or name something invalid. */
  'bad_params',
  /** The agent gave up at its deadline ({@link agentDeadlineMs}). */
  'deadline_exceeded',
  /** Too many requests in flight on this agent. */
  'busy',
  /** The agent cannot serve it yet, e.g. no Prometheus URL configured. */
  'unavailable',
  /** Prometheus or the Kubernetes API failed or answered something unexpected. */
  'upstream_error',
  /** A bug in the agent. */
  'internal_error',
] as const;
export type RequestErrorCode = (typeof REQUEST_ERROR_CODES)[number];

export const requestError = z.object({ code: z.enum(REQUEST_ERROR_CODES), message: z.string() });
export type RequestErrorBody = z.infer<typeof requestError>;

/** How much sooner than the control plane the agent gives up, so its answer travels back in time. */
export const AGENT_DEADLINE_MARGIN_MS = 250;

/**
 * The deadline the agent works to for a request the control plane will wait `deadlineMs`
 * for: shorter by the margin or 10 %, whichever is more, but never less than half, so
 * its own `deadline_exceeded` (which says what it was doing) arrives before the control
 * plane stops waiting.
 */
export function agentDeadlineMs(deadlineMs: number): number {
  const shortened = Math.min(deadlineMs - AGENT_DEADLINE_MARGIN_MS, Math.floor(deadlineMs * 0.9));
  return Math.max(1, Math.floor(deadlineMs / 2), shortened);
}

// ── Frames ───────────────────────────────────────────────────────────────────

/** Codes of `error` frames: the frame was malformed, or not expected at this point. */
export const FRAME_ERROR_CODES = [
  'bad_frame',
  'unexpected_frame',
  'hello_required',
  /** Larger than its type's limit in {@link FRAME_LIMITS}; not processed. */
  'frame_too_large',
  /** Frames arrive faster than a session may send them; the connection is closed next. */
  'too_many_frames',
] as const;
export type FrameErrorCode = (typeof FRAME_ERROR_CODES)[number];

export const helloFrame = z.object({
  type: z.literal('hello'),
  protocolVersion: z.number().int(),
  agentVersion: z.string(),
  kubernetesVersion: z.string(),
});
export type HelloFrame = z.infer<typeof helloFrame>;

export const welcomeFrame = z.object({
  type: z.literal('welcome'),
  protocolVersion: z.number().int(),
  clusterName: z.string(),
  config: agentClusterConfig.extend({ heartbeatIntervalMs: z.number().int().positive() }),
});
export type WelcomeFrame = z.infer<typeof welcomeFrame>;

export const snapshotFrame = z.object({ type: z.literal('snapshot'), state: clusterState });
export const deltaFrame = z.object({ type: z.literal('delta'), changes: z.array(stateChange).min(1) });
export type DeltaFrame = z.infer<typeof deltaFrame>;
/** Most queries a summary may answer: the summary set's own bound (`summaryConfig.queries`, lib/metrics.ts). */
export const MAX_SUMMARY_RESULTS = 32;
/** A failed query's reason, as the agent words it (`Prometheus unreachable: …`). */
export const summaryQueryError = z.object({ error: z.string().min(1).max(2_000) });
/**
 * The summary set's answers from one poll: each query's instant vector, or why it
 * failed. `collectedAt` is the agent's clock (unix seconds) when the poll started.
 */
export const summaryFrame = z.object({
  type: z.literal('summary'),
  collectedAt: z.number().finite().nonnegative(),
  results: z
    .record(summaryQuery.shape.id, z.union([prometheusVector, summaryQueryError]))
    .refine((results) => Object.keys(results).length <= MAX_SUMMARY_RESULTS, {
      message: `A summary answers at most ${MAX_SUMMARY_RESULTS} queries`,
    }),
});
export type SummaryFrame = z.infer<typeof summaryFrame>;
export const pingFrame = z.object({ type: z.literal('ping'), id: z.number().int() });
export const pongFrame = z.object({ type: z.literal('pong'), id: z.number().int() });

export const requestFrame = z.object({
  type: z.literal('request'),
  id: z.string().min(1),
  // Any name parses, so a method this agent does not serve is answered `unknown_method`
  // instead of being dropped as a bad frame and left to time out.
  method: z.string(),
  params: z.unknown(),
  /** Milliseconds the control plane will wait; the agent works to {@link agentDeadlineMs} of it. */
  deadlineMs: z.number().int().positive(),
});
export type RequestFrame = z.infer<typeof requestFrame>;

export const responseFrame = z.discriminatedUnion('ok', [
  z.object({ type: z.literal('response'), id: z.string(), ok: z.literal(true), result: z.unknown() }),
  z.object({ type: z.literal('response'), id: z.string(), ok: z.literal(false), error: requestError }),
]);
export type ResponseFrame = z.infer<typeof responseFrame>;

export const errorFrame = z.object({ type: z.literal('error'), code: z.enum(FRAME_ERROR_CODES), message: z.string() });
export type ErrorFrame = z.infer<typeof errorFrame>;

/** Frames the agent sends. */
export const agentFrame = z.discriminatedUnion('type', [
  helloFrame,
  snapshotFrame,
  deltaFrame,
  summaryFrame,
  pongFrame,
  responseFrame,
  errorFrame,
]);
export type AgentFrame = z.infer<typeof agentFrame>;

/** Frames the control plane sends. */
export const controlPlaneFrame = z.discriminatedUnion('type', [welcomeFrame, pingFrame, requestFrame, errorFrame]);
export type ControlPlaneFrame = z.infer<typeof controlPlaneFrame>;

/**
 * One line saying why a frame failed `agentFrame` / `controlPlaneFrame`, for the `error`
 * frame sent back: `unknown frame type "x"`, or the first few fields that are wrong.
 */
export function describeFrameError(raw: unknown, error: z.ZodError): string {
  const first = error.issues[0];
  if (first?.code === 'invalid_union' && first.path.length === 1 && first.path[0] === 'type') {
    const type = typeof raw === 'object' && raw !== null && 'type' in raw ? raw.type : undefined;
    return typeof type === 'string' ? `unknown frame type "${type.slice(0, 40)}"` : 'it has no "type"';
  }
  const shown = error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(frame)'}: ${issue.message}`);
  const more = error.issues.length > 3 ? ` (+${error.issues.length - 3} more)` : '';
  return shown.join('; ') + more;
}

// ── Frame sizes ──────────────────────────────────────────────────────────────

const KiB = 1024;
const MiB = 1024 * KiB;

/** Largest WebSocket message either side accepts at all: the socket is closed (1009) past it. */
export const MAX_FRAME_BYTES = 16 * MiB;

/**
 * Largest frame the control plane accepts, per type. A 5,000-node snapshot of realistic
 * nodes (full kubelet capacity maps, GPU taints, kubelet version, the Ready condition and
 * any condition that is wrong) is 2.8 MiB; 15,000 such nodes, three times Kubernetes'
 * own limit per cluster, are 8.3 MiB, so 12 MiB leaves room above that. A delta is a snapshot's worth at most but usually a few nodes; one
 * too large is refused and the agent asked to reconnect, which sends a snapshot instead.
 * Prometheus answers can be large; everything else is small.
 */
export const FRAME_LIMITS = {
  snapshot: 12 * MiB,
  delta: 1 * MiB,
  /** A summary set answers per GPU model and node pool, not per GPU: kilobytes on a large cluster. */
  summary: 1 * MiB,
  response: 4 * MiB,
  hello: 64 * KiB,
  pong: 64 * KiB,
  error: 64 * KiB,
} as const satisfies Record<AgentFrame['type'], number>;

/** Frames of no known type are held to the smallest limit. */
export const SMALL_FRAME_BYTES = Math.min(...Object.values(FRAME_LIMITS));

/**
 * A frame larger than {@link SMALL_FRAME_BYTES} must name its type first
 * (`{"type":"snapshot",…`, as `JSON.stringify` of every frame object here writes it),
 * so its limit is known before the whole frame is parsed. Returns the type named
 * there, or null.
 */
export function leadingFrameType(text: string): string | null {
  const match = /^\s*\{\s*"type"\s*:\s*"([a-z]{1,16})"/.exec(text.slice(0, 64));
  return match?.[1] ?? null;
}
