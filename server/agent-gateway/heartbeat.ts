/**
 * One timer for all sessions, not one per session: with thousands of agents a sweep
 * every second that compares two numbers per session costs next to nothing, and it
 * staggers pings naturally (each session is pinged `intervalMs` after its own last ping).
 *
 * Worst-case detection of a silent agent is `timeoutMs + sweepMs` after its last frame,
 * plus one persistence tick: with the defaults (25 s + 1 s + 0.2 s) inside the 30 s the
 * product promises. A healthy agent answers every ping, so it is never quieter than
 * `intervalMs` plus a round trip: the default timeout tolerates one lost ping.
 */
import { CLOSE_CODES } from '@/lib/agent-protocol';
import { silenceReason } from './disconnect-reasons';

export interface HeartbeatConfig {
  /** How often each session is pinged. Sent to the agent in `welcome`. */
  intervalMs: number;
  /** A session with no frame for longer than this is closed and its cluster Disconnected. */
  timeoutMs: number;
  /** How often sessions are checked. */
  sweepMs: number;
}

export const DEFAULT_HEARTBEAT: HeartbeatConfig = { intervalMs: 10_000, timeoutMs: 25_000, sweepMs: 1_000 };

/** What the monitor needs of a session. */
export interface HeartbeatTarget {
  readonly ready: boolean;
  readonly openedAt: number;
  readonly lastHeardAt: number;
  readonly lastPingAt: number;
  sendPing(now: number): void;
  /** Ends the session at once (no waiting for a close handshake the peer will not answer). */
  abort(code: number, reason: string): void;
}

export class HeartbeatMonitor {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly sessions: () => Iterable<HeartbeatTarget>,
    private readonly config: HeartbeatConfig,
  ) {
    if (config.timeoutMs <= config.intervalMs) {
      throw new Error(`Heartbeat timeout (${config.timeoutMs} ms) must exceed the ping interval (${config.intervalMs} ms)`);
    }
  }

  start(): void {
    this.timer ??= setInterval(() => this.sweep(Date.now()), this.config.sweepMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  sweep(now: number): void {
    const { intervalMs, timeoutMs } = this.config;
    for (const session of this.sessions()) {
      const silentMs = now - session.lastHeardAt;
      if (silentMs > timeoutMs) {
        session.abort(CLOSE_CODES.heartbeatTimeout, silenceReason(silentMs, timeoutMs));
      } else if (!session.ready && now - session.openedAt > timeoutMs) {
        // Answering pings but never saying hello is not a usable agent either.
        session.abort(1008, `No hello within ${timeoutMs} ms`);
      } else if (now - session.lastPingAt >= intervalMs) {
        session.sendPing(now);
      }
    }
  }
}
