import { and, eq, gt } from 'drizzle-orm';
import { countOf } from '@/lib/format-time';
import type { SignInInput } from '@/lib/schemas/auth';
import type { SessionUser, UserPrincipal } from '@/server/access/principal';
import { verifyPassword } from '@/server/auth/password';
import { createSession, revokeSession } from '@/server/auth/session';
import type { AccountLock } from '@/server/auth/sign-in-throttle';
import type { ControlPlane } from '@/server/control-plane';
import { RateLimitedError, UnauthorizedError } from '@/server/errors';
import type { Store } from '@/server/store';
import { type Actor, recordAudit, SYSTEM_ACTOR } from '@/server/services/audit';

// Verifying against a real hash when the email is unknown keeps the timing the same,
// so response time does not reveal which emails have accounts.
const DUMMY_HASH =
  'scrypt$131072$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

/** How long a successful sign-in from an address keeps it a known source for that account. */
const KNOWN_SOURCE_MS = 30 * 24 * 60 * 60 * 1000;

export interface SignInResult {
  user: SessionUser;
  token: string;
  expiresAt: Date;
}

/** Production checks with scrypt; tests pass one that counts the checks. */
export type PasswordVerifier = (password: string, stored: string) => Promise<boolean>;

export async function signIn(
  cp: Pick<ControlPlane, 'store' | 'signInThrottle'>,
  input: SignInInput,
  meta: { ip: string | null; userAgent: string | null },
  verify: PasswordVerifier = verifyPassword,
): Promise<SignInResult> {
  const { store, signInThrottle: throttle } = cp;
  const { users } = store.tables;
  // Counted before the first await, so concurrent guesses see each other.
  let attempt = throttle.begin(input.email, meta.ip ?? 'unknown');
  const [row] = await store.db.select().from(users).where(eq(users.email, input.email)).limit(1);
  // The lookup runs for unknown emails too (no user has id 0): a locked account answers
  // in the same time whether or not it exists.
  if (!attempt.granted && attempt.accountLocked && meta.ip && (await signedInFrom(store, row?.id ?? 0, meta.ip))) {
    attempt = throttle.beginFromKnownSource(input.email, meta.ip);
  }
  if (!attempt.granted) {
    throw new RateLimitedError(`Too many failed sign-ins. Try again in ${countOf(Math.ceil(attempt.retryAfterMs / 60_000), 'minute')}.`);
  }
  const passwordOk = await verify(input.password, row?.passwordHash ?? DUMMY_HASH);
  if (!row || !passwordOk || !row.active) {
    const lock = throttle.failed(attempt);
    if (lock && row) await tellOwnerOfLock(store, row, lock);
    throw new UnauthorizedError(
      row && passwordOk && !row.active ? 'This account is deactivated. Ask an admin to reactivate it.' : 'Email or password is incorrect',
    );
  }
  throttle.succeeded(attempt);
  return store.transaction(async (tx) => {
    const session = await createSession(tx, row.id, meta);
    await tx.update(users).set({ lastSignInAt: new Date() }).where(eq(users.id, row.id));
    // This row is also what makes meta.ip a known source for the account (signedInFrom).
    await recordAudit(tx, { userId: row.id, label: row.email, ip: meta.ip }, {
      action: 'session.sign_in',
      target: { type: 'user', id: row.id, label: row.email },
    });
    return { user: { id: row.id, email: row.email, name: row.name, role: row.role }, ...session };
  });
}

/**
 * Whether the user signed in from this address recently. The sign-in audit rows are the
 * memory: they survive restarts and sign-outs, unlike sessions (deleted when they end)
 * or anything kept in the process.
 */
async function signedInFrom(store: Store, userId: number, ip: string, now = Date.now()): Promise<boolean> {
  const { auditEvents } = store.tables;
  const [row] = await store.db
    .select({ id: auditEvents.id })
    .from(auditEvents)
    .where(
      and(
        eq(auditEvents.actorUserId, userId),
        eq(auditEvents.action, 'session.sign_in'),
        eq(auditEvents.ip, ip),
        gt(auditEvents.at, new Date(now - KNOWN_SOURCE_MS)),
      ),
    )
    .limit(1);
  return row !== undefined;
}

/** One audit row per lock, in its own transaction: the failures stay counted whatever happens to it. */
async function tellOwnerOfLock(store: Store, user: { id: number; email: string }, lock: AccountLock): Promise<void> {
  await store.transaction((tx) =>
    recordAudit(tx, SYSTEM_ACTOR, {
      action: 'user.sign_in_locked',
      target: { type: 'user', id: user.id, label: user.email },
      after: { failedSignIns: lock.failures, addresses: lock.addresses, lockedUntil: lock.lockedUntil.toISOString() },
    }),
  );
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
