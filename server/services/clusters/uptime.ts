/**
 * Uptime from a cluster's connection history: the share of a window its agent was
 * connected. Pure, so the edge cases are a table of tests.
 *
 * - The state at the window's start is the last event before it (connected → the window
 *   opens connected). With no earlier event, the window is observed from the first event
 *   in it: a cluster attached an hour ago is not 4 % up over 24 h.
 * - A cluster still connected counts up to `now`.
 * - Events are taken in order of time, then of id: the SQLite file stores whole seconds,
 *   so a drop and its reconnect may share a second, and only the id tells which came first.
 */
import type { ConnectionEventKind } from '@/lib/connection-history';

export interface UptimeEvent {
  id: number;
  kind: ConnectionEventKind;
  at: Date;
}

export interface Uptime {
  /** Connected share of the observed time, 0 to 1; null when there is nothing to go by. */
  ratio: number | null;
  connectedMs: number;
  /** The part of the window the history covers. */
  observedMs: number;
}

/**
 * `events`: the cluster's events in the window, plus (if any) the last one before it;
 * any order. Events after `now` are ignored.
 */
export function uptimeOver(events: readonly UptimeEvent[], windowStart: Date, now: Date): Uptime {
  const start = windowStart.getTime();
  const end = now.getTime();
  const ordered = events
    .filter((event) => event.at.getTime() <= end)
    .sort((a, b) => a.at.getTime() - b.at.getTime() || a.id - b.id);

  let connected = false;
  let observedFrom: number | null = null;
  let since = start;
  let connectedMs = 0;
  for (const event of ordered) {
    const at = event.at.getTime();
    if (at < start) {
      // Before the window: only the state it leaves at the start counts.
      connected = event.kind === 'connected';
      observedFrom = start;
      continue;
    }
    if (observedFrom === null) {
      observedFrom = at;
      since = at;
    }
    if (connected) connectedMs += at - since;
    connected = event.kind === 'connected';
    since = at;
  }
  if (observedFrom === null) return { ratio: null, connectedMs: 0, observedMs: 0 };
  if (connected) connectedMs += end - since;
  const observedMs = end - observedFrom;
  // A history that begins this very moment: connected now is up, disconnected is down.
  if (observedMs === 0) return { ratio: connected ? 1 : 0, connectedMs: 0, observedMs: 0 };
  return { ratio: connectedMs / observedMs, connectedMs, observedMs };
}
