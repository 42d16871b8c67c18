/**
 * The GPU Fleet table's state lives in the URL so a link reproduces the view:
 * `/gpu?env=prod&provider=coreweave-cks&sort=free&dir=desc&page=2`. Unknown or malformed
 * values are dropped, not errors: a stale bookmark still opens.
 */
import { PROVIDER_IDS } from '@/lib/providers';
import { GPU_FLEET_PAGE_SIZES, GPU_FLEET_SORT_COLUMNS, type GpuFleetQuery } from '@/lib/schemas/gpu-fleet';

export const DEFAULT_GPU_FLEET_QUERY: GpuFleetQuery = {
  environments: [],
  providers: [],
  sort: 'name',
  direction: 'asc',
  page: 1,
  pageSize: 25,
};

function list(params: URLSearchParams, key: string): string[] {
  return (params.get(key) ?? '')
    .split(',')
    .map((value) => value.trim())
    .filter((value) => value.length > 0 && value.length <= 63);
}

export function parseGpuFleetQuery(params: URLSearchParams): GpuFleetQuery {
  const sort = params.get('sort') ?? '';
  const page = Number.parseInt(params.get('page') ?? '', 10);
  const size = Number.parseInt(params.get('size') ?? '', 10);
  return {
    environments: list(params, 'env').slice(0, 100),
    providers: PROVIDER_IDS.filter((id) => list(params, 'provider').includes(id)),
    sort: GPU_FLEET_SORT_COLUMNS.find((column) => column === sort) ?? DEFAULT_GPU_FLEET_QUERY.sort,
    direction: params.get('dir') === 'desc' ? 'desc' : 'asc',
    page: Number.isFinite(page) && page > 0 ? page : 1,
    pageSize: (GPU_FLEET_PAGE_SIZES as readonly number[]).includes(size) ? size : DEFAULT_GPU_FLEET_QUERY.pageSize,
  };
}

/** Only what differs from the default is written, so plain /gpu stays plain. */
export function gpuFleetQueryString(query: GpuFleetQuery): string {
  const params = new URLSearchParams();
  if (query.environments.length) params.set('env', query.environments.join(','));
  if (query.providers.length) params.set('provider', query.providers.join(','));
  if (query.sort !== DEFAULT_GPU_FLEET_QUERY.sort) params.set('sort', query.sort);
  if (query.direction !== DEFAULT_GPU_FLEET_QUERY.direction) params.set('dir', query.direction);
  if (query.page !== 1) params.set('page', String(query.page));
  if (query.pageSize !== DEFAULT_GPU_FLEET_QUERY.pageSize) params.set('size', String(query.pageSize));
  const text = params.toString();
  return text ? `?${text}` : '';
}
