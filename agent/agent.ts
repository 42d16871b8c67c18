/**
 * The Fleetdeck agent: reads its cluster through the Kubernetes API and keeps one
 * outbound WebSocket to the control plane, reconnecting with capped, jittered backoff
 * (at once when the control plane closes with `reconnect`) until it is stopped or the
 * control plane rejects its token (`revoked`).
 *
 * `startAgent` is what the CLI (`agent/main.ts`), the tests, the e2e suite and the demo
 * fleet all run, so many agents can share one process.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { CLOSE_CODES, type AgentClusterConfig, type ClusterState, type WelcomeFrame } from '@/lib/agent-protocol';
import { Backoff, sleep } from '@/agent/backoff';
import { buildClusterState, type ClusterConfig } from '@/agent/cluster-state';
import { ClusterReader, loadKubeConfig } from '@/agent/kube/cluster-reader';
import { createAgentLogger, type AgentLogger, type LogLevel } from '@/agent/logger';
import { DEFAULT_REGISTRY_HOSTS, type ProbeOutcome, type RegistryProbeOutcome } from '@/agent/preflight';
import { probePrometheus, probeRegistries } from '@/agent/probes';
import { createAgentHandlers, RequestDispatcher } from '@/agent/requests';
import { AgentSession, agentConnectUrl, type SessionEnd } from '@/agent/session';
import { SummaryPoller } from '@/agent/summary-poller';
import { AGENT_VERSION } from '@/lib/agent-version';

export { AGENT_VERSION };

export interface AgentOptions {
  /** Base URL of the control plane, `https://fleetdeck.example.com` (http, https, ws or wss). */
  controlPlaneUrl: string;
  /** The cluster token. Never logged. */
  token: string;
  /** A loaded kubeconfig; wins over `kubeconfigPath`. */
  kubeConfig?: KubeConfig;
  /** Kubeconfig file; without either, the in-cluster service account (or `~/.kube/config`). */
  kubeconfigPath?: string;
  /** Overrides the Prometheus URL the control plane configures (e.g. a port-forward when run locally). */
  prometheusUrl?: string;
  /** `host:port` targets for the registry-egress check; default the public registries on :443. */
  registryHosts?: readonly string[];
  /** Where log lines go (default stdout/stderr); the token is scrubbed from every line. */
  logWrite?: (line: string, level: LogLevel) => void;
  logLevel?: LogLevel;
  /** Fields on every log line, e.g. `{ cluster: 'gpu-west' }` when many agents share a process. */
  logFields?: Record<string, unknown>;
  /** Reported in `hello`; default {@link AGENT_VERSION}. */
  agentVersion?: string;
  reconnect?: {
    /** Default 500 ms. */
    baseMs?: number;
    /** Default 30 s. */
    capMs?: number;
    /** A connection welcomed and up this long resets the backoff; default 10 s. */
    healthyAfterMs?: number;
  };
  /** Coalescing window for delta frames; default 100 ms. */
  deltaCoalesceMs?: number;
  /** Requests served at once before answering `busy`; default 16. */
  maxRequestsInFlight?: number;
  /** How often network preflight probes and the version re-run; default 5 min. */
  preflightIntervalMs?: number;
  /** Timeout of each preflight probe; default 2 s. */
  probeTimeoutMs?: number;
  /** Deadline of each metric summary query; default a third of the summary interval, at most 10 s. */
  summaryQueryTimeoutMs?: number;
  /** Kubernetes API retry tuning (refused resources are asked again after `refusedRetryMs`, default 60 s). */
  kube?: { refusedRetryMs?: number; backoff?: { baseMs?: number; capMs?: number } };
}

/** Why the agent stopped. `ok: false` means it gave up on purpose and should not be restarted as is. */
export type AgentExit =
  | { ok: true }
  | { ok: false; reason: 'token_rejected' | 'protocol_unsupported'; message: string };

