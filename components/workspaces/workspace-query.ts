/**
 * The workspace list's filters live in the URL so a link reproduces the view and Back
 * steps through them: `/workspaces?env=prod,dev&cluster=gpu-west&sync=failed&q=gpu-west:team&page=2`.
 * Lists are comma-separated; unknown or malformed values are dropped, not errors, so a
 * stale bookmark still opens. The parameter names match the fleet view's (`env`, `q`).
 */
import { WORKSPACE_SYNC_STATES, type WorkspaceSyncState } from '@/lib/workspaces';

export interface WorkspaceQuery {
  /** Environment names; a workspace matches any of them. */
  environments: string[];
  /** One cluster's name, or '' for every cluster. */
  cluster: string;
  syncStates: WorkspaceSyncState[];
  /** Matched against the FQN `<cluster>:<workspace>`, so either half or the whole finds it. */
  search: string;
  /** 1-based. */
  page: number;
}

export const DEFAULT_WORKSPACE_QUERY: WorkspaceQuery = { environments: [], cluster: '', syncStates: [], search: '', page: 1 };

/** A search box's longest useful text: an FQN is at most 35 + 1 + 32 characters. */
export const MAX_WORKSPACE_SEARCH = 100;

function list(params: URLSearchParams, key: string): string[] {
  return (params.get(key) ?? '')
    .split(',')
    .map((value) => value.trim())
    .filter((value) => value.length > 0);
}

export function parseWorkspaceQuery(params: URLSearchParams): WorkspaceQuery {
  const states = list(params, 'sync');
  const page = Number.parseInt(params.get('page') ?? '', 10);
  return {
    environments: list(params, 'env'),
    cluster: (params.get('cluster') ?? '').trim(),
    // Kept in the states' own order, so the same choice is always the same URL.
    syncStates: WORKSPACE_SYNC_STATES.filter((state) => states.includes(state)),
    search: (params.get('q') ?? '').trim().slice(0, MAX_WORKSPACE_SEARCH),
    page: Number.isFinite(page) && page > 0 ? page : 1,
  };
}

/** Only what narrows the list is written, so plain /workspaces stays plain. */
export function workspaceQueryString(query: WorkspaceQuery): string {
  const params = new URLSearchParams();
  if (query.environments.length) params.set('env', query.environments.join(','));
  if (query.cluster) params.set('cluster', query.cluster);
  if (query.syncStates.length) params.set('sync', query.syncStates.join(','));
  if (query.search) params.set('q', query.search);
  if (query.page !== 1) params.set('page', String(query.page));
  const text = params.toString();
  return text ? `?${text}` : '';
}

export function isWorkspaceQueryFiltered(query: WorkspaceQuery): boolean {
  return query.environments.length + query.syncStates.length > 0 || query.cluster !== '' || query.search !== '';
}
