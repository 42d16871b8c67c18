/**
 * How fast one session may send: a token bucket for frames and one for bytes. A real
 * agent sends a pong per heartbeat, a delta at most every 100 ms and one response per
 * request (at most `maxInFlightPerCluster` at once), so it never comes near these; an
 * agent far past them is broken or hostile, and its session is closed before its
 * frames can cost the gateway more than the burst allowance.
 */
export interface FrameRateLimits {
  /** Frames per second, sustained. */
  framesPerSecond: number;
  /** Frames allowed at once above the sustained rate. */
  burstFrames: number;
  /** Bytes per second, sustained. */
  bytesPerSecond: number;
  /** Bytes allowed at once: room for a largest snapshot and then some. */
  burstBytes: number;
}

export const DEFAULT_FRAME_RATE: FrameRateLimits = {
  framesPerSecond: 200,
  burstFrames: 1_000,
  bytesPerSecond: 2 * 1024 * 1024,
  burstBytes: 24 * 1024 * 1024,
};

export class FrameBudget {
  private frames: number;
  private bytes: number;
  private refilledAt: number;

  constructor(
    private readonly limits: FrameRateLimits,
    now = performance.now(),
  ) {
    this.frames = limits.burstFrames;
    this.bytes = limits.burstBytes;
    this.refilledAt = now;
  }

  /** Spends one frame of `size` bytes; false when the session is over its budget. */
  spend(size: number, now = performance.now()): boolean {
    const elapsedSeconds = Math.max(0, now - this.refilledAt) / 1000;
    this.refilledAt = now;
    const { framesPerSecond, burstFrames, bytesPerSecond, burstBytes } = this.limits;
    this.frames = Math.min(burstFrames, this.frames + elapsedSeconds * framesPerSecond) - 1;
    this.bytes = Math.min(burstBytes, this.bytes + elapsedSeconds * bytesPerSecond) - size;
    return this.frames >= 0 && this.bytes >= 0;
  }
}
