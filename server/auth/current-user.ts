import { cookies } from 'next/headers';
import { getDb } from '@/db/client';
import { findSessionUser, SESSION_COOKIE, type SessionUser } from '@/server/auth/session';

/** The signed-in user for a server component or route, from the session cookie. */
export async function currentUser(): Promise<SessionUser | null> {
  const jar = await cookies();
  return findSessionUser(getDb(), jar.get(SESSION_COOKIE)?.value);
}
