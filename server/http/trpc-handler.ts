/**
 * `/api/trpc` served by the control plane's own HTTP server (not a Next route), so
 * procedures, the gateway and the store live in one module graph.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { nodeHTTPRequestHandler } from '@trpc/server/adapters/node-http';
import { findSessionPrincipal, SESSION_COOKIE } from '@/server/auth/session';
import { ANONYMOUS, type Principal } from '@/server/access/principal';
import type { ControlPlane } from '@/server/control-plane';
import { appRouter } from '@/server/root';
import type { Context } from '@/server/trpc';
import { readCookie } from './cookies';
import { requestFacts } from './request-facts';

export const TRPC_PREFIX = '/api/trpc/';
/** Procedure inputs are small JSON documents; uploads will get their own route and limit. */
export const TRPC_MAX_BODY_BYTES = 1024 * 1024;

/** The caller behind a request's session cookie, or anonymous. */
export async function principalOf(cp: ControlPlane, req: IncomingMessage): Promise<Principal> {
  const token = readCookie(req.headers.cookie, SESSION_COOKIE);
  if (!token) return ANONYMOUS;
  return (await findSessionPrincipal(cp.store, token)) ?? ANONYMOUS;
}

function refuse(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', connection: 'close' });
  res.end(JSON.stringify({ error: { message } }));
}

/**
 * Mutations must come from our own pages: a browser says where a request comes from
 * (`Sec-Fetch-Site`, `Origin`), and a JSON content type cannot be sent cross-site
 * without a preflight we never grant.
 */
function crossSiteRefusal(req: IncomingMessage): string | null {
  if (req.method !== 'POST') return null;
  const site = req.headers['sec-fetch-site'];
  if (site && site !== 'same-origin' && site !== 'none') return 'Cross-site requests are refused';
  const origin = req.headers.origin;
  if (origin && origin !== 'null') {
    let originHost: string;
    try {
      originHost = new URL(origin).host;
    } catch {
      return 'Cross-site requests are refused';
    }
    if (originHost !== req.headers.host) return 'Cross-site requests are refused';
  } else if (origin === 'null') {
    return 'Cross-site requests are refused';
  }
  const type = req.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') return 'Send JSON (content-type: application/json)';
  return null;
}

export async function handleTrpcRequest(cp: ControlPlane, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const declaredLength = Number(req.headers['content-length'] ?? 0);
  if (declaredLength > TRPC_MAX_BODY_BYTES) {
    refuse(res, 413, 'The request is too large');
    req.destroy();
    return;
  }
  const refusal = crossSiteRefusal(req);
  if (refusal) {
    refuse(res, 403, refusal);
    return;
  }
  const url = req.url ?? '';
  const path = url.slice(TRPC_PREFIX.length).split('?')[0] ?? '';
  await nodeHTTPRequestHandler({
    router: appRouter,
    req,
    res,
    path,
    maxBodySize: TRPC_MAX_BODY_BYTES,
    async createContext(): Promise<Context> {
      return { cp, principal: await principalOf(cp, req), request: requestFacts(req, cp.config), resHeaders: new Headers() };
    },
    responseMeta({ ctx }) {
      const headers = new Headers(ctx?.resHeaders);
      headers.set('cache-control', 'no-store');
      return { headers };
    },
  });
}
