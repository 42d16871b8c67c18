/**
 * One cluster's nodes for the Nodes tab: searched, filtered by readiness and paged in
 * SQL, so a page costs the same on a 5,000-node cluster as on a 5-node one. NotReady
 * nodes come first: they are what an on-call engineer opens the tab for.
 */
import { and, asc, eq, or, sql, type SQL } from 'drizzle-orm';
import type { NodeCondition, Taint } from '@/lib/agent-protocol';
import type { ListClusterNodesQuery, NodeReadiness } from '@/lib/schemas/nodes';
import { tablesOf, type Db } from '@/server/store';
import { findClusterByName } from '@/server/services/clusters/shared';

export interface ClusterNodeView {
  name: string;
  /** Null: the node lacks the cluster's node-pool label. */
  nodePool: string | null;
  /** Null: the node lacks the cluster's GPU-type label. */
  gpuType: string | null;
  gpuCount: number;
  ready: boolean;
  /** When the node last turned Ready; null while NotReady (or from an agent that does not say). */
  readySince: Date | null;
  /** Null from agents older than this field. */
  kubeletVersion: string | null;
  conditions: NodeCondition[];
  taints: Taint[];
  /** When the gateway last wrote this node (it is rewritten only when the node changes). */
  updatedAt: Date;
}

export interface ClusterNodesPage {
  nodes: ClusterNodeView[];
  /** Nodes matching the search and readiness filter. */
  total: number;
  page: number;
  pageSize: number;
  pageCount: number;
  /** Nodes matching the search, per readiness: the filter's counts. */
  counts: Record<NodeReadiness, number>;
}

/** `search` as a LIKE pattern matching it anywhere, its own `%`, `_` and `\` taken literally. */
function containsPattern(search: string): string {
  return `%${search.toLowerCase().replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
}

export async function listClusterNodes(db: Db, query: ListClusterNodesQuery): Promise<ClusterNodesPage> {
  const cluster = await findClusterByName(db, query.name);
  const { clusterNodes } = tablesOf(db);
  const conditions: SQL[] = [eq(clusterNodes.clusterId, cluster.id)];
  if (query.search) {
    const pattern = containsPattern(query.search);
    const matches = or(
      sql`lower(${clusterNodes.name}) like ${pattern} escape '\\'`,
      sql`lower(coalesce(${clusterNodes.nodePool}, '')) like ${pattern} escape '\\'`,
      sql`lower(coalesce(${clusterNodes.gpuType}, '')) like ${pattern} escape '\\'`,
    );
    if (matches) conditions.push(matches);
  }
  const searched = and(...conditions);

  // `case when ready` reads a boolean on PostgreSQL and 0/1 on SQLite.
  const [counted] = await db
    .select({
      all: sql<number>`count(*)`.mapWith(Number),
      ready: sql<number>`coalesce(sum(case when ${clusterNodes.ready} then 1 else 0 end), 0)`.mapWith(Number),
    })
    .from(clusterNodes)
    .where(searched);
  const all = counted?.all ?? 0;
  const ready = counted?.ready ?? 0;
  const counts: Record<NodeReadiness, number> = { all, ready, notReady: all - ready };

  const filtered =
    query.readiness === 'all' ? searched : and(searched, eq(clusterNodes.ready, query.readiness === 'ready'));
  const total = counts[query.readiness];
  const pageCount = Math.max(1, Math.ceil(total / query.pageSize));
  const page = Math.min(query.page, pageCount);
  const nodes = await db
    .select({
      name: clusterNodes.name,
      nodePool: clusterNodes.nodePool,
      gpuType: clusterNodes.gpuType,
      gpuCount: clusterNodes.gpuCount,
      ready: clusterNodes.ready,
      readySince: clusterNodes.readySince,
      kubeletVersion: clusterNodes.kubeletVersion,
      conditions: clusterNodes.conditions,
      taints: clusterNodes.taints,
      updatedAt: clusterNodes.updatedAt,
    })
    .from(clusterNodes)
    .where(filtered)
    .orderBy(asc(clusterNodes.ready), asc(clusterNodes.name))
    .limit(query.pageSize)
    .offset((page - 1) * query.pageSize);

  return { nodes, total, page, pageSize: query.pageSize, pageCount, counts };
}
