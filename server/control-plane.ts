/**
 * The composition root. `createControlPlane(config)` builds every long-lived part once:
 * the logger, the store, the event bus, the sign-in throttle and the agent gateway
 * (with its session registry). The HTTP server, tRPC's context and the gateway's
 * sessions all receive them from here; nothing below reads `process.env` or keeps a
 * process-wide singleton, so a test builds a control plane of its own with the parts
 * it needs.
 */
import { createAlertEngine, type AlertEngine, type AlertEngineOptions } from '@/server/alerts';
import { createAgentGateway, type AgentGateway, type AgentGatewayOptions } from '@/server/agent-gateway';
import { startConnectionUpkeep, type ConnectionUpkeep, type ConnectionUpkeepOptions } from '@/server/services/clusters/connection-upkeep';
import { createSignInThrottle, type SignInThrottle } from '@/server/auth/sign-in-throttle';
import { bootstrap } from '@/server/bootstrap';
import type { ControlPlaneConfig } from '@/server/config';
import { createInProcessBus, type EventBus } from '@/server/events/bus';
import { acquireInstanceLock, type InstanceLock } from '@/server/instance-lock';
import { createLogger, errorMessage, type Logger } from '@/server/logger';
import { createSecretBox, type SecretBox } from '@/server/secrets/secret-box';
import { loadSecretKey } from '@/server/secrets/secret-key';
import { openStore, type Store } from '@/server/store';
import { createStorageConnector, type StorageConnector } from '@/server/storage';
import type { SummaryCatalog } from '@/server/metrics/types';
import { startSummaryUpkeep, type SummaryUpkeep, type SummaryUpkeepOptions } from '@/server/services/metrics/summary-upkeep';
import { metricCatalog } from '@/server/metrics/catalog';
import { stepFor } from '@/server/metrics/step';
import { createMetricCharts, type MetricCharts, type MetricChartsOptions } from '@/server/services/metrics/charts';
import { createWorkspaceReconciler, type WorkspaceReconciler, type WorkspaceReconcilerOptions } from '@/server/workspace-sync';

export interface ControlPlane {
  readonly config: ControlPlaneConfig;
  readonly log: Logger;
  readonly store: Store;
  readonly bus: EventBus;
  readonly signInThrottle: SignInThrottle;
  /** Agent sessions: the WebSocket endpoint for the HTTP server, and calls into clusters for services. */
  readonly gateway: AgentGateway;
  /** Seals and opens stored credentials (notification channel URLs) with the control plane's secret key. */
  readonly secrets: SecretBox;
  /** Alert evaluation and notification delivery (server/alerts). */
  readonly alerts: AlertEngine;
  /** Drivers for storage integrations, their credentials opened with `secrets` (server/storage). */
  readonly storage: StorageConnector;
  /** Connection history upkeep: unstable-connection flags cleared when the window passes, 30-day pruning. */
  readonly connectionUpkeep: ConnectionUpkeep;
  /** Applies workspaces' desired state through the agents (server/workspace-sync). */
  readonly workspaceSync: WorkspaceReconciler;
  /** Metric summary history kept to 24 hours (server/services/metrics/summary-upkeep.ts). */
  readonly summaryUpkeep: SummaryUpkeep;
  /** A cluster's charts pulled through its agent, with per-chart deadlines and a shared short cache (server/services/metrics/charts.ts). */
  readonly metrics: MetricCharts;
  /** Ends agent sessions, writes what is pending, closes the store. */
  close(): Promise<void>;
}

