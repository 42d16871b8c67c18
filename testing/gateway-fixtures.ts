/**
 * The real gateway on a test control plane (fresh store, in-process bus), served by a
 * real HTTP server on loopback that hands agent upgrades to it, as the control plane's
 * own server does.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { InferInsertModel } from 'drizzle-orm';
import type { Tables } from '@/db/schema';
import type { ProviderId } from '@/lib/providers';
import { isAgentConnectRequest, type AgentGateway, type AgentGatewayOptions } from '@/server/agent-gateway';
import type { ControlPlane } from '@/server/control-plane';
import type { DomainEvent } from '@/server/events/bus';
import { createLogger, type Level, type Logger } from '@/server/logger';
import { openStore, type Store } from '@/server/store';
import { mintClusterToken } from '@/server/services/cluster-token';
import { listenOnLoopback } from '@/testing/loopback';
import { createTestDatabase } from '@/testing/postgres-server';
import { createTestControlPlane } from '@/testing/router-harness';

export type GatewayTestOptions = Omit<AgentGatewayOptions, 'store' | 'bus' | 'log'> & {
  /** The control plane's logger (tests that count log lines pass a sink logger); silent by default. */
  log?: Logger;
  /** A store of the test's own (a wrapped one); a fresh test store by default. */
  store?: Store;
};

export interface GatewayHarness {
  cp: ControlPlane;
  store: Store;
  gateway: AgentGateway;
  server: http.Server;
  baseUrl: string;
  /** Every event published on the control plane's bus since start, in order. */
  events: DomainEvent[];
  close(): Promise<void>;
}

const EVENT_TYPES: readonly DomainEvent['type'][] = [
  'cluster.changed',
  'agent.sessionOpened',
  'agent.sessionReady',
  'agent.sessionClosed',
  'sync.statusChanged',
];

/** A control plane whose gateway flushes every 50 ms unless told otherwise, listening on loopback. */
export async function startGateway({ log, store, ...options }: GatewayTestOptions = {}): Promise<GatewayHarness> {
  const cp = await createTestControlPlane({ ...(log ? { log } : {}), ...(store ? { store } : {}), gateway: { flushIntervalMs: 50, ...options } });
  const events: DomainEvent[] = [];
  for (const type of EVENT_TYPES) cp.bus.subscribe(type, (event) => void events.push(event));
  const server = http.createServer((_req, res) => res.writeHead(404).end());
  server.on('upgrade', (req, socket, head) => {
    if (isAgentConnectRequest(req)) cp.gateway.handleUpgrade(req, socket, head);
  });
  const baseUrl = await listenOnLoopback(server);
  return {
    cp,
    store: cp.store,
    gateway: cp.gateway,
    server,
    baseUrl,
    events,
    async close() {
      await cp.gateway.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await cp.close();
    },
  };
}

let clusterSeq = 0;

/** Inserts a cluster and a live token for it; returns the token itself (shown once in real life). */
export async function insertCluster(
  store: Store,
  overrides: Partial<InferInsertModel<Tables['clusters']>> & { provider?: ProviderId } = {},
): Promise<{ clusterId: number; token: string; tokenId: number }> {
  const { clusters, clusterTokens } = store.tables;
  const minted = mintClusterToken();
  return store.transaction(async (tx) => {
    const [cluster] = await tx
      .insert(clusters)
      .values({
        name: `cluster-${++clusterSeq}-${process.pid}`,
        provider: 'generic',
        region: 'us-east-1',
        prometheusUrl: 'http://prometheus-operated.prometheus.svc.cluster.local:9090',
        nodePoolLabel: 'fleetdeck.io/node-pool',
        gpuTypeLabel: 'fleetdeck.io/gpu-type',
        ...overrides,
      })
      .returning({ id: clusters.id });
    if (!cluster) throw new Error('insertCluster: no cluster row returned');
    const [token] = await tx
      .insert(clusterTokens)
      .values({ clusterId: cluster.id, tokenHash: minted.tokenHash, prefix: minted.prefix })
      .returning({ id: clusterTokens.id });
    if (!token) throw new Error('insertCluster: no token row returned');
    return { clusterId: cluster.id, token: minted.token, tokenId: token.id };
  });
}

