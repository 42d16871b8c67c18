/**
 * The composition root. `createControlPlane(config)` builds every long-lived part once:
 * the logger, the store, the event bus, the sign-in throttle and the agent gateway
 * (with its session registry). The HTTP server, tRPC's context and the gateway's
 * sessions all receive them from here; nothing below reads `process.env` or keeps a
 * process-wide singleton, so a test builds a control plane of its own with the parts
 * it needs.
 */
import { createAgentGateway, type AgentGateway, type AgentGatewayOptions } from '@/server/agent-gateway';
import { createSignInThrottle, type SignInThrottle } from '@/server/auth/sign-in-throttle';
import { bootstrap } from '@/server/bootstrap';
import type { ControlPlaneConfig } from '@/server/config';
import { createInProcessBus, type EventBus } from '@/server/events/bus';
import { createLogger, errorMessage, type Logger } from '@/server/logger';
import { openStore, type Store } from '@/server/store';

export interface ControlPlane {
  readonly config: ControlPlaneConfig;
  readonly log: Logger;
  readonly store: Store;
  readonly bus: EventBus;
  readonly signInThrottle: SignInThrottle;
  /** Agent sessions: the WebSocket endpoint for the HTTP server, and calls into clusters for services. */
  readonly gateway: AgentGateway;
  /** Ends agent sessions, writes what is pending, closes the store. */
  close(): Promise<void>;
}

export interface ControlPlaneParts {
  /** Defaults to a JSON-lines logger at `config.logLevel`. */
  log?: Logger;
  /** An already open store (tests); otherwise opened from `config.database`. */
  store?: Store;
  /** Gateway timings (tests and benchmarks shorten them). */
  gateway?: Omit<AgentGatewayOptions, 'store' | 'bus' | 'log'>;
  /** Skip the first-start admin and environments (router tests create their own users). */
  skipBootstrap?: boolean;
}

export async function createControlPlane(config: ControlPlaneConfig, parts: ControlPlaneParts = {}): Promise<ControlPlane> {
  const log = parts.log ?? createLogger(config.logLevel);
  const store = parts.store ?? (await openStore(config.database));
  try {
    if (!parts.skipBootstrap) await bootstrap(store, config.bootstrapAdmin, log);
  } catch (error) {
    await store.close();
    throw error;
  }
  const bus = createInProcessBus((error, event) =>
    log.error('event subscriber failed', { event: event.type, error: errorMessage(error) }),
  );
  const gateway = await createAgentGateway({ ...parts.gateway, store, bus, log });

  return {
    config,
    log,
    store,
    bus,
    signInThrottle: createSignInThrottle(),
    gateway,
    async close() {
      await gateway.close();
      await store.close();
    },
  };
}
