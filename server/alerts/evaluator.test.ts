/**
 * The evaluator under a storm of change events: requests merge into a few evaluations
 * instead of one each (or a queue of waiters re-chaining on every run, which stalled the
 * event loop for seconds in bench:gateway's reconnect storm on PostgreSQL).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '@/server/logger';
import type { Store } from '@/server/store';
import { openTestStore } from '@/testing/test-store';
import { AlertEvaluator } from './evaluator';

describe('alert evaluator batching', () => {
  let store: Store;
  let evaluator: AlertEvaluator;
  let passes: number;
  /** Calls of `evaluate`, the test's own and any the evaluator makes of itself. */
  let evaluateCalls: number;

  beforeEach(async () => {
    store = await openTestStore();
    evaluator = new AlertEvaluator({ store, log: createLogger('error'), clock: () => new Date(), onQueued: () => undefined, tickMs: 0, coalesceMs: 5 });
    passes = 0;
    evaluateCalls = 0;
    const evaluate = evaluator.evaluate.bind(evaluator);
    vi.spyOn(evaluator, 'evaluate').mockImplementation((ids) => {
      evaluateCalls++;
      return evaluate(ids);
    });
    const original = (evaluator as unknown as { evaluateOnce: (scope: unknown) => Promise<unknown> }).evaluateOnce.bind(evaluator);
    vi.spyOn(evaluator as unknown as { evaluateOnce: (scope: unknown) => Promise<unknown> }, 'evaluateOnce').mockImplementation(async (scope) => {
      passes++;
      return original(scope);
    });
  });
  afterEach(async () => {
    await evaluator.stop();
    await store.close();
  });

  it('when 2,000 clusters change one by one, then a few evaluations cover them all and every caller is answered', async () => {
    const first = evaluator.evaluate([1]);
    const rest = Array.from({ length: 2_000 }, (_, i) => evaluator.evaluate([i + 2]));
    await Promise.all([first, ...rest]);
    expect(passes).toBeLessThanOrEqual(2);
    expect(evaluateCalls).toBe(2_001);

    // Requests made while an evaluation runs join the next batch, not one each.
    passes = 0;
    evaluateCalls = 0;
    const running = evaluator.evaluate([1]);
    await vi.waitFor(() => expect(passes).toBe(1)); // the batch has started
    const during = Array.from({ length: 2_000 }, (_, i) => evaluator.evaluate([i + 2]));
    await Promise.all([running, ...during]);
    expect(passes).toBeLessThanOrEqual(2);
    // No waiter re-queues itself behind each run (the storm's quadratic stall).
    expect(evaluateCalls).toBe(2_001);
  });
});
