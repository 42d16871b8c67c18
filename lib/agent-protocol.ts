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
 *   cp    → ping / agent → pong          (heartbeat; a silent agent is Disconnected)
 *   cp    → request / agent → response   (correlated by id, with a deadline)
 *   either → error         (a malformed or unexpected frame; the connection stays up)
 */
import { z } from 'zod';

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
} as const;

// ── Cluster state ────────────────────────────────────────────────────────────

export const taint = z.object({
  key: z.string(),
  value: z.string().optional(),
  effect: z.string(),
});
export type Taint = z.infer<typeof taint>;

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

export const clusterState = z.object({
  nodes: z.array(nodeState),
  namespaces: z.array(z.string()),
  storageClasses: z.array(storageClassState),
  ingressClasses: z.array(ingressClassState),
  components: z.array(detectedComponent),
  preflight: z.array(preflightResult),
  /** Optional resources the API server refused (403/404), e.g. `ingressclasses: forbidden`. */
  warnings: z.array(z.string()),
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
]);
export type StateChange = z.infer<typeof stateChange>;

// ── Requests the control plane makes of the agent ────────────────────────────

/** Each method's params and result. The agent refuses methods it does not know. */
export const agentMethods = {
  'prometheus.query': {
    params: z.object({ query: z.string().min(1), time: z.number().optional() }),
    /** Prometheus' own `data` object (`resultType` + `result`). */
    result: z.object({ resultType: z.string(), result: z.unknown() }),
  },
  'prometheus.queryRange': {
    params: z.object({
      query: z.string().min(1),
      start: z.number(),
      end: z.number(),
      step: z.number().positive(),
    }),
    result: z.object({ resultType: z.string(), result: z.unknown() }),
  },
  'namespace.ensure': {
    params: z.object({ name: z.string().min(1), labels: z.record(z.string(), z.string()) }),
    result: z.object({ created: z.boolean() }),
  },
} as const;
export type AgentMethod = keyof typeof agentMethods;
export type AgentMethodParams<M extends AgentMethod> = z.infer<(typeof agentMethods)[M]['params']>;
export type AgentMethodResult<M extends AgentMethod> = z.infer<(typeof agentMethods)[M]['result']>;

export const AGENT_METHOD_NAMES = Object.keys(agentMethods) as [AgentMethod, ...AgentMethod[]];

export const requestError = z.object({
  /** `unknown_method`, `bad_params`, `deadline_exceeded`, `upstream_error`, `busy`… */
  code: z.string(),
  message: z.string(),
});

// ── Frames ───────────────────────────────────────────────────────────────────

export const helloFrame = z.object({
  type: z.literal('hello'),
  protocolVersion: z.number().int(),
  agentVersion: z.string(),
  kubernetesVersion: z.string(),
});

export const welcomeFrame = z.object({
  type: z.literal('welcome'),
  protocolVersion: z.number().int(),
  clusterName: z.string(),
  config: z.object({
    nodePoolLabel: z.string(),
    gpuTypeLabel: z.string(),
    prometheusUrl: z.string(),
    heartbeatIntervalMs: z.number().int().positive(),
  }),
});
export type WelcomeFrame = z.infer<typeof welcomeFrame>;

export const snapshotFrame = z.object({ type: z.literal('snapshot'), state: clusterState });
export const deltaFrame = z.object({ type: z.literal('delta'), changes: z.array(stateChange).min(1) });
export const pingFrame = z.object({ type: z.literal('ping'), id: z.number().int() });
export const pongFrame = z.object({ type: z.literal('pong'), id: z.number().int() });
export const requestFrame = z.object({
  type: z.literal('request'),
  id: z.string(),
  method: z.enum(AGENT_METHOD_NAMES),
  params: z.unknown(),
  /** Milliseconds the control plane will wait; the agent abandons the work after it. */
  deadlineMs: z.number().int().positive(),
});
export const responseFrame = z.union([
  z.object({ type: z.literal('response'), id: z.string(), ok: z.literal(true), result: z.unknown() }),
  z.object({ type: z.literal('response'), id: z.string(), ok: z.literal(false), error: requestError }),
]);
export const errorFrame = z.object({ type: z.literal('error'), code: z.string(), message: z.string() });

/** Frames the agent sends. */
export const agentFrame = z.union([helloFrame, snapshotFrame, deltaFrame, pongFrame, responseFrame, errorFrame]);
export type AgentFrame = z.infer<typeof agentFrame>;

/** Frames the control plane sends. */
export const controlPlaneFrame = z.union([welcomeFrame, pingFrame, requestFrame, errorFrame]);
export type ControlPlaneFrame = z.infer<typeof controlPlaneFrame>;

/** Largest frame either side accepts (a 5,000-node snapshot is ~3 MB). */
export const MAX_FRAME_BYTES = 16 * 1024 * 1024;
