/**
 * How the HTTP layer hands the request's principal to Next's pages: it resolves the
 * caller once per request and sets this header (always overwriting or stripping what
 * the client sent), and `currentUser()` reads it back. Pages then never open the store.
 * No Next import here, so the HTTP server and the pages share this one definition.
 */
import { z } from 'zod';
import { ROLES } from '@/lib/permissions';
import type { SessionUser } from './principal';

export const PRINCIPAL_HEADER = 'x-fleetdeck-principal';

const sessionUserSchema = z.object({
  id: z.number().int().positive(),
  email: z.string().min(1),
  name: z.string(),
  role: z.enum(ROLES),
});

/** The header value for a signed-in user: their `SessionUser` as base64url JSON. */
export function encodePrincipalHeader(user: SessionUser): string {
  const { id, email, name, role } = user;
  return Buffer.from(JSON.stringify({ id, email, name, role }), 'utf8').toString('base64url');
}

/** The user a header value names, or null when it is absent or not one we wrote. */
export function decodePrincipalHeader(value: string | null | undefined): SessionUser | null {
  if (!value) return null;
  try {
    const parsed = sessionUserSchema.safeParse(JSON.parse(Buffer.from(value, 'base64url').toString('utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
