import { eq } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { users } from '@/db/schema';
import type { SignInInput } from '@/lib/schemas/auth';
import { verifyPassword } from '@/server/auth/password';
import { FailureLimiter } from '@/server/auth/rate-limit';
import { createSession, type SessionUser } from '@/server/auth/session';
import { RateLimitedError, UnauthorizedError } from '@/server/errors';
import { recordAudit } from '@/server/services/audit';

const globalForLimiter = globalThis as unknown as { fleetdeckSignInLimiter?: FailureLimiter };
/** Shared by every bundle in the process (Next bundles route handlers separately). */
export const signInLimiter = (globalForLimiter.fleetdeckSignInLimiter ??= new FailureLimiter());

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
  const keys = [`email:${input.email}`, `ip:${meta.ip ?? 'unknown'}`];
  const wait = Math.max(...keys.map((k) => signInLimiter.retryAfterMs(k)));
  if (wait > 0) {
    throw new RateLimitedError(`Too many failed sign-ins. Try again in ${Math.ceil(wait / 60_000)} minute(s).`);
  }
  const row = db.select().from(users).where(eq(users.email, input.email)).get();
  const passwordOk = await verifyPassword(input.password, row?.passwordHash ?? DUMMY_HASH);
  if (!row || !passwordOk || !row.active) {
    for (const k of keys) signInLimiter.recordFailure(k);
    throw new UnauthorizedError(
      row && passwordOk && !row.active ? 'This account is deactivated. Ask an admin to reactivate it.' : 'Email or password is incorrect',
    );
  }
  signInLimiter.reset(`email:${input.email}`);
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
