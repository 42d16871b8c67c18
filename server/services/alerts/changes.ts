/**
 * The live feed behind `alerts.onChange`: a value whenever alerts open or resolve or a
 * delivery is attempted, and one at once on subscribing (so a view that reconnects
 * refetches and misses nothing). Changes arriving while the consumer is busy fold into
 * one value: the view refetches what it shows, it needs no history.
 */
import type { AlertEngine } from '@/server/alerts';

export async function* alertChanges(alerts: Pick<AlertEngine, 'onChange'>, signal: AbortSignal | undefined): AsyncGenerator<{ at: number }> {
  let changed = true;
  let wake: (() => void) | undefined;
  const unsubscribe = alerts.onChange(() => {
    changed = true;
    wake?.();
  });
  const onAbort = () => wake?.();
  signal?.addEventListener('abort', onAbort);
  try {
    while (!signal?.aborted) {
      if (changed) {
        changed = false;
        yield { at: Date.now() };
        continue;
      }
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    unsubscribe();
  }
}
