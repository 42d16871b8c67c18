import { describe, expect, it } from 'vitest';
import { LogThrottle } from '@/server/log-throttle';

describe('LogThrottle', () => {
  it('logs the first event per key, holds back repeats within the window, then reports how many it held', () => {
    const throttle = new LogThrottle(1_000);
    expect(throttle.admit('a', 0)).toBe(0);
    expect(throttle.admit('a', 10)).toBeNull();
    expect(throttle.admit('a', 20)).toBeNull();
    expect(throttle.admit('b', 20)).toBe(0);
    expect(throttle.admit('a', 1_000)).toBe(2);
    expect(throttle.admit('a', 1_001)).toBeNull();
  });

  it('stays bounded in memory', () => {
    const throttle = new LogThrottle(1_000, 2);
    throttle.admit('a', 0);
    throttle.admit('b', 0);
    expect(throttle.admit('c', 0)).toBe(0);
    // 'a' was forgotten with the rest, so it is logged again rather than held back.
    expect(throttle.admit('a', 1)).toBe(0);
  });
});
