import { describe, expect, it } from 'vitest';
import { Backoff } from '@/agent/backoff';

describe('Backoff', () => {
  it('doubles the ceiling up to the cap', () => {
    const backoff = new Backoff({ baseMs: 500, capMs: 30_000, random: () => 0.999999 });
    const delays = Array.from({ length: 9 }, () => backoff.next());
    expect(delays).toEqual([499, 999, 1999, 3999, 7999, 15999, 29999, 29999, 29999]);
  });

  it('draws the full jitter range, from zero', () => {
    const backoff = new Backoff({ baseMs: 1000, random: () => 0 });
    expect([backoff.next(), backoff.next()]).toEqual([0, 0]);
    const half = new Backoff({ baseMs: 1000, random: () => 0.5 });
    expect([half.next(), half.next(), half.next()]).toEqual([500, 1000, 2000]);
  });

  it('starts over after reset', () => {
    const backoff = new Backoff({ baseMs: 100, random: () => 0.5 });
    backoff.next();
    backoff.next();
    backoff.reset();
    expect(backoff.next()).toBe(50);
  });

  it('never overflows after many attempts', () => {
    const backoff = new Backoff({ baseMs: 500, capMs: 30_000, random: () => 1 });
    for (let i = 0; i < 5000; i++) backoff.next();
    expect(backoff.next()).toBe(30_000);
  });
});
