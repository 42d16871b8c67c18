import { eq } from 'drizzle-orm';
import type { SignInInput } from '@/lib/schemas/auth';
import type { SessionUser, UserPrincipal } from '@/server/access/principal';
import { verifyPassword } from '@/server/auth/password';
import { createSession, revokeSession } from '@/server/auth/session';
import type { ControlPlane } from '@/server/control-plane';
import { RateLimitedError, UnauthorizedError } from '@/server/errors';
import type { Store } from '@/server/store';
import { type Actor, recordAudit } from '@/server/services/audit';

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
  cp: Pick<ControlPlane, 'store' | 'signInThrottle'>,
  input: SignInInput,
  meta: { ip: string | null; userAgent: string | null },
): Promise<SignInResult> {
  const { store, signInThrottle: throttle } = cp;
  const { users } = store.tables;
  const ipKey = meta.ip ?? 'unknown';
  const wait = Math.max(throttle.email.retryAfterMs(input.email), throttle.ip.retryAfterMs(ipKey));
  if (wait > 0) {
    throw new RateLimitedError(`Too many failed sign-ins. Try again in ${Math.ceil(wait / 60_000)} minute(s).`);
  }
  const [row] = await store.db.select().from(users).where(eq(users.email, input.email)).limit(1);
  const passwordOk = await verifyPassword(input.password, row?.passwordHash ?? DUMMY_HASH);
  if (!row || !passwordOk || !row.active) {
    throttle.email.recordFailure(input.email);
    throttle.ip.recordFailure(ipKey);
    throw new UnauthorizedError(
      row && passwordOk && !row.active ? 'This account is deactivated. Ask an admin to reactivate it.' : 'Email or password is incorrect',
    );
  }
  throttle.email.reset(input.email);
  return store.transaction(async (tx) => {
    const session = await createSession(tx, row.id, meta);
    await tx.update(users).set({ lastSignInAt: new Date() }).where(eq(users.id, row.id));
    await recordAudit(tx, { userId: row.id, label: row.email, ip: meta.ip }, {
      action: 'session.sign_in',
      target: { type: 'user', id: row.id, label: row.email },
    });
    return { user: { id: row.id, email: row.email, name: row.name, role: row.role }, ...session };
  });
}

/** Ends exactly the session the request came with. */
export async function signOut(store: Store, user: UserPrincipal, actor: Actor): Promise<void> {
  await store.transaction(async (tx) => {
    await revokeSession(tx, user.sessionTokenHash);
    await recordAudit(tx, actor, {
      action: 'session.sign_out',
      target: { type: 'user', id: user.userId, label: user.email },
    });
  });
}
