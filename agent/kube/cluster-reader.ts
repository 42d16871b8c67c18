/**
 * Everything the agent reads from (and the one thing it writes to) the Kubernetes API:
 * list+watch caches for the resources in the cluster state, the server version, and
 * namespace creation for workspaces.
 */
import {
  ApiextensionsV1Api,
  CoreV1Api,
  KubeConfig,
  NetworkingV1Api,
  StorageV1Api,
  VersionApi,
  Watch,
} from '@kubernetes/client-node';
import type { ClusterFacts, ResourceRefusal } from '@/agent/cluster-state';
import type { AgentLogger } from '@/agent/logger';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE, QUOTA_NAME } from '@/lib/workspaces';
import type { KubeIngressClass, KubeNamedObject, KubeNode, KubeResourceQuota, KubeStorageClass } from '@/agent/kube/objects';
import { httpStatusOf, ResourceWatch } from '@/agent/kube/resource-watch';
import { WorkspaceWriter } from '@/agent/kube/workspace-writer';

/** Only the quotas Fleetdeck made (in workspace namespaces) are watched. */
const MANAGED_SELECTOR = `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE}`;

/**
 * Loads credentials: an explicit kubeconfig file; else the pod's service account when
 * running in a cluster; else the usual `~/.kube/config` / `KUBECONFIG` for local runs.
 */
export function loadKubeConfig(kubeconfigPath?: string): KubeConfig {
  const kc = new KubeConfig();
  if (kubeconfigPath) kc.loadFromFile(kubeconfigPath);
  else if (process.env.KUBERNETES_SERVICE_HOST) kc.loadFromCluster();
  else kc.loadFromDefault();
  return kc;
}

export interface ClusterReaderOptions {
  kubeConfig: KubeConfig;
  logger: AgentLogger;
  /** Called after any change in what the reader knows. */
  onChange: () => void;
  refusedRetryMs?: number;
  backoff?: { baseMs?: number; capMs?: number };
}

/** The facts the reader owns (probes and version are gathered by the agent). */
export type KubeFacts = Pick<
  ClusterFacts,
  'nodes' | 'namespaces' | 'storageClasses' | 'ingressClasses' | 'crds' | 'resourceQuotas' | 'refusals'
>;

export class ClusterReader {
  private readonly core: CoreV1Api;
  private readonly versionApi: VersionApi;
  private readonly nodes: ResourceWatch<KubeNode>;
  private readonly namespaces: ResourceWatch<KubeNamedObject>;
  private readonly storageClasses: ResourceWatch<KubeStorageClass>;
  private readonly ingressClasses: ResourceWatch<KubeIngressClass>;
  private readonly crds: ResourceWatch<KubeNamedObject>;
  private readonly resourceQuotas: ResourceWatch<KubeResourceQuota>;
  /** Workspace namespaces and their quotas: `workspace.apply` / `workspace.remove`. */
  readonly workspaces: WorkspaceWriter;
  private readonly all: ReadonlyArray<ResourceWatch<KubeNamedObject>>;

  constructor(options: ClusterReaderOptions) {
    const kc = options.kubeConfig;
    this.core = kc.makeApiClient(CoreV1Api);
    this.versionApi = kc.makeApiClient(VersionApi);
    const storage = kc.makeApiClient(StorageV1Api);
    const networking = kc.makeApiClient(NetworkingV1Api);
    const apiextensions = kc.makeApiClient(ApiextensionsV1Api);
    const watch = new Watch(kc);
    const common = {
      watch,
      logger: options.logger,
      onChange: options.onChange,
      refusedRetryMs: options.refusedRetryMs,
      backoff: options.backoff,
    };
    this.nodes = new ResourceWatch<KubeNode>({
      ...common,
      resource: 'nodes',
      path: '/api/v1/nodes',
      list: () => this.core.listNode(),
    });
    this.namespaces = new ResourceWatch<KubeNamedObject>({
      ...common,
      resource: 'namespaces',
      path: '/api/v1/namespaces',
      list: () => this.core.listNamespace(),
    });
    this.storageClasses = new ResourceWatch<KubeStorageClass>({
      ...common,
      resource: 'storageclasses',
      path: '/apis/storage.k8s.io/v1/storageclasses',
      list: () => storage.listStorageClass(),
    });
    this.ingressClasses = new ResourceWatch<KubeIngressClass>({
      ...common,
      resource: 'ingressclasses',
      path: '/apis/networking.k8s.io/v1/ingressclasses',
      list: () => networking.listIngressClass(),
    });
    this.crds = new ResourceWatch<KubeNamedObject>({
      ...common,
      resource: 'customresourcedefinitions',
      path: '/apis/apiextensions.k8s.io/v1/customresourcedefinitions',
      list: () => apiextensions.listCustomResourceDefinition(),
    });
    this.resourceQuotas = new ResourceWatch<KubeResourceQuota>({
      ...common,
      resource: 'resourcequotas',
      path: '/api/v1/resourcequotas',
      labelSelector: MANAGED_SELECTOR,
      list: () => this.core.listResourceQuotaForAllNamespaces({ labelSelector: MANAGED_SELECTOR }),
    });
    this.workspaces = new WorkspaceWriter(this.core);
    this.all = [this.nodes, this.namespaces, this.storageClasses, this.ingressClasses, this.crds, this.resourceQuotas];
  }

