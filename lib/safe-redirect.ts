/**
 * Where to send a user after sign-in, from a `?next=` value anyone can put in a link.
 * Browsers read `/\evil.example`, `/<tab>/evil.example` and `//evil.example` as other
 * sites, so the value is parsed the way a browser parses it and kept only when it
 * stays on our origin. The placeholder origin never resolves: only the comparison matters.
 */
const OUR_ORIGIN = 'http://fleetdeck.invalid';

export function safeRedirectPath(next: string | undefined): string {
  if (!next) return '/';
  let url: URL;
  try {
    url = new URL(next, OUR_ORIGIN);
  } catch {
    return '/';
  }
  if (url.origin !== OUR_ORIGIN) return '/';
  // `/..//evil.example` normalises to the path `//evil.example`, which a Location header would send off-site.
  if (url.pathname.startsWith('//')) return '/';
  return `${url.pathname}${url.search}${url.hash}`;
}