export interface ControlPlaneParts {
  /** Defaults to a JSON-lines logger at `config.logLevel`. */
  log?: Logger;
  /**
   * An already open store (tests); otherwise opened from `config.database` under the
   * database's instance lock. A caller passing a store owns that database alone.
   */
  store?: Store;
  /** The instance lock, when the entry point took it before anything else (server.ts, demo). */
  instanceLock?: InstanceLock;
  /** Gateway timings (tests and benchmarks shorten them). */
  gateway?: Omit<AgentGatewayOptions, 'store' | 'bus' | 'log'>;
  /** The secret key (tests); otherwise `FLEETDECK_SECRET_KEY` or the key file beside the SQLite database. */
  secretKey?: Buffer;
  /** Alerting's clock and timings (tests drive time themselves). */
  alerts?: Pick<AlertEngineOptions, 'clock' | 'tickMs' | 'deliveryTimeoutMs'>;
  /** The connection history upkeep's clock and timings (tests drive time themselves). */
  connectionUpkeep?: Pick<ConnectionUpkeepOptions, 'clock' | 'flapSweepMs' | 'pruneMs'>;
  /** The workspace reconciler's timings (tests and benchmarks). */
  workspaceSync?: Pick<WorkspaceReconcilerOptions, 'sweepMs' | 'maxConcurrentClusters' | 'callsPerCluster' | 'callDeadlineMs'>;
  /** The metric summary set agents poll and push; without one, agents are asked for none. */
  summaryCatalog?: SummaryCatalog;
  /** The summary history upkeep's clock and timing (tests). */
  summaryUpkeep?: Pick<SummaryUpkeepOptions, 'clock' | 'pruneMs'>;
  /** The chart catalog, deadline, cache and clock of the Metrics tab's charts (tests). */
  metrics?: Partial<Pick<MetricChartsOptions, 'catalog' | 'stepFor' | 'deadlineMs' | 'cacheTtlMs' | 'clock'>>;
  /** Skip the first-start admin and environments (router tests create their own users). */
  skipBootstrap?: boolean;
}

export async function createControlPlane(config: ControlPlaneConfig, parts: ControlPlaneParts = {}): Promise<ControlPlane> {
  const log = parts.log ?? createLogger(config.logLevel);
  // First: on PostgreSQL without FLEETDECK_SECRET_KEY this refuses to start (ConfigError).
  const secretKey = parts.secretKey ?? loadSecretKey(config, log);
  // Before the store opens: migrations, bootstrap and the gateway's sweep of sessions left
  // "connected" by a previous run write only in the process that holds the database.
  const instanceLock = parts.store ? parts.instanceLock : (parts.instanceLock ?? (await acquireInstanceLock(config.database)));
  let store: Store;
  try {
    store = parts.store ?? (await openStore(config.database));
  } catch (error) {
    await instanceLock?.release();
    throw error;
  }
  try {
    if (!parts.skipBootstrap) await bootstrap(store, config.bootstrapAdmin, log);
  } catch (error) {
    await store.close();
    await instanceLock?.release();
    throw error;
  }
  const bus = createInProcessBus((error, event) =>
    log.error('event subscriber failed', { event: event.type, error: errorMessage(error) }),
  );
  const gateway = await createAgentGateway({ summaryCatalog: parts.summaryCatalog, ...parts.gateway, store, bus, log });
  const connectionUpkeep = startConnectionUpkeep({ ...parts.connectionUpkeep, store, bus, log });
  const secrets = createSecretBox(secretKey);
  const alerts = createAlertEngine({ ...parts.alerts, store, log, bus, secrets, publicUrl: config.publicUrl });
  const storage = createStorageConnector({ secrets, log: log.child({ component: 'storage' }) });
  const workspaceSync = createWorkspaceReconciler({ ...parts.workspaceSync, store, bus, gateway, log });
  const summaryUpkeep = startSummaryUpkeep({ ...parts.summaryUpkeep, store, log });
  const metrics = createMetricCharts({ catalog: metricCatalog, stepFor, ...parts.metrics, store, gateway, log });

  return {
    config,
    log,
    store,
    bus,
    signInThrottle: createSignInThrottle(),
    gateway,
    secrets,
    alerts,
    storage,
    connectionUpkeep,
    workspaceSync,
    summaryUpkeep,
    metrics,
    async close() {
      // No new passes; those under way end once the gateway has closed their sessions.
      const workspaceSyncStopped = workspaceSync.stop();
      await alerts.stop();
      await connectionUpkeep.stop();
      await summaryUpkeep.stop();
      await gateway.close();
      await workspaceSyncStopped;
      await store.close();
      await instanceLock?.release();
    },
  };
}