export interface CapturedLog {
  log: Logger;
  lines: string[];
  /** What the lines would take in a log file, newlines included. */
  readonly bytes: number;
}

/** A real logger (`createLogger`) whose lines are kept, to count what a test made the server write. */
export function captureLog(level: Level = 'info'): CapturedLog {
  const lines: string[] = [];
  let bytes = 0;
  const log = createLogger(level, (_level, line) => {
    lines.push(line);
    bytes += Buffer.byteLength(line) + 1;
  });
  return {
    log,
    lines,
    get bytes() {
      return bytes;
    },
  };
}

export interface StallProbe {
  /** Stops probing; the longest the event loop was held meanwhile, in ms (how late a 5 ms timer fired). */
  stop(): number;
}

/**
 * Measures the event loop the plain way: a 5 ms interval that notes how late it fires.
 * A stall of the loop is exactly a late timer, whatever caused it.
 */
export function probeEventLoop(intervalMs = 5): StallProbe {
  let last = performance.now();
  let longest = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last - intervalMs);
    last = now;
  }, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(longest, performance.now() - last - intervalMs);
    },
  };
}

/** A database that outlives control planes: each `open` is a new store on the same SQLite file or PostgreSQL database. */
export interface RestartableStore {
  open(): Promise<Store>;
  /** Removes the database (the stores opened on it must be closed). */
  dispose(): Promise<void>;
}

export async function restartableStore(): Promise<RestartableStore> {
  const serverUrl = process.env.FLEETDECK_TEST_POSTGRES_URL;
  if (serverUrl) {
    const name = `fd_restart_${process.pid}_${Date.now().toString(36)}`;
    const url = await createTestDatabase(serverUrl, name, process.env.FLEETDECK_TEST_POSTGRES_TEMPLATE || undefined);
    // The throwaway server is removed with its databases after the run.
    return { open: () => openStore({ engine: 'postgres', url, poolSize: 4 }), dispose: async () => undefined };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleetdeck-restart-'));
  const file = path.join(dir, 'control-plane.db');
  return {
    open: async () => openStore({ engine: 'sqlite', path: file }),
    dispose: async () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/** Inserts `count` clusters with a live token each, in bulk; returns ids and tokens in the same order. */
export async function insertClusters(store: Store, count: number): Promise<{ ids: number[]; tokens: string[] }> {
  const { clusters, clusterTokens } = store.tables;
  const ids: number[] = [];
  const tokens: string[] = [];
  const prefix = `fleet-${++clusterSeq}-${process.pid}`;
  await store.transaction(async (tx) => {
    for (let from = 0; from < count; from += 500) {
      const names = Array.from({ length: Math.min(500, count - from) }, (_, i) => `${prefix}-${String(from + i).padStart(5, '0')}`);
      const rows = await tx
        .insert(clusters)
        .values(
          names.map((name) => ({
            name,
            provider: 'generic' as const,
            region: 'us-east-1',
            prometheusUrl: 'http://prometheus:9090',
            nodePoolLabel: 'fleetdeck.io/node-pool',
            gpuTypeLabel: 'fleetdeck.io/gpu-type',
          })),
        )
        .returning({ id: clusters.id, name: clusters.name });
      rows.sort((a, b) => a.name.localeCompare(b.name));
      const minted = rows.map(() => mintClusterToken());
      await tx.insert(clusterTokens).values(rows.map((row, i) => ({ clusterId: row.id, tokenHash: minted[i]?.tokenHash ?? '', prefix: minted[i]?.prefix ?? '' })));
      ids.push(...rows.map((row) => row.id));
      tokens.push(...minted.map((m) => m.token));
    }
  });
  return { ids, tokens };
}
