/**
 * Headers the HTTP layer sets itself, per request (the static ones, such as
 * `X-Frame-Options`, come from next.config.js).
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Two years, the preload list's floor; subdomains are left to their own servers. */
const HSTS = 'max-age=63072000';

/** Only over HTTPS: a browser ignores HSTS on plain HTTP, and a plain-HTTP install must stay reachable. */
export function transportHeaders(secure: boolean): Record<string, string> {
  return secure ? { 'strict-transport-security': HSTS } : {};
}

/** API answers are per user and per moment: never stored by a browser or a proxy. */
export const API_HEADERS = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' } as const;

function newNonce(): string {
  return randomBytes(16).toString('base64');
}

/**
 * The pages' Content-Security-Policy. Scripts run only with this request's nonce (Next
 * reads it from the request's own `Content-Security-Policy` header and puts it on every
 * script it renders; `strict-dynamic` lets those load their chunks). Styles may be
 * inline: components set `style` attributes, and a style cannot run code.
 */
export interface PagePolicyOptions {
  dev: boolean;
  secure: boolean;
  /** Origins beside our own that page scripts may send to: the storage a presigned upload goes to. */
  connectSources?: readonly string[];
}

export function pageSecurityPolicy(nonce: string, options: PagePolicyOptions): string {
  const directives = [
    "default-src 'self'",
    // React's dev build rebuilds server error stacks with eval; production never evals.
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${options.dev ? " 'unsafe-eval'" : ''}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' blob: data:",
    "font-src 'self'",
    ["connect-src 'self'", ...(options.connectSources ?? [])].join(' '),
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ];
  if (options.secure) directives.push('upgrade-insecure-requests');
  return directives.join('; ');
}

/**
 * Before a page request goes to Next: a fresh nonce in the policy on the request (Next
 * reads it from there) and the same policy on the response (the browser enforces it).
 * A policy the client sent itself is replaced, never believed.
 */
export function applyPageHeaders(req: IncomingMessage, res: ServerResponse, options: PagePolicyOptions): void {
  const policy = pageSecurityPolicy(newNonce(), options);
  req.headers['content-security-policy'] = policy;
  delete req.headers['content-security-policy-report-only'];
  res.setHeader('content-security-policy', policy);
  for (const [name, value] of Object.entries(transportHeaders(options.secure))) res.setHeader(name, value);
}
