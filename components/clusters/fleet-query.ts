/**
 * The fleet view's state lives in the URL query string so a link reproduces the view:
 * `/clusters?env=prod&provider=aws-eks&status=degraded&region=us-east-1&q=gpu&attention=1&sort=nodeCount&dir=desc&page=2`.
 * Lists are comma-separated. Unknown or malformed values are dropped, not errors: a
 * stale bookmark still opens.
 */
import { CLUSTER_SORT_COLUMNS, CLUSTER_STATUSES, FLEET_PAGE_SIZES } from '@/lib/cluster-fleet';
import type { ListClustersQuery } from '@/lib/schemas/cluster';
import { PROVIDER_IDS } from '@/lib/providers';

export type FleetQuery = ListClustersQuery;

export const DEFAULT_FLEET_QUERY: FleetQuery = {
  environments: [],
  providers: [],
  statuses: [],
  regions: [],
  search: '',
  needsAttention: false,
  sort: 'name',
  direction: 'asc',
  page: 1,
  pageSize: 25,
};

function list(params: URLSearchParams, key: string): string[] {
  return (params.get(key) ?? '')
    .split(',')
    .map((value) => value.trim())
    .filter((value) => value.length > 0);
}

function oneOf<T extends string>(allowed: readonly T[], values: string[]): T[] {
  return values.filter((value): value is T => (allowed as readonly string[]).includes(value));
}

export function parseFleetQuery(params: URLSearchParams): FleetQuery {
  const sort = params.get('sort') ?? '';
  const page = Number.parseInt(params.get('page') ?? '', 10);
  const size = Number.parseInt(params.get('size') ?? '', 10);
  return {
    environments: list(params, 'env'),
    providers: oneOf(PROVIDER_IDS, list(params, 'provider')),
    statuses: oneOf(CLUSTER_STATUSES, list(params, 'status')),
    regions: list(params, 'region'),
    search: (params.get('q') ?? '').trim().slice(0, 100),
    needsAttention: params.get('attention') === '1',
    sort: oneOf(CLUSTER_SORT_COLUMNS, [sort])[0] ?? DEFAULT_FLEET_QUERY.sort,
    direction: params.get('dir') === 'desc' ? 'desc' : 'asc',
    page: Number.isFinite(page) && page > 0 ? page : 1,
    pageSize: (FLEET_PAGE_SIZES as readonly number[]).includes(size) ? size : DEFAULT_FLEET_QUERY.pageSize,
  };
}

/** Only what differs from the default is written, so plain /clusters stays plain. */
export function fleetQueryString(query: FleetQuery): string {
  const params = new URLSearchParams();
  if (query.environments.length) params.set('env', query.environments.join(','));
  if (query.providers.length) params.set('provider', query.providers.join(','));
  if (query.statuses.length) params.set('status', query.statuses.join(','));
  if (query.regions.length) params.set('region', query.regions.join(','));
  if (query.search) params.set('q', query.search);
  if (query.needsAttention) params.set('attention', '1');
  if (query.sort !== DEFAULT_FLEET_QUERY.sort) params.set('sort', query.sort);
  if (query.direction !== DEFAULT_FLEET_QUERY.direction) params.set('dir', query.direction);
  if (query.page !== 1) params.set('page', String(query.page));
  if (query.pageSize !== DEFAULT_FLEET_QUERY.pageSize) params.set('size', String(query.pageSize));
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** Whether anything narrows the list (sort and paging do not). */
export function isFiltered(query: FleetQuery): boolean {
  return (
    query.environments.length + query.providers.length + query.statuses.length + query.regions.length > 0 ||
    query.search !== '' ||
    query.needsAttention
  );
}

/** The query with every filter cleared; sort and page size kept. */
export function withoutFilters(query: FleetQuery): FleetQuery {
  return { ...query, environments: [], providers: [], statuses: [], regions: [], search: '', needsAttention: false, page: 1 };
}

/** `values` with `value` added, or removed when it is there: a multi-select's toggle. */
export function toggled<T>(values: readonly T[], value: T): T[] {
  return values.includes(value) ? values.filter((v) => v !== value) : [...values, value];
}
