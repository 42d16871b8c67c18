/**
 * The control plane's one HTTP server: Next's pages, `/api/trpc`, and the agents'
 * WebSocket upgrade path, on one port (ARCHITECTURE.md decision 1; `next start` cannot
 * serve WebSockets). Everything a request needs comes from the `ControlPlane` built
 * once at start.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import next from 'next';
import { PRINCIPAL_HEADER, encodePrincipalHeader } from '@/server/access/principal-header';
import { sessionUserOf } from '@/server/access/principal';
import { LISTEN_BACKLOG } from '@/server/agent-gateway';
import type { ControlPlane } from '@/server/control-plane';
import { REQUEST_PATH_HEADER } from '@/lib/sign-in-return';
import { errorMessage } from '@/server/logger';
import { artifactUploadOrigins } from '@/server/services/ml-repos/artifacts';
import { AGENT_CHART_PREFIX, handleAgentChartRequest } from './agent-chart';
import { isSecure } from './request-facts';
import { applyPageHeaders } from './security-headers';
import { SLOW_CLIENT_LIMITS } from './slow-clients';
import { handleTrpcRequest, principalOf, TRPC_PREFIX } from './trpc-handler';
import { routeUpgrade } from './upgrade';

/** A reason the server cannot start that the operator can fix; printed without a stack. */
export class StartupError extends Error {}

export interface HttpServer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

export interface HttpServerOptions {
  /** Defaults to `cp.config.port` (0 picks a free one). */
  port?: number;
  hostname?: string;
  /** Next in dev mode; defaults to `cp.config.dev`. */
  dev?: boolean;
}

/** Static assets need no caller; everything else Next renders may. */
function needsPrincipal(url: string): boolean {
  return !url.startsWith('/_next/') && !url.startsWith('/favicon');
}

function listenOrExplain(server: Server, port: number, hostname: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new StartupError(`Port ${port} is already in use. Stop what runs there, or start Fleetdeck with PORT=<another port>.`)
          : error,
      );
    });
    server.listen({ port, host: hostname, backlog: LISTEN_BACKLOG }, resolve);
  });
}

/**
 * Binds the port and lets it go again: entry points call it before building or opening
 * anything, so a second start on a taken port stops before it has changed a thing.
 */
export async function assertPortFree(hostname: string, port: number): Promise<void> {
  if (port === 0) return;
  const probe = createServer();
  await listenOrExplain(probe, port, hostname);
  await new Promise<void>((resolve) => probe.close(() => resolve()));
}

/** How long the storage origins in the pages' connect-src are reused before they are read again. */
const UPLOAD_ORIGINS_TTL_MS = 5_000;

export async function startHttpServer(cp: ControlPlane, options: HttpServerOptions = {}): Promise<HttpServer> {
  const hostname = options.hostname ?? cp.config.hostname;
  const port = options.port ?? cp.config.port;
  const dev = options.dev ?? cp.config.dev;
  const log = cp.log.child({ component: 'http' });

  const app = next({ dev, dir: process.cwd(), hostname, port });
  const handleWithNext = app.getRequestHandler();
  await app.prepare();
  const nextUpgrade = app.getUpgradeHandler();

  // Artifact uploads go from the page straight to the storage (presigned PUT): its origins
  // join connect-src. Read at most every few seconds, not once per page and asset request.
  let uploadOrigins: { readAt: number; origins: Promise<string[]> } | null = null;
  const storageOrigins = (): Promise<string[]> => {
    if (!uploadOrigins || Date.now() - uploadOrigins.readAt > UPLOAD_ORIGINS_TTL_MS) {
      uploadOrigins = { readAt: Date.now(), origins: artifactUploadOrigins(cp.store).catch(() => []) };
    }
    return uploadOrigins.origins;
  };

  const handlePage = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const connectSources = await storageOrigins();
    applyPageHeaders(req, res, { dev, secure: isSecure(req, cp.config), connectSources });
    // Pages learn who is calling only from us: whatever a client sent under this name is dropped.
    delete req.headers[PRINCIPAL_HEADER];
    // The signed-in layout sends a signed-out visitor to sign-in with this as `next` (deep links).
    req.headers[REQUEST_PATH_HEADER] = req.url ?? '/';
    if (needsPrincipal(req.url ?? '/')) {
      const user = sessionUserOf(await principalOf(cp, req));
      if (user) req.headers[PRINCIPAL_HEADER] = encodePrincipalHeader(user);
    }
    await handleWithNext(req, res);
  };

  const server = createServer(SLOW_CLIENT_LIMITS, (req, res) => {
    const url = req.url ?? '/';
    // The agent chart is public (it holds no secret): helm fetches it without a session.
    if (url.startsWith(AGENT_CHART_PREFIX)) return handleAgentChartRequest(req, res);
    const handled = url.startsWith(TRPC_PREFIX) ? handleTrpcRequest(cp, req, res) : handlePage(req, res);
    handled.catch((error: unknown) => {
      log.error('request failed', { path: url.split('?')[0], error: errorMessage(error) });
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' }).end('Internal Server Error');
      else res.destroy();
    });
  });

  const upgradeRoutes = { gateway: cp.gateway, dev, nextUpgrade };
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => routeUpgrade(req, socket, head, upgradeRoutes));

  await listenOrExplain(server, port, hostname);
  const bound = (server.address() as AddressInfo).port;
  const url = `http://${hostname === '0.0.0.0' ? 'localhost' : hostname}:${bound}`;
  log.info('control plane listening', { url, dev, engine: cp.store.engine });

  return {
    server,
    url,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await app.close();
    },
  };
}
