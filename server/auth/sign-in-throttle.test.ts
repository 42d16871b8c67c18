import { describe, expect, it } from 'vitest';
import { type GrantedAttempt, type SignInAttempt, SignInThrottle } from '@/server/auth/sign-in-throttle';

const MINUTE = 60_000;
const ADA = 'ada@example.com';

function granted(attempt: SignInAttempt): GrantedAttempt {
  if (!attempt.granted) throw new Error(`refused for ${attempt.retryAfterMs} ms`);
  return attempt;
}

describe('SignInThrottle', () => {
  it('counts an attempt when it begins, so the sixth concurrent one is refused before any has settled', () => {
    const throttle = new SignInThrottle();
    const inFlight = Array.from({ length: 5 }, (_, i) => throttle.begin(ADA, `10.0.0.${i}`, 0));
    expect(inFlight.every((a) => a.granted)).toBe(true);
    expect(throttle.begin(ADA, '10.0.0.9', 0)).toEqual({ granted: false, retryAfterMs: 15 * MINUTE, accountLocked: true });
  });

  it('takes a successful attempt back and starts the account over, but keeps the address failures of others', () => {
    const throttle = new SignInThrottle();
    for (let i = 0; i < 4; i++) throttle.failed(granted(throttle.begin(ADA, '10.0.0.1', 0)), 0);
    throttle.succeeded(granted(throttle.begin(ADA, '10.0.0.2', 1)));
    expect(throttle.account.recent(ADA, 2)).toHaveLength(0);
    expect(throttle.address.recent('10.0.0.1', 2)).toHaveLength(4);
    expect(throttle.address.recent('10.0.0.2', 2)).toHaveLength(0);
  });

  it('reports a lock once per lock window, with the count and the addresses, and again for the next lock', () => {
    const throttle = new SignInThrottle();
    const fail = (address: string, now: number) => {
      const attempt = throttle.begin(ADA, address, now);
      return attempt.granted ? throttle.failed(attempt, now) : 'refused';
    };
    expect([1, 2, 3, 4].map((i) => fail(`10.0.0.${i % 2}`, i))).toEqual([null, null, null, null]);
    expect(fail('10.0.0.7', 5)).toEqual({ failures: 5, addresses: ['10.0.0.1', '10.0.0.0', '10.0.0.7'], lockedUntil: new Date(1 + 15 * MINUTE) });
    expect(fail('10.0.0.8', 6)).toBe('refused');
    const known = granted(throttle.beginFromKnownSource(ADA, '10.9.9.9', 7));
    expect(throttle.failed(known, 7)).toBeNull();

    const later = 16 * MINUTE;
    expect([1, 2, 3, 4].map((i) => fail('10.0.1.1', later + i))).toEqual([null, null, null, null]);
    expect(fail('10.0.1.1', later + 5)).toMatchObject({ failures: 5, addresses: ['10.0.1.1'] });
  });

  it('lets a known source past the lock with five tries of its own, under its address limit, without reopening the account', () => {
    const throttle = new SignInThrottle();
    for (let i = 0; i < 5; i++) throttle.failed(granted(throttle.begin(ADA, `10.0.0.${i}`, 0)), 0);
    for (let i = 0; i < 5; i++) throttle.failed(granted(throttle.beginFromKnownSource(ADA, '10.9.9.9', 1)), 1);
    expect(throttle.beginFromKnownSource(ADA, '10.9.9.9', 2)).toMatchObject({ granted: false, accountLocked: false });
    expect(throttle.address.recent('10.9.9.9', 2)).toHaveLength(5);

    for (let i = 0; i < 30; i++) throttle.address.recordFailure('10.8.8.8', '10.8.8.8', 3);
    expect(throttle.beginFromKnownSource(ADA, '10.8.8.8', 4)).toMatchObject({ granted: false, accountLocked: false });

    throttle.succeeded(granted(throttle.beginFromKnownSource(ADA, '10.7.7.7', 5)));
    expect(throttle.begin(ADA, '10.6.6.6', 6)).toMatchObject({ granted: false, accountLocked: true });
    expect(throttle.address.recent('10.7.7.7', 6)).toHaveLength(0);
  });
});
