import { type Failure, FailureLimiter } from '@/server/auth/rate-limit';

const WINDOW_MS = 15 * 60 * 1000;

export interface RefusedAttempt {
  readonly granted: false;
  readonly retryAfterMs: number;
  /** Refused by the account's lock (not the address's): a known source may still get in. */
  readonly accountLocked: boolean;
}

export interface GrantedAttempt {
  readonly granted: true;
  readonly email: string;
  /** Let in past the account's lock because this address signed in to the account recently. */
  readonly knownSource: boolean;
  readonly held: readonly { limiter: FailureLimiter; key: string; failure: Failure }[];
}

export type SignInAttempt = GrantedAttempt | RefusedAttempt;

/** What the account owner is told when failures lock their account. */
export interface AccountLock {
  failures: number;
  addresses: string[];
  lockedUntil: Date;
}

/**
 * Failed sign-ins, per account and per address. One account gets 5 tries per 15
 * minutes; one address gets more, because a whole office can sit behind one NAT
 * address and must not be locked out by one typo-prone user.
 *
 * An attempt is counted as a failure when it starts, before the slow password check, and
 * taken back if it succeeds: otherwise a burst of concurrent guesses would all pass the
 * check before any failure was recorded.
 *
 * Anyone can lock an account with five wrong passwords, so a known source (an address
 * that signed in to the account recently; the caller decides) is let in past the lock,
 * with its own 5 tries per window for that account and still under its address's limit.
 *
 * Owned by the control plane (one per process, see ARCHITECTURE.md decision 8).
 */
export class SignInThrottle {
  readonly account = new FailureLimiter(5, WINDOW_MS);
  readonly address = new FailureLimiter(30, WINDOW_MS);
  readonly knownSource = new FailureLimiter(5, WINDOW_MS);
  /** Per account, the end of the lock its owner was last told about: one notice per lock. */
  private readonly lockNoticeUntil = new Map<string, number>();

  /** Checks both limits and, when neither refuses, counts the attempt: one synchronous step. */
  begin(email: string, address: string, now = Date.now()): SignInAttempt {
    const addressWait = this.address.retryAfterMs(address, now);
    if (addressWait > 0) return refused(addressWait, false);
    const accountWait = this.account.retryAfterMs(email, now);
    if (accountWait > 0) return refused(accountWait, true);
    return this.hold(email, address, false, now, [this.address, address], [this.account, email]);
  }

  /** For a source the caller found known, after `begin` refused it for the account's lock. */
  beginFromKnownSource(email: string, address: string, now = Date.now()): SignInAttempt {
    const key = `${email} ${address}`;
    const wait = Math.max(this.address.retryAfterMs(address, now), this.knownSource.retryAfterMs(key, now));
    if (wait > 0) return refused(wait, false);
    return this.hold(email, address, true, now, [this.address, address], [this.knownSource, key]);
  }

  /**
   * The password was right: its reserved failures are taken back, and the account's
   * count starts over, unless it came in past the lock (that would reopen the account
   * to whoever is guessing).
   */
  succeeded(attempt: GrantedAttempt): void {
    for (const { limiter, key, failure } of attempt.held) limiter.release(key, failure);
    if (!attempt.knownSource) this.account.reset(attempt.email);
  }

  /** The attempt failed (it stays counted); the lock to report, once per lock, if it is now locked. */
  failed(attempt: GrantedAttempt, now = Date.now()): AccountLock | null {
    const { email } = attempt;
    const wait = this.account.retryAfterMs(email, now);
    if (wait === 0 || (this.lockNoticeUntil.get(email) ?? 0) > now) return null;
    for (const [key, until] of this.lockNoticeUntil) if (until <= now) this.lockNoticeUntil.delete(key);
    this.lockNoticeUntil.set(email, now + wait);
    const failures = this.account.recent(email, now);
    return { failures: failures.length, addresses: [...new Set(failures.map((f) => f.source))], lockedUntil: new Date(now + wait) };
  }

  private hold(email: string, address: string, knownSource: boolean, now: number, ...keys: [FailureLimiter, string][]): GrantedAttempt {
    const held = keys.map(([limiter, key]) => ({ limiter, key, failure: limiter.recordFailure(key, address, now) }));
    return { granted: true, email, knownSource, held };
  }
}

function refused(retryAfterMs: number, accountLocked: boolean): RefusedAttempt {
  return { granted: false, retryAfterMs, accountLocked };
}

export function createSignInThrottle(): SignInThrottle {
  return new SignInThrottle();
}