export interface AgentHandle {
  /** Resolves when the agent stops: after `stop()`, or by itself on a rejected token. */
  readonly done: Promise<AgentExit>;
  /** Closes the connection and the watches; resolves when everything is released. */
  stop(): Promise<void>;
  /** Welcomed by the control plane with the snapshot sent, right now. */
  readonly connected: boolean;
}

const TOKEN_REJECTED_HINT =
  'the control plane rejected the cluster token (it is wrong, rotated, or the cluster was detached); ' +
  'not retrying. Create a new token on the cluster page and update the agent Secret.';

class Agent {
  private readonly log: AgentLogger;
  private readonly stopController = new AbortController();
  private readonly reader: ClusterReader;
  private readonly dispatcher: RequestDispatcher;
  private readonly backoff: Backoff;
  private readonly summaries: SummaryPoller;
  private session: AgentSession | undefined;
  private config: ClusterConfig | undefined;
  private kubernetesVersion: string | undefined;
  private prometheus: ProbeOutcome | undefined;
  private registries: RegistryProbeOutcome[] | undefined;
  private probedPrometheusUrl: string | undefined;
  private probing: Promise<void> | undefined;
  private probeTimer: NodeJS.Timeout | undefined;
  private readonly url: string;
  /** Resolves on `stop()`, to cut waits short. */
  private readonly whenStopped: Promise<undefined>;
  readonly done: Promise<AgentExit>;

  constructor(private readonly options: AgentOptions) {
    // A bad URL is a configuration error: throw before starting anything.
    this.url = agentConnectUrl(options.controlPlaneUrl);
    this.whenStopped = new Promise((resolve) =>
      this.stopController.signal.addEventListener('abort', () => resolve(undefined), { once: true }),
    );
    this.log = createAgentLogger({
      write: options.logWrite,
      level: options.logLevel,
      secrets: [options.token],
      fields: { component: 'fleetdeck-agent', ...options.logFields },
    });
    this.backoff = new Backoff({ baseMs: options.reconnect?.baseMs, capMs: options.reconnect?.capMs });
    this.reader = new ClusterReader({
      kubeConfig: options.kubeConfig ?? loadKubeConfig(options.kubeconfigPath),
      logger: this.log.child({ part: 'kube' }),
      onChange: () => this.session?.notifyChanged(),
      refusedRetryMs: options.kube?.refusedRetryMs,
      backoff: options.kube?.backoff,
    });
    this.dispatcher = new RequestDispatcher({
      logger: this.log.child({ part: 'requests' }),
      maxInFlight: options.maxRequestsInFlight,
      handlers: createAgentHandlers({
        prometheusUrl: () => this.options.prometheusUrl ?? this.config?.prometheusUrl,
        ensureNamespace: (name, labels) => this.reader.ensureNamespace(name, labels),
        applyWorkspace: async (params) => {
          const result = await this.reader.workspaces.apply(params);
          if (result.outcome === 'applied') await this.reportWorkspaceWrite(params.name, { labels: params.labels, quota: params.quota });
          return result;
        },
        removeWorkspace: async (name) => {
          const result = await this.reader.workspaces.remove(name);
          if (result.outcome === 'removed') await this.reportWorkspaceWrite(name, 'absent');
          return result;
        },
        configure: (config) => this.applyConfig(config),
      }),
    });
    this.summaries = new SummaryPoller({
      prometheusUrl: () => this.config?.prometheusUrl,
      send: (frame) => this.session?.sendSummary(frame) ?? false,
      logger: this.log.child({ part: 'summary' }),
      queryTimeoutMs: options.summaryQueryTimeoutMs,
    });
    this.done = this.run();
  }

  get connected(): boolean {
    return this.session?.established ?? false;
  }

  async stop(): Promise<void> {
    this.stopController.abort();
    this.session?.close();
    await this.done;
  }

  private get stopped(): boolean {
    return this.stopController.signal.aborted;
  }

