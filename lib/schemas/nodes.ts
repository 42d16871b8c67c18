/**
 * The Nodes tab's input, shared by the tab and the `clusters.nodes` procedure. Clusters
 * hold thousands of nodes, so the search, the readiness filter and the page are applied
 * on the server; every value is bounded.
 */
import { z } from 'zod';
import { clusterRef } from '@/lib/schemas/cluster';
import { withoutNul } from '@/lib/schemas/limits';

export const NODE_READINESS = ['all', 'ready', 'notReady'] as const;
export type NodeReadiness = (typeof NODE_READINESS)[number];

export const NODE_READINESS_LABELS: Record<NodeReadiness, string> = {
  all: 'All',
  ready: 'Ready',
  notReady: 'NotReady',
};

export const NODE_PAGE_SIZES = [50, 100, 200] as const;
export const MAX_NODE_SEARCH = 100;
/** Far past the last page of the largest cluster; bounds the offset a query is asked for. */
const MAX_NODE_PAGE = 100_000;

export const listClusterNodesInput = clusterRef.extend({
  /** Substring of the node's name, node pool or GPU type, any case. */
  search: withoutNul(z.string().trim().max(MAX_NODE_SEARCH, `Search must be at most ${MAX_NODE_SEARCH} characters`)).default(''),
  readiness: z.enum(NODE_READINESS).default('all'),
  /** 1-based; a page past the last is answered with the last. */
  page: z.number().int().positive().max(MAX_NODE_PAGE).default(1),
  pageSize: z.number().int().min(1).max(200).default(50),
});
export type ListClusterNodesInput = z.input<typeof listClusterNodesInput>;
export type ListClusterNodesQuery = z.output<typeof listClusterNodesInput>;
