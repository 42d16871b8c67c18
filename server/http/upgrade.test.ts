import { createServer, type IncomingMessage, type Server } from 'node:http';
import { connect } from 'node:net';
import { readdirSync } from 'node:fs';
import type { Duplex } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AGENT_CONNECT_PATH } from '@/lib/agent-protocol';
import { isAgentConnectRequest } from '@/server/agent-gateway';
import { listenOnLoopback } from '@/testing/loopback';
import { waitFor } from '@/testing/wait-for';
import { routeUpgrade, type UpgradeRoutes } from './upgrade';

interface Harness {
  server: Server;
  port: number;
  agentUpgrades: string[];
  nextUpgrades: string[];
  close(): Promise<void>;
}

/** A loopback server whose upgrades go through `routeUpgrade`; the gateway and Next only record what they get. */
async function serve(dev: boolean): Promise<Harness> {
  const agentUpgrades: string[] = [];
  const nextUpgrades: string[] = [];
  const heldByNext: Duplex[] = [];
  const routes: UpgradeRoutes = {
    dev,
    gateway: {
      handleUpgrade(req: IncomingMessage, socket: Duplex) {
        agentUpgrades.push(req.url ?? '');
        socket.destroy();
      },
    },
    // Like Next's production handler for a path it does not serve: it never answers or closes.
    nextUpgrade(req: IncomingMessage, socket: Duplex) {
      nextUpgrades.push(req.url ?? '');
      heldByNext.push(socket);
    },
  };
  const server = createServer((_req, res) => res.end());
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => routeUpgrade(req, socket, head, routes));
  const url = await listenOnLoopback(server);
  return {
    server,
    port: Number(new URL(url).port),
    agentUpgrades,
    nextUpgrades,
    async close() {
      for (const socket of heldByNext) socket.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Sends a WebSocket upgrade and resolves with what the server answered before closing (null if it never closed). */
function upgrade(port: number, path: string, timeoutMs = 2_000): Promise<string | null> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(null);
    }, timeoutMs);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(answer);
    });
    socket.write(
      `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
        'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
    );
  });
}

function openConnections(server: Server): Promise<number> {
  return new Promise((resolve, reject) => server.getConnections((error, count) => (error ? reject(error) : resolve(count))));
}

const openDescriptors = () => readdirSync('/proc/self/fd').length;

describe('routeUpgrade in production', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await serve(false);
  });
  afterEach(() => h.close());

  it.each(['/_next/webpack-hmr', '/api/x', '/nonexistent', `${AGENT_CONNECT_PATH}/`, `${AGENT_CONNECT_PATH}x`, '/'])(
    'answers an upgrade to %s with 404 and closes the socket',
    async (path) => {
      const answer = await upgrade(h.port, path);
      expect(answer).toMatch(/^HTTP\/1\.1 404 Not Found\r\n/);
      await waitFor(async () => (await openConnections(h.server)) === 0, 2_000, 'the server still holds the socket');
      expect(h.nextUpgrades).toEqual([]);
      expect(h.agentUpgrades).toEqual([]);
    },
  );

  it('hands the agent path (with or without a query) to the gateway', async () => {
    await upgrade(h.port, AGENT_CONNECT_PATH);
    await upgrade(h.port, `${AGENT_CONNECT_PATH}?v=1`);
    expect(h.agentUpgrades).toEqual([AGENT_CONNECT_PATH, `${AGENT_CONNECT_PATH}?v=1`]);
  });

  it('400 stray upgrades leave no descriptor open', async () => {
    const before = openDescriptors();
    const paths = ['/_next/webpack-hmr', '/api/x', '/nonexistent', `${AGENT_CONNECT_PATH}/`];
    const answers: (string | null)[] = [];
    // Fifty at a time: enough to overlap, well inside the test process's own descriptor limit.
    for (let batch = 0; batch < 8; batch++) {
      answers.push(...(await Promise.all(Array.from({ length: 50 }, (_, i) => upgrade(h.port, paths[i % paths.length] ?? '/')))));
    }
    expect(answers.filter((answer) => !answer?.startsWith('HTTP/1.1 404'))).toEqual([]);
    await waitFor(async () => (await openConnections(h.server)) === 0, 2_000, 'the server still holds sockets');
    await waitFor(() => openDescriptors() - before < 10, 2_000, `descriptors grew from ${before} to ${openDescriptors()}`);
  });
});

describe('routeUpgrade in dev', () => {
  it("hands Next's hot-reload path to Next and still refuses everything else", async () => {
    const h = await serve(true);
    try {
      expect(await upgrade(h.port, '/api/x')).toMatch(/^HTTP\/1\.1 404 /);
      expect(await upgrade(h.port, '/_next/webpack-hmr', 200)).toBeNull();
      expect(h.nextUpgrades).toEqual(['/_next/webpack-hmr']);
    } finally {
      await h.close();
    }
  });
});

describe('isAgentConnectRequest', () => {
  const request = (url: string) => ({ url }) as IncomingMessage;
  it('matches the agent path exactly, query aside', () => {
    expect(isAgentConnectRequest(request(AGENT_CONNECT_PATH))).toBe(true);
    expect(isAgentConnectRequest(request(`${AGENT_CONNECT_PATH}?token=x`))).toBe(true);
    for (const url of [`${AGENT_CONNECT_PATH}/`, `${AGENT_CONNECT_PATH}/x`, `${AGENT_CONNECT_PATH}%2F`, `/x${AGENT_CONNECT_PATH}`, AGENT_CONNECT_PATH.toUpperCase()]) {
      expect(isAgentConnectRequest(request(url)), url).toBe(false);
    }
  });
});