  private async run(): Promise<AgentExit> {
    const url = this.url;
    this.log.info('agent starting', { controlPlane: url, agentVersion: this.agentVersion });
    this.reader.start();
    this.probeTimer = setInterval(() => void this.refreshProbes(true), this.options.preflightIntervalMs ?? 300_000);
    try {
      while (!this.stopped) {
        const end = await this.connectOnce(url);
        if (this.stopped) break;
        const fatal = this.fatalExit(end);
        if (fatal) {
          this.log.error(fatal.message, { httpStatus: end.httpStatus, closeCode: end.closeCode });
          return fatal;
        }
        if (end.welcomed && end.welcomedForMs >= (this.options.reconnect?.healthyAfterMs ?? 10_000)) {
          this.backoff.reset();
        }
        const { delayMs, why, level } = this.nextDial(end);
        this.log[level](why, {
          httpStatus: end.httpStatus,
          closeCode: end.closeCode,
          closeReason: end.closeReason || undefined,
          detail: end.dialError,
          reconnectInMs: delayMs,
        });
        await sleep(delayMs, this.stopController.signal);
      }
      this.log.info('agent stopped');
      return { ok: true };
    } finally {
      clearInterval(this.probeTimer);
      await this.reader.stop();
    }
  }

  private get agentVersion(): string {
    return this.options.agentVersion ?? AGENT_VERSION;
  }

  /** When to dial again after a session that was not fatal, and what to log about it. */
  private nextDial(end: SessionEnd): { delayMs: number; why: string; level: 'info' | 'warn' } {
    switch (end.closeCode) {
      // Asked for on purpose (e.g. the control plane moved the session): no penalty.
      case CLOSE_CODES.reconnect:
        return { delayMs: 0, why: 'the control plane asked for a new session; reconnecting now', level: 'info' };
      // Two agents sharing a token would otherwise take the session from each other in a tight loop.
      case CLOSE_CODES.replaced:
        return {
          delayMs: this.options.reconnect?.capMs ?? 30_000,
          why: "another agent took over this cluster's session",
          level: 'warn',
        };
      default:
        return { delayMs: this.backoff.next(), why: 'disconnected from the control plane', level: 'warn' };
    }
  }

  private fatalExit(end: SessionEnd): Extract<AgentExit, { ok: false }> | undefined {
    if (end.httpStatus === 401 || end.httpStatus === 403 || end.closeCode === CLOSE_CODES.revoked) {
      return { ok: false, reason: 'token_rejected', message: TOKEN_REJECTED_HINT };
    }
    if (end.closeCode === CLOSE_CODES.unsupportedProtocol) {
      return {
        ok: false,
        reason: 'protocol_unsupported',
        message: `the control plane does not support this agent's protocol (agent ${this.agentVersion}); upgrade the agent`,
      };
    }
    return undefined;
  }

  private async connectOnce(url: string): Promise<SessionEnd> {
    const version = await Promise.race([this.reader.kubernetesVersion(5000), this.whenStopped]);
    if (version) this.kubernetesVersion = version;
    if (this.stopped) return { welcomed: false, welcomedForMs: 0 };
    const session = new AgentSession({
      url,
      token: this.options.token,
      agentVersion: this.agentVersion,
      kubernetesVersion: this.kubernetesVersion,
      logger: this.log.child({ part: 'session' }),
      dispatcher: this.dispatcher,
      coalesceMs: this.options.deltaCoalesceMs,
      onWelcome: (welcome) => this.applyWelcome(welcome),
      ready: () => this.reader.initialSync(10_000),
      currentState: () => this.currentState(),
    });
    this.session = session;
    try {
      return await session.run();
    } finally {
      // Summaries are pushed only while a session is up; the next welcome starts them again.
      this.summaries.stop();
      if (this.session === session) this.session = undefined;
    }
  }

