import { describe, expect, it } from 'vitest';
import { uptimeOver, type UptimeEvent } from './uptime';

const now = new Date('2026-11-23T12:00:00Z');
const hour = 3_600_000;
const windowStart = new Date(now.getTime() - 24 * hour);
/** An event `hoursAgo` before `now` (negative: after it); ids in the order given unless set. */
const at = (hoursAgo: number) => new Date(now.getTime() - hoursAgo * hour);
let nextId = 1;
const ev = (kind: UptimeEvent['kind'], hoursAgo: number, id = nextId++): UptimeEvent => ({ id, kind, at: at(hoursAgo) });

describe('uptimeOver (24 h window)', () => {
  it.each<[string, UptimeEvent[], { ratio: number | null; connectedMs: number; observedMs: number }]>([
    ['no events: nothing to go by', [], { ratio: null, connectedMs: 0, observedMs: 0 }],
    ['connected before the window and still connected: 100 %', [ev('connected', 30)], { ratio: 1, connectedMs: 24 * hour, observedMs: 24 * hour }],
    ['disconnected before the window and still down: 0 %', [ev('connected', 40), ev('disconnected', 30)], { ratio: 0, connectedMs: 0, observedMs: 24 * hour }],
    [
      'first connected inside the window: observed from then, not from the window start',
      [ev('connected', 6)],
      { ratio: 1, connectedMs: 6 * hour, observedMs: 6 * hour },
    ],
    [
      'connected across the window boundary, then 6 h down, then up again',
      [ev('connected', 30), ev('disconnected', 12), ev('connected', 6)],
      { ratio: 18 / 24, connectedMs: 18 * hour, observedMs: 24 * hour },
    ],
    [
      'down across the boundary: the time before the first event in the window counts as down',
      [ev('connected', 48), ev('disconnected', 36), ev('connected', 12)],
      { ratio: 0.5, connectedMs: 12 * hour, observedMs: 24 * hour },
    ],
    [
      'an event exactly at the window start belongs to the window',
      [ev('connected', 24), ev('disconnected', 12)],
      { ratio: 0.5, connectedMs: 12 * hour, observedMs: 24 * hour },
    ],
    [
      'given newest first: sorted by time before counting',
      [ev('connected', 6), ev('disconnected', 12), ev('connected', 30)],
      { ratio: 18 / 24, connectedMs: 18 * hour, observedMs: 24 * hour },
    ],
    [
      'a drop and its reconnect in the same second: the ids say which came first (down for none of it)',
      [ev('connected', 30, 1), ev('connected', 12, 3), ev('disconnected', 12, 2)],
      { ratio: 1, connectedMs: 24 * hour, observedMs: 24 * hour },
    ],
    [
      'the same second the other way round: connected, then the drop, so down from then',
      [ev('connected', 30, 1), ev('disconnected', 12, 3), ev('connected', 12, 2)],
      { ratio: 0.5, connectedMs: 12 * hour, observedMs: 24 * hour },
    ],
    [
      'a replaced session (connect, its end, the new connect) never counts as down',
      [ev('connected', 30), ev('disconnected', 10), ev('connected', 10)],
      { ratio: 1, connectedMs: 24 * hour, observedMs: 24 * hour },
    ],
    ['events after now are not counted', [ev('connected', 30), ev('disconnected', -1)], { ratio: 1, connectedMs: 24 * hour, observedMs: 24 * hour }],
    ['a history that starts this moment, connected', [ev('connected', 0)], { ratio: 1, connectedMs: 0, observedMs: 0 }],
  ])('%s', (_label, events, expected) => {
    const result = uptimeOver(events, windowStart, now);
    expect(result.connectedMs).toBe(expected.connectedMs);
    expect(result.observedMs).toBe(expected.observedMs);
    if (expected.ratio === null) expect(result.ratio).toBeNull();
    else expect(result.ratio).toBeCloseTo(expected.ratio, 10);
  });
});
