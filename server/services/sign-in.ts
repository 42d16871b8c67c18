import { eq } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { users } from '@/db/schema';
import type { SignInInput } from '@/lib/schemas/auth';
import { verifyPassword } from '@/server/auth/password';
import { FailureLimiter } from '@/server/auth/rate-limit';
import { createSession, type SessionUser } from '@/server/auth/session';
import { RateLimitedError, UnauthorizedError } from '@/server/errors';
import { recordAudit } from '@/server/services/audit';

const globalForLimiter = globalThis as unknown as { fleetdeckSignInLimiters?: { email: FailureLimiter; ip: FailureLimiter } };
/**
 * Shared by every bundle in the process (Next bundles route handlers separately).
 * One account gets 5 tries per 15 minutes; one address gets more, because a whole
 * office can sit behind one NAT address and must not be locked out by one typo-prone user.
 */
const limiters = (globalForLimiter.fleetdeckSignInLimiters ??= {
  email: new FailureLimiter(5, 15 * 60 * 1000),
  ip: new FailureLimiter(30, 15 * 60 * 1000),
});

/** Forgets failures (tests start from a clean slate). */
export function resetSignInThrottle(): void {
  limiters.email.clear();
  limiters.ip.clear();
}

// Verifying against a real hash when the email is unknown keeps the timing the same,
// so response time does not reveal which emails have accounts.
const DUMMY_HASH =
  'scrypt$131072$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

export interface SignInResult {
  user: SessionUser;
  token: string;
  expiresAt: Date;
}

export async function signIn(
  db: Db,
  input: SignInInput,
  meta: { ip: string | null; userAgent: string | null },
): Promise<SignInResult> {
  const ipKey = meta.ip ?? 'unknown';
  const wait = Math.max(limiters.email.retryAfterMs(input.email), limiters.ip.retryAfterMs(ipKey));
  if (wait > 0) {
    throw new RateLimitedError(`Too many failed sign-ins. Try again in ${Math.ceil(wait / 60_000)} minute(s).`);
  }
  const row = db.select().from(users).where(eq(users.email, input.email)).get();
  const passwordOk = await verifyPassword(input.password, row?.passwordHash ?? DUMMY_HASH);
  if (!row || !passwordOk || !row.active) {
    limiters.email.recordFailure(input.email);
    limiters.ip.recordFailure(ipKey);
    throw new UnauthorizedError(
      row && passwordOk && !row.active ? 'This account is deactivated. Ask an admin to reactivate it.' : 'Email or password is incorrect',
    );
  }
  limiters.email.reset(input.email);
  return db.transaction((tx) => {
    const session = createSession(tx, row.id, meta);
    tx.update(users).set({ lastSignInAt: new Date() }).where(eq(users.id, row.id)).run();
    recordAudit(tx, { userId: row.id, label: row.email, ip: meta.ip }, {
      action: 'session.sign_in',
      target: { type: 'user', id: row.id, label: row.email },
    });
    return { user: { id: row.id, email: row.email, name: row.name, role: row.role }, ...session };
  });
}
