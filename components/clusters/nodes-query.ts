/**
 * The Nodes tab's search, readiness filter and page, as they live in the URL
 * (`?q=h100&ready=notReady&page=2`): a link reproduces the view and Back steps through
 * changes. Values the schema would refuse fall back to the defaults.
 */
import { listClusterNodesInput, NODE_READINESS, type NodeReadiness } from '@/lib/schemas/nodes';

export interface NodesQuery {
  search: string;
  readiness: NodeReadiness;
  page: number;
}

export const NODES_PAGE_SIZE = 50;

export function parseNodesQuery(params: URLSearchParams): NodesQuery {
  const readiness = params.get('ready');
  const page = Number(params.get('page') ?? '1');
  const parsed = listClusterNodesInput.shape;
  const search = parsed.search.safeParse(params.get('q') ?? '');
  return {
    search: search.success ? search.data : '',
    readiness: NODE_READINESS.includes(readiness as NodeReadiness) ? (readiness as NodeReadiness) : 'all',
    page: parsed.page.safeParse(page).success ? page : 1,
  };
}

/** `?q=…&ready=…&page=…` with defaults left out; "" when everything is default. */
export function nodesQueryString(query: NodesQuery): string {
  const params = new URLSearchParams();
  if (query.search) params.set('q', query.search);
  if (query.readiness !== 'all') params.set('ready', query.readiness);
  if (query.page > 1) params.set('page', String(query.page));
  const text = params.toString();
  return text ? `?${text}` : '';
}
