/**
 * One demo cluster on the real path: a simulated Kubernetes API server answering real
 * list/watch JSON, a synthetic Prometheus (synthetic-metrics.ts), and the real agent dialling the real gateway.
 */
import { COMPONENT_SIGNATURES } from '@/agent/components';
import { type AgentHandle, startAgent } from '@/agent/agent';
import { FakeKubeApi } from '@/testing/fake-kube-api';
import { FakePrometheus } from '@/testing/fake-prometheus';
import { buildGpuNode, buildNode, GPU_TAINT, MANAGED_BY_LABEL } from '@/testing/kube-objects';
import { DEMO_FLEET, type DemoCluster } from '@/demo/fleet';
import { SyntheticMetrics } from '@/demo/synthetic-metrics';
import { FlakyLink } from '@/demo/flaky-link';

export interface SimulatedClusterOptions {
  cluster: DemoCluster;
  labelKeys: { nodePool: string; gpuType: string };
  controlPlaneUrl: string;
  token: string;
  /** `host:port` targets for the registry-egress preflight (loopback: the demo runs offline). */
  registryHosts: string[];
  logWrite: (line: string) => void;
  /** How often a flaky cluster's link drops (tests shorten it); default every 15–30 s. */
  flapEveryMs?: { least: number; most: number };
  /**
   * The agent's reconnect tuning. A test that flaps every second or two sets
   * `healthyAfterMs` below that, so the agent redials at once as it does in the demo
   * (where every connection lives past the default 10 s and resets the backoff).
   */
  agentReconnect?: Parameters<typeof startAgent>[0]['reconnect'];
}

/** Fills a simulated API server with the cluster's nodes, namespaces, classes and CRDs. */
export function populateKubeApi(kube: FakeKubeApi, cluster: DemoCluster, labelKeys: SimulatedClusterOptions['labelKeys']): void {
  for (const pool of cluster.pools) {
    for (let i = 0; i < pool.count; i++) {
      const name = `${cluster.name}-${pool.name}-${String(i + 1).padStart(2, '0')}`;
      const ready = i >= (pool.notReady ?? 0);
      if (pool.gpuType && pool.gpusPerNode) {
        const unlabelled = i >= pool.count - (pool.missingGpuTypeLabel ?? 0);
        const node = buildGpuNode({ name, nodePool: pool.name, gpuType: pool.gpuType, gpus: pool.gpusPerNode, labelKeys, ready, kubeletVersion: cluster.kubernetesVersion, taints: [GPU_TAINT] });
        if (unlabelled) delete node.metadata?.labels?.[labelKeys.gpuType];
        kube.addNode(node);
      } else {
        kube.addNode(buildNode({ name, nodePool: pool.name, labelKeys, ready, cpu: pool.cpu, memoryGi: pool.memoryGi, kubeletVersion: cluster.kubernetesVersion }));
      }
    }
  }
  // A component's own namespaces carry its managed-by label too, as its chart would set it.
  const managedNamespaces = new Set(
    cluster.components.filter((c) => c.managedByFleetdeck).flatMap((c) => COMPONENT_SIGNATURES[c.id].namespaces),
  );
  for (const ns of cluster.namespaces) kube.addNamespace(ns, managedNamespaces.has(ns) ? { [MANAGED_BY_LABEL]: 'fleetdeck' } : {});
  for (const sc of cluster.storageClasses) kube.addStorageClass(sc.name, { provisioner: sc.provisioner, isDefault: sc.isDefault ?? false });
  for (const ic of cluster.ingressClasses) kube.addIngressClass(ic.name, { controller: ic.controller, isDefault: ic.isDefault ?? false });
  for (const component of cluster.components) {
    const labels: Record<string, string> = component.managedByFleetdeck ? { [MANAGED_BY_LABEL]: 'fleetdeck' } : {};
    for (const crd of COMPONENT_SIGNATURES[component.id].crds) kube.addCrd(crd, labels);
  }
}

/**
 * How often a flaky cluster's link drops: every 15–30 s, so more than three reconnects
 * fall within the 15-minute flap window one to two minutes after the demo starts, and
 * the cluster shows Degraded, "Unstable connection", with the drops in its history.
 */
const FLAP_EVERY_MS = { least: 15_000, most: 30_000 };

export class SimulatedCluster {
  private agent: AgentHandle | undefined;
  private flapTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  private constructor(
    private readonly options: SimulatedClusterOptions,
    readonly kube: FakeKubeApi,
    private readonly prometheus: FakePrometheus,
    /** Between a flaky cluster's agent and the control plane; absent for the others. */
    private readonly link: FlakyLink | undefined,
  ) {}

  static async start(options: SimulatedClusterOptions): Promise<SimulatedCluster> {
    const kube = await new FakeKubeApi({ kubernetesVersion: options.cluster.kubernetesVersion.replace(/^v?/, 'v') }).start();
    populateKubeApi(kube, options.cluster, options.labelKeys);
    // Answers the catalogs' queries for this cluster's label keys with time-varying values.
    const metrics = new SyntheticMetrics({
      cluster: options.cluster,
      labelKeys: options.labelKeys,
      index: Math.max(0, DEMO_FLEET.findIndex((demo) => demo.name === options.cluster.name)),
    });
    const prometheus = await new FakePrometheus({ answer: (path, params) => metrics.answer(path, params) }).start();
    const link = options.cluster.flaky ? await FlakyLink.open(options.controlPlaneUrl) : undefined;
    const simulated = new SimulatedCluster(options, kube, prometheus, link);
    simulated.startAgent();
    if (link) simulated.scheduleFlap(link);
    return simulated;
  }

  private startAgent(): void {
    this.agent = startAgent({
      controlPlaneUrl: this.link?.url ?? this.options.controlPlaneUrl,
      token: this.options.token,
      kubeConfig: undefined,
      kubeconfigPath: this.kube.kubeconfigFile(),
      prometheusUrl: this.prometheus.url,
      registryHosts: this.options.registryHosts,
      logFields: { cluster: this.options.cluster.name },
      logWrite: this.options.logWrite,
      ...(this.options.agentReconnect ? { reconnect: this.options.agentReconnect } : {}),
    });
  }

  /** Cuts the link every 15–30 s (by default); the agent, still running, redials on its own within a second or two. */
  private scheduleFlap(link: FlakyLink): void {
    const { least, most } = this.options.flapEveryMs ?? FLAP_EVERY_MS;
    this.flapTimer = setTimeout(() => {
      if (this.stopped) return;
      link.cut();
      this.scheduleFlap(link);
    }, least + Math.random() * (most - least));
    this.flapTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.flapTimer);
    await this.agent?.stop();
    await this.link?.close();
    await this.kube.stop();
    await this.prometheus.stop();
  }
}
