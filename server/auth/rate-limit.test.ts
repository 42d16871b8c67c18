import { describe, expect, it } from 'vitest';
import { FailureLimiter } from '@/server/auth/rate-limit';

describe('FailureLimiter', () => {
  it('allows up to the limit, blocks after, and forgets once the window passes', () => {
    const limiter = new FailureLimiter(3, 1000);
    for (const t of [0, 10, 20]) {
      expect(limiter.retryAfterMs('k', t)).toBe(0);
      limiter.recordFailure('k', '10.0.0.1', t);
    }
    expect(limiter.retryAfterMs('k', 30)).toBe(970);
    expect(limiter.retryAfterMs('other', 30)).toBe(0);
    expect(limiter.retryAfterMs('k', 1001)).toBe(0);
  });

  it('takes back exactly the released failure, and remembers where each came from', () => {
    const limiter = new FailureLimiter(2, 1000);
    limiter.recordFailure('k', '10.0.0.1', 0);
    const reserved = limiter.recordFailure('k', '10.0.0.2', 5);
    expect(limiter.retryAfterMs('k', 10)).toBeGreaterThan(0);
    limiter.release('k', reserved);
    expect(limiter.retryAfterMs('k', 10)).toBe(0);
    expect(limiter.recent('k', 10).map((f) => f.source)).toEqual(['10.0.0.1']);
  });

  it('forgets keys nobody asks about again once their window has passed', () => {
    const limiter = new FailureLimiter(3, 1000);
    for (let i = 0; i < 100; i++) limiter.recordFailure(`guess-${i}@example.com`, '', 0);
    limiter.recordFailure('late', '', 2000);
    expect(limiter.size).toBe(1);
    expect(limiter.retryAfterMs('late', 2001)).toBe(0);
  });
});
