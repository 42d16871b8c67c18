import { createHash, randomBytes } from 'node:crypto';
import { and, eq, gt, lt, ne } from 'drizzle-orm';
import type { UserPrincipal } from '@/server/access/principal';
import { tablesOf, type Db, type Store } from '@/server/store';

export const SESSION_COOKIE = 'fd_session';
/** Sessions expire a fixed time after sign-in; signing in again starts a new one. */
export const SESSION_TTL_SECONDS = 12 * 60 * 60;

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Starts a session inside the caller's transaction and returns the cookie value (the only place it exists). */
export async function createSession(
  tx: Db,
  userId: number,
  meta: { ip: string | null; userAgent: string | null },
  now = new Date(),
): Promise<{ token: string; expiresAt: Date }> {
  const { sessions } = tablesOf(tx);
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + SESSION_TTL_SECONDS * 1000);
  await tx
    .insert(sessions)
    .values({ tokenHash: hashToken(token), userId, expiresAt, ip: meta.ip, userAgent: meta.userAgent?.slice(0, 300) ?? null });
  // Housekeeping on the write path keeps the table small without a scheduler.
  await tx.delete(sessions).where(lt(sessions.expiresAt, now));
  return { token, expiresAt };
}

/**
 * The signed-in user behind a session cookie, as the request's principal, or null
 * (no cookie, unknown, expired, or the account is deactivated).
 */
export async function findSessionPrincipal(
  store: Store,
  cookieToken: string | undefined,
  now = new Date(),
): Promise<UserPrincipal | null> {
  if (!cookieToken) return null;
  const { sessions, users } = store.tables;
  const tokenHash = hashToken(cookieToken);
  const [row] = await store.db
    .select({ id: users.id, email: users.email, name: users.name, role: users.role, active: users.active })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.tokenHash, tokenHash), gt(sessions.expiresAt, now)))
    .limit(1);
  if (!row || !row.active) return null;
  return { kind: 'user', userId: row.id, email: row.email, name: row.name, role: row.role, sessionTokenHash: tokenHash };
}

export async function revokeSession(tx: Db, tokenHash: string): Promise<void> {
  const { sessions } = tablesOf(tx);
  await tx.delete(sessions).where(eq(sessions.tokenHash, tokenHash));
}

/** Ends every session of the user except `keepTokenHash` (the one making the request). */
export async function revokeOtherSessions(tx: Db, userId: number, keepTokenHash: string): Promise<void> {
  const { sessions } = tablesOf(tx);
  await tx.delete(sessions).where(and(eq(sessions.userId, userId), ne(sessions.tokenHash, keepTokenHash)));
}

export async function revokeUserSessions(tx: Db, userId: number): Promise<void> {
  const { sessions } = tablesOf(tx);
  await tx.delete(sessions).where(eq(sessions.userId, userId));
}

export function sessionCookie(token: string, expiresAt: Date, secure: boolean): string {
  const parts = [
    `${SESSION_COOKIE}=${token}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Lax',
    `Expires=${expiresAt.toUTCString()}`,
  ];
  if (secure) parts.push('Secure');
  return parts.join('; ');
}

export function clearedSessionCookie(): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`;
}
