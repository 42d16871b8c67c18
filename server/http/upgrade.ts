/**
 * Where a WebSocket upgrade goes. Only the agents' path is ours to upgrade (and, in dev,
 * Next's hot reload). Everything else is answered with an HTTP error and closed here:
 * a socket handed to a handler that ignores it stays open for good, and a few hundred
 * of those exhaust the process's descriptors.
 */
import type { IncomingMessage } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { isAgentConnectRequest, type AgentGateway } from '@/server/agent-gateway';

export interface UpgradeRoutes {
  gateway: Pick<AgentGateway, 'handleUpgrade'>;
  /** Next's dev server: its hot-reload socket under `/_next/` is the one other upgrade allowed. */
  dev: boolean;
  nextUpgrade?: (req: IncomingMessage, socket: Duplex, head: Buffer) => Promise<void> | void;
}

/** A client that never reads its answer must not keep the socket: closed after this long regardless. */
const REFUSAL_GRACE_MS = 2_000;

export function refuseUpgradeRequest(socket: Duplex, status: 404 | 500): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const timer = setTimeout(() => socket.destroy(), REFUSAL_GRACE_MS);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
  // Destroy once the answer is flushed rather than at once, so the client reads why.
  socket.once('finish', () => socket.destroy());
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

export function routeUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, routes: UpgradeRoutes): void {
  socket.on('error', () => socket.destroy());
  if (isAgentConnectRequest(req)) {
    routes.gateway.handleUpgrade(req, socket, head);
    return;
  }
  const { nextUpgrade } = routes;
  if (routes.dev && nextUpgrade && (req.url ?? '').startsWith('/_next/')) {
    Promise.resolve(nextUpgrade(req, socket, head)).catch(() => refuseUpgradeRequest(socket, 500));
    return;
  }
  refuseUpgradeRequest(socket, 404);
}
