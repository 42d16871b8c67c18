/**
 * Who is knocking: the cluster token in `Authorization: Bearer …`, checked before the
 * WebSocket upgrade completes so a refused agent never gets a socket to talk on.
 */
import type { IncomingMessage } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { and, eq, inArray, isNull } from 'drizzle-orm';
import { AGENT_CONNECT_PATH } from '@/lib/agent-protocol';
import { CLUSTER_TOKEN_PREFIX, hashClusterToken } from '@/server/services/cluster-token';
import { tablesOf, type Db } from '@/server/store';

export interface AgentIdentity {
  clusterId: number;
  clusterName: string;
  tokenId: number;
  /** `fdct_` plus six characters: enough to recognise the token in logs, not to use it. */
  tokenPrefix: string;
  /**
   * The cluster's configuration for `welcome`, read with the token: one query per
   * connection, so a reconnect storm's hellos are answered without touching the store.
   */
  config: { nodePoolLabel: string; gpuTypeLabel: string; prometheusUrl: string };
}

export type AgentAuthResult =
  | ({ ok: true } & AgentIdentity)
  | { ok: false; reason: 'missing' | 'unknown' | 'revoked'; tokenPrefix: string | null };

const RECOGNISABLE_LENGTH = CLUSTER_TOKEN_PREFIX.length + 6;

export function isAgentConnectRequest(req: IncomingMessage): boolean {
  const url = req.url ?? '';
  const queryAt = url.indexOf('?');
  return (queryAt === -1 ? url : url.slice(0, queryAt)) === AGENT_CONNECT_PATH;
}

export function readBearerToken(header: string | undefined): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1] ?? null;
}

/**
 * Only the prefix of a token that looks like ours is ever logged; anything else might be
 * some other secret pasted by mistake, so nothing of it is logged at all.
 */
export function recognisableTokenPrefix(token: string): string | null {
  return token.startsWith(CLUSTER_TOKEN_PREFIX) ? token.slice(0, RECOGNISABLE_LENGTH) : null;
}

/** Reads committed rows only (`store.db`): a token minted in an open transaction is not valid yet. */
export async function authenticateAgent(db: Db, authorization: string | undefined): Promise<AgentAuthResult> {
  const { clusters, clusterTokens } = tablesOf(db);
  const token = readBearerToken(authorization);
  if (!token) return { ok: false, reason: 'missing', tokenPrefix: null };
  const tokenPrefix = recognisableTokenPrefix(token);
  // An inner join: a detached (deleted) cluster's tokens go with it, and a token whose
  // cluster is gone must not authenticate even if a row lingered.
  const [row] = await db
    .select({
      tokenId: clusterTokens.id,
      revokedAt: clusterTokens.revokedAt,
      clusterId: clusters.id,
      clusterName: clusters.name,
      nodePoolLabel: clusters.nodePoolLabel,
      gpuTypeLabel: clusters.gpuTypeLabel,
      prometheusUrl: clusters.prometheusUrl,
    })
    .from(clusterTokens)
    .innerJoin(clusters, eq(clusters.id, clusterTokens.clusterId))
    .where(eq(clusterTokens.tokenHash, hashClusterToken(token)))
    .limit(1);
  if (!row) return { ok: false, reason: 'unknown', tokenPrefix };
  if (row.revokedAt) return { ok: false, reason: 'revoked', tokenPrefix };
  return {
    ok: true,
    clusterId: row.clusterId,
    clusterName: row.clusterName,
    tokenId: row.tokenId,
    tokenPrefix: tokenPrefix ?? '',
    config: { nodePoolLabel: row.nodePoolLabel, gpuTypeLabel: row.gpuTypeLabel, prometheusUrl: row.prometheusUrl },
  };
}

/** Which of `tokenIds` still authenticate: not revoked, and their cluster still exists. */
export async function liveTokenIds(db: Db, tokenIds: ReadonlySet<number>): Promise<Set<number>> {
  const { clusters, clusterTokens } = tablesOf(db);
  const ids = [...tokenIds];
  const live = new Set<number>();
  // Chunked to stay far below both engines' limits on bound parameters.
  for (let i = 0; i < ids.length; i += 1_000) {
    const rows = await db
      .select({ id: clusterTokens.id })
      .from(clusterTokens)
      .innerJoin(clusters, eq(clusters.id, clusterTokens.clusterId))
      .where(and(inArray(clusterTokens.id, ids.slice(i, i + 1_000)), isNull(clusterTokens.revokedAt)));
    for (const row of rows) live.add(row.id);
  }
  return live;
}

/**
 * Answers a plain HTTP error on the raw upgrade socket and closes it: the upgrade never
 * completes. The body is the same for every reason so a caller learns nothing about
 * which tokens exist.
 */
export function refuseUpgrade(socket: Duplex, status: 401 | 503, message: string): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = `${message}\n`;
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
      'Connection: close\r\n' +
      'Content-Type: text/plain; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      '\r\n' +
      body,
  );
}
