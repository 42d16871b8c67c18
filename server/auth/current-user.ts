import { headers } from 'next/headers';
import { decodePrincipalHeader, PRINCIPAL_HEADER } from '@/server/access/principal-header';
import type { SessionUser } from '@/server/access/principal';

/**
 * The signed-in user for a server component, as the HTTP layer resolved it for this
 * request (server/access/principal-header.ts); pages never read the session store.
 */
export async function currentUser(): Promise<SessionUser | null> {
  return decodePrincipalHeader((await headers()).get(PRINCIPAL_HEADER));
}
