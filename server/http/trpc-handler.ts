/**
 * `/api/trpc` served by the control plane's own HTTP server (not a Next route), so
 * procedures, the gateway and the store live in one module graph.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { TRPC_ERROR_CODES_BY_KEY, type TRPC_ERROR_CODE_KEY } from '@trpc/server/rpc';
import { nodeHTTPRequestHandler } from '@trpc/server/adapters/node-http';
import { findSessionPrincipal, SESSION_COOKIE } from '@/server/auth/session';
import { ANONYMOUS, type Principal } from '@/server/access/principal';
import type { ControlPlane } from '@/server/control-plane';
import { appRouter } from '@/server/root';
import type { Context } from '@/server/trpc';
import { readCookie } from './cookies';
import { isSecure, requestFacts } from './request-facts';
import { API_HEADERS, transportHeaders } from './security-headers';

export const TRPC_PREFIX = '/api/trpc/';
/** Procedure inputs are small JSON documents; uploads will get their own route and limit. */
export const TRPC_MAX_BODY_BYTES = 1024 * 1024;

const MAX_REFUSED_CALLS = 100;
const TOO_LARGE = 'The request is too large';
const CROSS_SITE = 'Cross-site requests are refused';
const NOT_JSON = 'Send JSON (content-type: application/json)';

/** The caller behind a request's session cookie, or anonymous. */
export async function principalOf(cp: ControlPlane, req: IncomingMessage): Promise<Principal> {
  const token = readCookie(req.headers.cookie, SESSION_COOKIE);
  if (!token) return ANONYMOUS;
  return (await findSessionPrincipal(cp.store, token)) ?? ANONYMOUS;
}

interface Refusal {
  status: 403 | 413 | 415;
  code: TRPC_ERROR_CODE_KEY;
  message: string;
}

/**
 * Answers before tRPC runs, in the envelope tRPC's client reads (superjson, one entry per
 * call of a batch), so the browser shows our message. `Connection: close` makes Node
 * close the socket once the answer is out: whatever the client still sends is not read.
 */
function refuse(req: IncomingMessage, res: ServerResponse, { status, code, message }: Refusal): void {
  const error = { json: { message, code: TRPC_ERROR_CODES_BY_KEY[code], data: { code, httpStatus: status, fieldErrors: null } } };
  const url = new URL(req.url ?? '/', 'http://fleetdeck.invalid');
  // Our pages batch a handful of calls; the cap keeps a URL of commas from buying a large answer.
  const calls = Math.min(url.pathname.slice(TRPC_PREFIX.length).split(',').length, MAX_REFUSED_CALLS);
  const body = url.searchParams.get('batch') === '1' ? Array.from({ length: calls }, () => ({ error })) : { error };
  res.writeHead(status, { ...API_HEADERS, 'content-type': 'application/json', connection: 'close' });
  res.end(JSON.stringify(body));
}

/** The origins our own pages are served from: the one the request reached, and the configured public URL. */
function isOwnOrigin(origin: string, req: IncomingMessage, publicUrl: string | undefined): boolean {
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    return false;
  }
  return host === req.headers.host || (publicUrl !== undefined && host === new URL(publicUrl).host);
}

/**
 * Mutations must come from our own pages: a browser says where a request comes from
 * (`Sec-Fetch-Site`, `Origin`), and a JSON content type cannot be sent cross-site
 * without a preflight we never grant.
 */
function crossSiteRefusal(req: IncomingMessage, publicUrl: string | undefined): Refusal | null {
  if (req.method === 'GET' || req.method === 'HEAD') return null;
  const site = req.headers['sec-fetch-site'];
  if (site && site !== 'same-origin' && site !== 'none') return { status: 403, code: 'FORBIDDEN', message: CROSS_SITE };
  const origin = req.headers.origin;
  if (origin !== undefined && !isOwnOrigin(origin, req, publicUrl)) return { status: 403, code: 'FORBIDDEN', message: CROSS_SITE };
  const type = req.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') return { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: NOT_JSON };
  return null;
}

type BodyRead = { kind: 'read'; text: string } | { kind: 'too-large' } | { kind: 'gone' };

/**
 * The body, read as it arrives and kept only up to `limit` bytes: past it the reading
 * stops, whether or not the client declared the length. A client that hangs up
 * mid-body is `gone`: nothing to answer, nothing to log.
 */
function readBoundedBody(req: IncomingMessage, limit: number): Promise<BodyRead> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (result: BodyRead) => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onGone);
      req.off('close', onGone);
      chunks.length = 0;
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) finish({ kind: 'too-large' });
      else chunks.push(chunk);
    };
    const onEnd = () => finish({ kind: 'read', text: Buffer.concat(chunks).toString('utf8') });
    const onGone = () => finish({ kind: 'gone' });
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onGone);
    req.on('close', onGone);
  });
}

const tooLarge: Refusal = { status: 413, code: 'PAYLOAD_TOO_LARGE', message: TOO_LARGE };

export async function handleTrpcRequest(cp: ControlPlane, req: IncomingMessage, res: ServerResponse): Promise<void> {
  for (const [name, value] of Object.entries(transportHeaders(isSecure(req, cp.config)))) res.setHeader(name, value);
  const refusal = crossSiteRefusal(req, cp.config.publicUrl);
  if (refusal) return refuse(req, res, refusal);
  if (Number(req.headers['content-length'] ?? 0) > TRPC_MAX_BODY_BYTES) return refuse(req, res, tooLarge);
  let body: string | undefined;
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    const read = await readBoundedBody(req, TRPC_MAX_BODY_BYTES);
    if (read.kind === 'gone') return;
    if (read.kind === 'too-large') return refuse(req, res, tooLarge);
    body = read.text;
  }
  const url = req.url ?? '';
  const path = url.slice(TRPC_PREFIX.length).split('?')[0] ?? '';
  // tRPC takes an already read body from `req.body` instead of the stream.
  await nodeHTTPRequestHandler({
    router: appRouter,
    req: Object.assign(req, { body }),
    res,
    path,
    maxBodySize: TRPC_MAX_BODY_BYTES,
    async createContext(): Promise<Context> {
      return { cp, principal: await principalOf(cp, req), request: requestFacts(req, cp.config), resHeaders: new Headers() };
    },
    responseMeta({ ctx }) {
      const headers = new Headers(ctx?.resHeaders);
      for (const [name, value] of Object.entries(API_HEADERS)) headers.set(name, value);
      return { headers };
    },
  });
}
