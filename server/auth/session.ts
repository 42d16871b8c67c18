import { createHash, randomBytes } from 'node:crypto';
import { and, eq, gt, lt, ne } from 'drizzle-orm';
import type { Tx } from '@/db/client';
import { sessions, users } from '@/db/schema';
import type { Role } from '@/lib/permissions';

export const SESSION_COOKIE = 'fd_session';
/** Sessions expire a fixed time after sign-in; signing in again starts a new one. */
export const SESSION_TTL_SECONDS = 12 * 60 * 60;

export interface SessionUser {
  id: number;
  email: string;
  name: string;
  role: Role;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Starts a session and returns the cookie value (the only place it exists). */
export function createSession(
  db: Tx,
  userId: number,
  meta: { ip: string | null; userAgent: string | null },
  now = new Date(),
): { token: string; expiresAt: Date } {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + SESSION_TTL_SECONDS * 1000);
  db.insert(sessions)
    .values({ tokenHash: hashToken(token), userId, expiresAt, ip: meta.ip, userAgent: meta.userAgent?.slice(0, 300) ?? null })
    .run();
  // Housekeeping on the write path keeps the table small without a scheduler.
  db.delete(sessions).where(lt(sessions.expiresAt, now)).run();
  return { token, expiresAt };
}

/** The signed-in user behind a cookie value, or null (unknown, expired, or deactivated). */
export function findSessionUser(db: Tx, token: string | undefined, now = new Date()): SessionUser | null {
  if (!token) return null;
  const row = db
    .select({ id: users.id, email: users.email, name: users.name, role: users.role, active: users.active })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.tokenHash, hashToken(token)), gt(sessions.expiresAt, now)))
    .get();
  if (!row || !row.active) return null;
  return { id: row.id, email: row.email, name: row.name, role: row.role };
}

export function revokeSession(db: Tx, token: string): void {
  db.delete(sessions).where(eq(sessions.tokenHash, hashToken(token))).run();
}

/** Ends every session of the user except `keepTokenHash` (the one making the request). */
export function revokeOtherSessions(db: Tx, userId: number, keepTokenHash: string | null): void {
  db.delete(sessions)
    .where(keepTokenHash ? and(eq(sessions.userId, userId), ne(sessions.tokenHash, keepTokenHash)) : eq(sessions.userId, userId))
    .run();
}

export function revokeUserSessions(db: Tx, userId: number): void {
  db.delete(sessions).where(eq(sessions.userId, userId)).run();
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

export function readCookie(header: string | null | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eqAt = part.indexOf('=');
    if (eqAt > 0 && part.slice(0, eqAt).trim() === name) return decodeURIComponent(part.slice(eqAt + 1).trim());
  }
  return undefined;
}
