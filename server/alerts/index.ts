/**
 * Alerting, as the composition root builds it: the evaluator (which alerts fire and
 * resolve) and the dispatcher (sending their notifications, with retries), sharing one
 * clock. `createControlPlane` makes one and stops it in `close()`; services reach it as
 * `cp.alerts`.
 */
import type { EventBus } from '@/server/events/bus';
import type { Logger } from '@/server/logger';
import type { SecretBox } from '@/server/secrets/secret-box';
import type { Store } from '@/server/store';
import { AlertDispatcher, type AttemptResult } from './dispatcher';
import { AlertEvaluator, type EvaluationResult } from './evaluator';

export type { AttemptResult } from './dispatcher';

export interface AlertEngineOptions {
  store: Store;
  log: Logger;
  bus: EventBus;
  secrets: SecretBox;
  /** Where dashboard links in notifications point (`FLEETDECK_PUBLIC_URL`). */
  publicUrl: string | undefined;
  /** Tests move time themselves. Default: the wall clock. */
  clock?: () => Date;
  /** The evaluation tick; 0 turns it off (tests call `evaluate`). Default one minute. */
  tickMs?: number;
  /** The deadline of one POST. Default 5 s. */
  deliveryTimeoutMs?: number;
}

export interface AlertEngine {
  /** Re-evaluates the given clusters (all when none given) now: after a rule changes, and in tests. */
  evaluate(clusterIds?: readonly number[]): Promise<EvaluationResult>;
  /** Sends every due notification now (tests drive retries with it). */
  sendDue(): Promise<void>;
  /** Sends one test message to a channel and records it in the delivery log. */
  sendTest(channelId: number): Promise<AttemptResult>;
  /** Called when alerts or deliveries change (live views); returns the unsubscribe function. */
  onChange(listener: () => void): () => void;
  stop(): Promise<void>;
}

export function createAlertEngine(options: AlertEngineOptions): AlertEngine {
  const clock = options.clock ?? (() => new Date());
  const listeners = new Set<() => void>();
  const changed = () => {
    for (const listener of listeners) {
      try {
        listener();
      } catch (error) {
        options.log.warn('alert change listener failed', { error: String(error) });
      }
    }
  };
  const dispatcher = new AlertDispatcher({
    store: options.store,
    log: options.log,
    secrets: options.secrets,
    clock,
    publicUrl: options.publicUrl,
    timeoutMs: options.deliveryTimeoutMs,
  });
  dispatcher.onAttempted = changed;
  const evaluator = new AlertEvaluator({
    store: options.store,
    log: options.log,
    clock,
    tickMs: options.tickMs,
    onQueued: () => dispatcher.nudge(),
    onChanged: changed,
  });
  evaluator.start(options.bus);
  dispatcher.start();
  return {
    evaluate: (clusterIds) => evaluator.evaluate(clusterIds),
    sendDue: () => dispatcher.runDue(),
    sendTest: (channelId) => dispatcher.sendTest(channelId),
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async stop() {
      await evaluator.stop();
      await dispatcher.stop();
    },
  };
}
