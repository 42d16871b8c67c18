/** A real HTTP server with the gateway on loopback, over a fresh in-memory database. */
import http from 'node:http';
import { openDatabase, setDb, type Db } from '@/db/client';
import { clusters, clusterTokens } from '@/db/schema';
import type { ProviderId } from '@/lib/providers';
import { mintClusterToken } from '@/server/services/cluster-token';
import { attachAgentGateway, type AgentGatewayOptions, type AttachedAgentGateway } from '@/server/agent-gateway';
import { listenOnLoopback } from '@/testing/loopback';

export interface GatewayHarness {
  db: Db;
  server: http.Server;
  gateway: AttachedAgentGateway;
  baseUrl: string;
  close(): Promise<void>;
}

export async function startGateway(options: AgentGatewayOptions = {}, db: Db = openDatabase(':memory:')): Promise<GatewayHarness> {
  setDb(db);
  const server = http.createServer((_req, res) => {
    res.statusCode = 404;
    res.end();
  });
  const gateway = attachAgentGateway(server, { db, flushIntervalMs: 50, ...options });
  const baseUrl = await listenOnLoopback(server);
  return {
    db,
    server,
    gateway,
    baseUrl,
    async close() {
      gateway.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

let clusterSeq = 0;

/** Inserts a cluster and a live token for it; returns the token itself (shown once in real life). */
export function insertCluster(
  db: Db,
  overrides: Partial<typeof clusters.$inferInsert> & { provider?: ProviderId } = {},
): { clusterId: number; token: string; tokenId: number } {
  const cluster = db
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
    .returning({ id: clusters.id })
    .get();
  const minted = mintClusterToken();
  const token = db
    .insert(clusterTokens)
    .values({ clusterId: cluster.id, tokenHash: minted.tokenHash, prefix: minted.prefix })
    .returning({ id: clusterTokens.id })
    .get();
  return { clusterId: cluster.id, token: minted.token, tokenId: token.id };
}
