/**
 * Lets one log line per key through per window and counts the rest, so a flood of
 * identical events (an agent retrying with a revoked token, say) cannot drown the log.
 */
export class LogThrottle {
  private readonly windows = new Map<string, { until: number; suppressed: number }>();

  constructor(
    private readonly windowMs = 60_000,
    /** Memory bound: past this many distinct keys, forget them all and start over. */
    private readonly maxKeys = 10_000,
  ) {}

  /** `null` when this event should not be logged; otherwise how many were held back since the last one logged. */
  admit(key: string, now = Date.now()): number | null {
    const window = this.windows.get(key);
    if (window && now < window.until) {
      window.suppressed += 1;
      return null;
    }
    if (!window && this.windows.size >= this.maxKeys) this.windows.clear();
    this.windows.set(key, { until: now + this.windowMs, suppressed: 0 });
    return window?.suppressed ?? 0;
  }
}
