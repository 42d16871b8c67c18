import { FailureLimiter } from '@/server/auth/rate-limit';

/**
 * Failed sign-ins, per account and per address. One account gets 5 tries per 15
 * minutes; one address gets more, because a whole office can sit behind one NAT
 * address and must not be locked out by one typo-prone user. Owned by the control
 * plane (one per process, see ARCHITECTURE.md decision 8).
 */
export interface SignInThrottle {
  email: FailureLimiter;
  ip: FailureLimiter;
}

export function createSignInThrottle(): SignInThrottle {
  return {
    email: new FailureLimiter(5, 15 * 60 * 1000),
    ip: new FailureLimiter(30, 15 * 60 * 1000),
  };
}
