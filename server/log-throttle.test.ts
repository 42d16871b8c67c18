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

  it('lets at most maxKeys + 1 lines through per window, however many keys are made up', () => {
    const throttle = new LogThrottle(1_000, 10);
    let admitted = 0;
    for (let i = 0; i < 1_000; i++) if (throttle.admit(`key-${i}`, i % 900) !== null) admitted++;
    expect(admitted).toBe(11);
  });

  it('forgets expired keys to make room before sharing the overflow key', () => {
    const throttle = new LogThrottle(1_000, 2);
    throttle.admit('a', 0);
    throttle.admit('b', 0);
    expect(throttle.admit('c', 10)).toBe(0);
    // Full of live keys: a new key shares the overflow window.
    expect(throttle.admit('d', 20)).toBeNull();
    // Once the window is over, old keys are forgotten and a new one has its own line.
    expect(throttle.admit('e', 1_500)).toBe(0);
    expect(throttle.admit('a', 1_501)).toBe(0);
  });
});
