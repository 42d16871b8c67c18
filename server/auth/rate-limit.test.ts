import { describe, expect, it } from 'vitest';
import { FailureLimiter } from '@/server/auth/rate-limit';

describe('FailureLimiter', () => {
  it('allows up to the limit, blocks after, and forgets once the window passes', () => {
    const limiter = new FailureLimiter(3, 1000);
    for (const t of [0, 10, 20]) {
      expect(limiter.retryAfterMs('k', t)).toBe(0);
      limiter.recordFailure('k', t);
    }
    expect(limiter.retryAfterMs('k', 30)).toBe(970);
    expect(limiter.retryAfterMs('other', 30)).toBe(0);
    expect(limiter.retryAfterMs('k', 1001)).toBe(0);
  });
});
