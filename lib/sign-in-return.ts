/**
 * Deep links through sign-in. The HTTP layer tells the pages which address was asked
 * for (a layout cannot see its own URL) in this header, always overwriting what the
 * client sent; the signed-in layout sends a signed-out visitor to sign-in with that
 * address as `next`, and sign-in returns there (through `safeRedirectPath`: same origin only).
 */
import { safeRedirectPath } from '@/lib/safe-redirect';

export const REQUEST_PATH_HEADER = 'x-fleetdeck-request-path';

/** Next's own cache-busting parameter on client navigations; not part of the page's address. */
const INTERNAL_PARAMS = ['_rsc'];

/** `/sign-in`, with `?next=` naming `requestPath` when it is a same-origin page worth returning to. */
export function signInPathFor(requestPath: string | null | undefined): string {
  if (!requestPath) return '/sign-in';
  const url = new URL(safeRedirectPath(requestPath), 'http://fleetdeck.invalid');
  for (const name of INTERNAL_PARAMS) url.searchParams.delete(name);
  const target = `${url.pathname}${url.search}`;
  return target === '/' ? '/sign-in' : `/sign-in?next=${encodeURIComponent(target)}`;
}
