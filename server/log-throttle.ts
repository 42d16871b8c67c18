/**
 * Lets one log line per key through per window and counts the rest, so a flood of
 * identical events (an agent retrying with a revoked token, say) cannot drown the log.
 *
 * Keys must be facts the caller cannot choose freely (a source address, a reason):
 * a key per attacker-chosen value would let every attempt through. Past `maxKeys`
 * distinct keys in a window, new keys share one overflow key, so at most `maxKeys + 1`
 * lines per window get through however many keys an attacker can make up.
 */
export const OVERFLOW_KEY = '\u0000overflow';

export class LogThrottle {
  private readonly windows = new Map<string, { until: number; suppressed: number }>();
  private lastSweep = -Infinity;

  constructor(
    private readonly windowMs = 60_000,
    /** Memory and line bound: distinct keys tracked at once. */
    private readonly maxKeys = 10_000,
  ) {}

  /** `null` when this event should not be logged; otherwise how many were held back since the last one logged. */
  admit(key: string, now = Date.now()): number | null {
    let tracked = key;
    if (!this.windows.has(key) && this.windows.size >= this.maxKeys) {
      this.forgetExpired(now);
      if (this.windows.size >= this.maxKeys) tracked = OVERFLOW_KEY;
    }
    const window = this.windows.get(tracked);
    if (window && now < window.until) {
      window.suppressed += 1;
      return null;
    }
    this.windows.set(tracked, { until: now + this.windowMs, suppressed: 0 });
    return window?.suppressed ?? 0;
  }

  /** At most once a tenth of a window: under a flood of new keys a sweep per event would cost O(maxKeys) each. */
  private forgetExpired(now: number): void {
    if (now - this.lastSweep < this.windowMs / 10) return;
    this.lastSweep = now;
    for (const [key, window] of this.windows) if (now >= window.until) this.windows.delete(key);
  }
}
