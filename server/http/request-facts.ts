/**
 * What a request says about its client, decided once at the edge. Forwarded headers
 * are believed only as far as the configured proxies reach: a client can write any
 * `X-Forwarded-For` it likes, so the address taken is the one the outermost trusted
 * proxy appended (rightmost minus the trusted hops), never the leftmost.
 */
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { RequestFacts } from '@/server/trpc';

export interface EdgeConfig {
  trustProxyHops: number;
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/**
 * The entry of a proxy-appended list (`X-Forwarded-For`, `X-Forwarded-Proto`) that the
 * outermost trusted proxy added: each proxy appends what it saw, so the last `hops`
 * entries are theirs and anything further left is the client's own writing. A shorter
 * list was written by trusted proxies alone.
 */
function trustedEntry(req: IncomingMessage, name: string, hops: number): string | undefined {
  const entries = (headerValue(req, name) ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  return entries[entries.length - hops] ?? entries[0];
}

/** The client's address: the socket's peer, or what the trusted proxies vouch for. */
export function clientAddress(req: IncomingMessage, config: EdgeConfig): string | null {
  const peer = req.socket.remoteAddress ?? null;
  if (config.trustProxyHops === 0) return peer;
  return trustedEntry(req, 'x-forwarded-for', config.trustProxyHops) ?? peer;
}

/** Whether the client reached us over HTTPS (directly, or at a trusted proxy). */
export function isSecure(req: IncomingMessage, config: EdgeConfig): boolean {
  if ((req.socket as Partial<TLSSocket>).encrypted) return true;
  if (config.trustProxyHops === 0) return false;
  return trustedEntry(req, 'x-forwarded-proto', config.trustProxyHops)?.toLowerCase() === 'https';
}

/**
 * `scheme://host` from the `Host` header, or null when it is not a plain host[:port]:
 * it becomes the URL agents dial, so anything odd is refused rather than echoed.
 * `X-Forwarded-Host` is never used: FLEETDECK_PUBLIC_URL is how a proxied deployment says where it lives.
 */
export function requestOrigin(req: IncomingMessage, secure: boolean): string | null {
  const host = req.headers.host;
  if (!host || !/^[a-z0-9.-]{1,253}(:\d{1,5})?$|^\[[0-9a-f:.]{2,45}\](:\d{1,5})?$/i.test(host)) return null;
  return `${secure ? 'https' : 'http'}://${host.toLowerCase()}`;
}

export function requestFacts(req: IncomingMessage, config: EdgeConfig): RequestFacts {
  const secure = isSecure(req, config);
  const userAgent = headerValue(req, 'user-agent');
  return {
    ip: clientAddress(req, config),
    userAgent: userAgent ? userAgent.slice(0, 300) : null,
    secure,
    origin: requestOrigin(req, secure),
  };
}