  start(): void {
    for (const w of this.all) w.start();
  }

  async stop(): Promise<void> {
    await Promise.all(this.all.map((w) => w.stop()));
  }

  /**
   * Resolves when every resource has been listed once (or refused, or failed), or after
   * `timeoutMs`: a snapshot should not wait forever on an API server that is down.
   */
  async initialSync(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(this.all.map((w) => w.firstAttempt())),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      }),
    ]);
    clearTimeout(timer);
  }

  facts(): KubeFacts {
    const refusals = this.all.map((w) => w.refusal()).filter((r): r is ResourceRefusal => r !== undefined);
    return {
      nodes: this.nodes.items(),
      namespaces: this.namespaces.items(),
      storageClasses: this.storageClasses.items(),
      ingressClasses: this.ingressClasses.items(),
      crds: this.crds.items(),
      resourceQuotas: this.resourceQuotas.items(),
      refusals,
    };
  }

  /**
   * Resolves once the watches show the workspace namespace `name` as written (present
   * with `labels` and its quota's `hard` keys, or absent), or after `timeoutMs`; at once when
   * namespaces cannot be listed.
   */
  async waitForWorkspace(
    name: string,
    wanted: { labels: Record<string, string>; quota: Record<string, string> | null } | 'absent',
    timeoutMs: number,
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const seen = (): boolean => {
      const namespaces = this.namespaces.items();
      if (!namespaces) return true;
      const found = namespaces.find((ns) => ns.metadata?.name === name);
      if (wanted === 'absent') return !found;
      if (!found || !Object.entries(wanted.labels).every(([k, v]) => found.metadata?.labels?.[k] === v)) return false;
      const quotas = this.resourceQuotas.items();
      if (!quotas) return true;
      const hard = quotas.find((q) => q.metadata?.namespace === name && q.metadata.name === QUOTA_NAME)?.spec?.hard ?? {};
      const want = wanted.quota ?? {};
      // Keys only: the API server normalises quantities (`0.5` is stored as `500m`).
      return Object.keys(hard).sort().join() === Object.keys(want).sort().join();
    };
    while (Date.now() < deadline && !seen()) await new Promise((resolve) => setTimeout(resolve, 10));
  }

  /** `gitVersion`, e.g. `v1.30.4-eks-a737599`; undefined when the API server cannot be reached in time. */
  async kubernetesVersion(timeoutMs: number): Promise<string | undefined> {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        this.versionApi.getCode().then((info) => info.gitVersion),
        new Promise<undefined>((resolve) => {
          timer = setTimeout(() => resolve(undefined), timeoutMs);
        }),
      ]);
    } catch {
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Creates the namespace with `labels` unless it exists. Returns whether it was created. */
  async ensureNamespace(name: string, labels: Record<string, string>): Promise<boolean> {
    try {
      await this.core.readNamespace({ name });
      return false;
    } catch (err) {
      if (httpStatusOf(err) !== 404) throw err;
    }
    try {
      await this.core.createNamespace({ body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } } });
      return true;
    } catch (err) {
      // Someone (a second request, a human) created it between our read and create.
      if (httpStatusOf(err) === 409) return false;
      throw err;
    }
  }
}
