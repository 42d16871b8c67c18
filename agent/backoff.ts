/**
 * Exponential backoff with full jitter (AWS architecture blog, "Exponential Backoff
 * and Jitter"): the delay is uniform in [0, min(cap, base·2^attempt)], so a fleet of
 * agents cut off by one control-plane restart does not reconnect in lockstep.
 */
export interface BackoffOptions {
  /** First ceiling; default 500 ms. */
  baseMs?: number;
  /** Largest ceiling; default 30 s. */
  capMs?: number;
  /** Injected for tests; default Math.random. */
  random?: () => number;
}

export class Backoff {
  private attempt = 0;
  private readonly baseMs: number;
  private readonly capMs: number;
  private readonly random: () => number;

  constructor(options: BackoffOptions = {}) {
    this.baseMs = options.baseMs ?? 500;
    this.capMs = options.capMs ?? 30_000;
    this.random = options.random ?? Math.random;
  }

  /** The ceiling the next delay is drawn under. */
  ceilingMs(): number {
    // Math.min before the power would overflow to Infinity after ~1000 attempts.
    return Math.min(this.capMs, this.baseMs * 2 ** Math.min(this.attempt, 30));
  }

  /** The delay before the next attempt; each call raises the ceiling. */
  next(): number {
    const delay = Math.floor(this.random() * this.ceilingMs());
    this.attempt++;
    return delay;
  }

  /** After a healthy connection the next failure starts from the base again. */
  reset(): void {
    this.attempt = 0;
  }

  get attempts(): number {
    return this.attempt;
  }
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
