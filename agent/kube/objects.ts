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
    conditions?: Array<{ type: string; status: string }>;
  };
}

export interface KubeStorageClass extends KubeObject {
  provisioner: string;
}

export interface KubeIngressClass extends KubeObject {
  spec?: { controller?: string };
}

/** Namespaces and CRDs: only name and labels matter to the agent. */
export type KubeNamedObject = KubeObject;
