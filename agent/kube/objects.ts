/**
 * The parts of Kubernetes objects the agent reads, typed structurally.
 *
 * Lists arrive through client-node's typed API (deserialised models) and watch events
 * arrive as raw JSON; both have these fields under these names, so the pure mapping
 * code accepts either without pretending the raw JSON is a model instance.
 */
export interface KubeMetadata {
  name?: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  resourceVersion?: string;
}

export interface KubeObject {
  metadata?: KubeMetadata;
}

export interface KubeNode extends KubeObject {
  spec?: { taints?: Array<{ key: string; value?: string; effect: string }> };
  status?: {
    capacity?: Record<string, string>;
    allocatable?: Record<string, string>;
    conditions?: KubeNodeCondition[];
    nodeInfo?: { kubeletVersion?: string };
  };
}

/**
 * A node condition. Times are `Date`s in listed (deserialised) objects and ISO strings
 * in raw watch events; `lastHeartbeatTime` is deliberately absent: it moves on every
 * kubelet post, and reading it would turn each post into a delta.
 */
export interface KubeNodeCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: Date | string;
}

export interface KubeStorageClass extends KubeObject {
  provisioner: string;
}

export interface KubeIngressClass extends KubeObject {
  spec?: { controller?: string };
}

/** The ResourceQuota Fleetdeck manages in a workspace namespace. */
export interface KubeResourceQuota extends KubeObject {
  spec?: { hard?: Record<string, string> };
  status?: { hard?: Record<string, string>; used?: Record<string, string> };
}

/** Namespaces and CRDs: only name and labels matter to the agent. */
export type KubeNamedObject = KubeObject;
