/**
 * The control plane's API without Next, as a child process for the suites that kill it
 * (server/crash-safety.test.ts) and the soak benchmark (bench/soak.ts):
 *
 *   node --import tsx testing/api-server.ts
 *
 * It builds the control plane from the environment like server.ts does (`DATABASE_PATH`
 * or `DATABASE_URL`, `FLEETDECK_ADMIN_*`, `LOG_LEVEL`...), serves `/api/trpc/` and the
 * agents' upgrade path on loopback (`PORT`, 0 by default: a free one), answers 404 to
 * everything else, and prints one JSON line on stdout when it listens:
 * `{"ready":"api-server","url":"http://127.0.0.1:PORT","pid":N,"limits":{...}}`.
 * SIGTERM closes it cleanly; the suites mostly SIGKILL it. Started with `--expose-gc`,
 * SIGUSR2 prints `{"heapAfterGc":N,"rss":N}` after a full collection.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { loadConfig } from '@/server/config';
import { createControlPlane } from '@/server/control-plane';
import { handleTrpcRequest, TRPC_PREFIX } from '@/server/http/trpc-handler';
import { SLOW_CLIENT_LIMITS } from '@/server/http/slow-clients';
import { routeUpgrade } from '@/server/http/upgrade';
import { errorMessage } from '@/server/logger';
import { listenOnLoopback } from './loopback';

/**
 * Slow clients are cut with the production limits (server/http/slow-clients.ts);
 * bench/soak.ts reports how long they lived. `API_SERVER_NODE_TIMEOUTS=1` keeps Node's
 * defaults instead, to measure those.
 */
const nodeTimeouts = process.env.API_SERVER_NODE_TIMEOUTS === '1';

const config = loadConfig({ PORT: '0', ...process.env });
const cp = await createControlPlane(config);
const log = cp.log.child({ component: 'api-server' });

function notFound(res: ServerResponse): void {
  res.writeHead(404, { 'content-type': 'text/plain', 'cache-control': 'no-store' }).end('Not Found');
}

const server = createServer(nodeTimeouts ? {} : SLOW_CLIENT_LIMITS, (req: IncomingMessage, res: ServerResponse) => {
  const url = req.url ?? '/';
  if (!url.startsWith(TRPC_PREFIX)) {
    notFound(res);
    return;
  }
  handleTrpcRequest(cp, req, res).catch((error: unknown) => {
    log.error('request failed', { path: url.split('?')[0], error: errorMessage(error) });
    if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' }).end('Internal Server Error');
    else res.destroy();
  });
});

// The production routing: the agents' path to the gateway, every other upgrade refused and closed.
server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => routeUpgrade(req, socket, head, { gateway: cp.gateway, dev: false }));

const url = await listenOnLoopback(server, config.port);
process.stdout.write(JSON.stringify({
    ready: 'api-server',
    url,
    pid: process.pid,
    limits: { headersTimeoutMs: server.headersTimeout, requestTimeoutMs: server.requestTimeout },
  }) + '\n');

// With --expose-gc, SIGUSR2 asks for the live heap after a full collection: a leak shows
// there long before RSS, which V8 grows and shrinks with the load.
const collect = globalThis.gc;
if (collect) {
  process.on('SIGUSR2', () => {
    collect();
    const memory = process.memoryUsage();
    process.stdout.write(JSON.stringify({ heapAfterGc: memory.heapUsed, rss: memory.rss }) + '\n');
  });
}

process.once('SIGTERM', () => {
  server.closeAllConnections();
  server.close();
  void cp.close().finally(() => process.exit(0));
});
