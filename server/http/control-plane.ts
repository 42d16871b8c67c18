/**
 * The control plane's one HTTP server: Next's pages and route handlers (tRPC among
 * them) and the agents' WebSocket upgrade path, on one port. `next start` cannot
 * serve WebSockets, hence this custom server (see ARCHITECTURE.md, decision 1).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import next from 'next';
import { getDb } from '@/db/client';
import { attachAgentGateway, isAgentConnectRequest } from '@/server/agent-gateway';
import { bootstrap } from '@/server/bootstrap';
import { logger } from '@/server/logger';

export interface ControlPlaneOptions {
  port: number;
  hostname?: string;
  dev?: boolean;
  /** Trust `X-Forwarded-For` / `-Proto` from a reverse proxy in front of us. */
  trustProxy?: boolean;
}

/** A reason the control plane cannot start that the operator can fix; printed without a stack. */
export class StartupError extends Error {}

export interface ControlPlane {
  server: Server;
  url: string;
  close(): Promise<void>;
}

/** Ties the request to its real peer unless a trusted proxy already said who it is. */
function stampClientAddress(req: IncomingMessage, trustProxy: boolean): void {
  if (trustProxy && req.headers['x-forwarded-for']) return;
  req.headers['x-forwarded-for'] = req.socket.remoteAddress ?? '';
  delete req.headers['x-forwarded-proto'];
  delete req.headers['x-forwarded-host'];
}

export async function startControlPlane(options: ControlPlaneOptions): Promise<ControlPlane> {
  const hostname = options.hostname ?? '0.0.0.0';
  const db = getDb();
  await bootstrap(db);

  const app = next({ dev: options.dev ?? false, dir: process.cwd(), hostname, port: options.port });
  const handle = app.getRequestHandler();
  await app.prepare();
  const nextUpgrade = app.getUpgradeHandler();

  const server = createServer((req, res) => {
    stampClientAddress(req, options.trustProxy ?? false);
    handle(req, res).catch((error: unknown) => {
      logger.error('request failed', { url: req.url, error: error instanceof Error ? error.message : String(error) });
      if (!res.headersSent) res.writeHead(500).end('Internal Server Error');
    });
  });

  const gateway = attachAgentGateway(server);
  // The gateway takes its own path; every other upgrade (Next's HMR in dev) goes to Next.
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (isAgentConnectRequest(req)) return;
    void nextUpgrade(req, socket, head);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      gateway.close();
      reject(
        error.code === 'EADDRINUSE'
          ? new StartupError(`Port ${options.port} is already in use. Stop what runs there, or start Fleetdeck with PORT=<another port>.`)
          : error,
      );
    });
    server.listen(options.port, hostname, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${hostname === '0.0.0.0' ? 'localhost' : hostname}:${port}`;
  logger.info('control plane listening', { url, dev: options.dev ?? false });

  return {
    server,
    url,
    async close() {
      gateway.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await app.close();
    },
  };
}
