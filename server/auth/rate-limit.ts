/** One counted failure, and the address it came from (for telling the account owner). */
export interface Failure {
  readonly at: number;
  readonly source: string;
}

/**
 * Failed sign-in throttle: after `maxFailures` failures for one key (an email, an
 * address) within `windowMs`, further attempts are refused until the window passes.
 * In memory: one control-plane process owns sign-in (see ARCHITECTURE.md, decision 8).
 */
export class FailureLimiter {
  private readonly failures = new Map<string, Failure[]>();
  private nextSweepAt = 0;

  constructor(
    readonly maxFailures = 5,
    readonly windowMs = 15 * 60 * 1000,
  ) {}

  /** Milliseconds until `key` may try again, or 0 when it may now. */
  retryAfterMs(key: string, now = Date.now()): number {
    const recent = this.recent(key, now);
    if (recent.length < this.maxFailures) return 0;
    return (recent[recent.length - this.maxFailures]?.at ?? now) + this.windowMs - now;
  }

  recordFailure(key: string, source = '', now = Date.now()): Failure {
    this.sweep(now);
    const failure = { at: now, source };
    this.failures.set(key, [...this.recent(key, now), failure]);
    return failure;
  }

  /** Takes back one reserved failure: the attempt it stood for succeeded. */
  release(key: string, failure: Failure): void {
    const kept = (this.failures.get(key) ?? []).filter((f) => f !== failure);
    if (kept.length === 0) this.failures.delete(key);
    else this.failures.set(key, kept);
  }

  reset(key: string): void {
    this.failures.delete(key);
  }

  /** How many keys are remembered; the sweep keeps it to those of about one window. */
  get size(): number {
    return this.failures.size;
  }

  /** The failures counted for `key` within the window, oldest first. */
  recent(key: string, now = Date.now()): readonly Failure[] {
    const kept = (this.failures.get(key) ?? []).filter((f) => now - f.at < this.windowMs);
    if (kept.length === 0) this.failures.delete(key);
    return kept;
  }

  // Keys are attacker-chosen (any email, any address) and a key is otherwise pruned only
  // when it is asked about again: forget whole keys whose window has passed, once a window.
  private sweep(now: number): void {
    if (now < this.nextSweepAt) return;
    this.nextSweepAt = now + this.windowMs;
    for (const [key, failures] of this.failures) {
      const newest = failures[failures.length - 1];
      if (!newest || now - newest.at >= this.windowMs) this.failures.delete(key);
    }
  }
}