  /**
   * After writing a workspace namespace: once the watch has seen the write, the delta
   * goes out before the answer. Otherwise a namespace deleted by hand within the
   * coalescing window would never have been reported, and its deletion never noticed.
   */
  private async reportWorkspaceWrite(
    name: string,
    wanted: { labels: Record<string, string>; quota: Record<string, string> | null } | 'absent',
  ): Promise<void> {
    await this.reader.waitForWorkspace(name, wanted, 2_000);
    this.session?.sendChangesNow();
  }

  private applyWelcome(welcome: WelcomeFrame): void {
    this.setConfig(welcome.config);
    this.summaries.start();
    // Probes answer in ≤ probeTimeoutMs; the snapshot goes out without waiting and a
    // preflight delta follows, so the attach page shows progress at once.
    void this.refreshProbes(false);
  }

  /**
   * `agent.configure`: settings changed on the control plane. Nodes are re-read under the
   * new label keys and the whole state goes out as a snapshot before the answer, so the
   * control plane has them when its call returns; a new Prometheus URL is probed after.
   */
  private applyConfig(config: AgentClusterConfig): number {
    this.setConfig(config);
    const sent = this.session?.resendSnapshot();
    void this.refreshProbes(false);
    this.log.info('cluster settings applied', {
      nodePoolLabel: config.nodePoolLabel,
      gpuTypeLabel: config.gpuTypeLabel,
    });
    return sent?.nodes.length ?? 0;
  }

  private setConfig(config: AgentClusterConfig): void {
    const prometheusUrl = this.options.prometheusUrl ?? config.prometheusUrl;
    // The last probe was of another Prometheus: "not checked yet" until the new one answers.
    if (this.config && this.config.prometheusUrl !== prometheusUrl) this.prometheus = undefined;
    this.config = { nodePoolLabel: config.nodePoolLabel, gpuTypeLabel: config.gpuTypeLabel, prometheusUrl };
    this.summaries.configure(config.summary);
  }

  /** Runs the network probes; `force` re-runs them even if the Prometheus URL has not changed. */
  private refreshProbes(force: boolean): Promise<void> {
    const prometheusUrl = this.config?.prometheusUrl;
    if (this.probing) return this.probing;
    if (!force && this.registries !== undefined && prometheusUrl === this.probedPrometheusUrl) return Promise.resolve();
    const timeoutMs = this.options.probeTimeoutMs ?? 2000;
    this.probing = (async () => {
      const [prometheus, registries, version] = await Promise.all([
        prometheusUrl ? probePrometheus(prometheusUrl, timeoutMs) : Promise.resolve(undefined),
        probeRegistries(this.options.registryHosts ?? DEFAULT_REGISTRY_HOSTS, timeoutMs),
        force ? this.reader.kubernetesVersion(timeoutMs) : Promise.resolve(undefined),
      ]);
      this.prometheus = prometheus;
      this.probedPrometheusUrl = prometheusUrl;
      this.registries = registries;
      if (version) this.kubernetesVersion = version;
      const failed = registries.filter((r) => !r.ok).map((r) => r.target);
      this.log.info('preflight probes done', {
        prometheus: prometheus?.ok ?? 'not configured',
        registriesUnreachable: failed,
      });
      this.session?.notifyChanged();
    })().finally(() => {
      this.probing = undefined;
    });
    return this.probing;
  }

  private currentState(): ClusterState {
    const config = this.config;
    if (!config) throw new Error('cluster state requested before welcome');
    return buildClusterState(
      {
        ...this.reader.facts(),
        kubernetesVersion: this.kubernetesVersion,
        prometheus: this.prometheus,
        registries: this.registries,
      },
      config,
    );
  }
}

/** Starts an agent; it runs until `stop()` or until the control plane rejects its token. */
export function startAgent(options: AgentOptions): AgentHandle {
  const agent = new Agent(options);
  return {
    done: agent.done,
    stop: () => agent.stop(),
    get connected() {
      return agent.connected;
    },
  };
}
