import { describe, expect, it } from 'vitest';
import { DEFAULT_WORKSPACE_QUERY, isWorkspaceQueryFiltered, parseWorkspaceQuery, workspaceQueryString } from '@/components/workspaces/workspace-query';

describe('workspace list query in the URL', () => {
  it('reads environments, cluster, sync states and the FQN search', () => {
    expect(parseWorkspaceQuery(new URLSearchParams('env=prod,dev&cluster=gpu-west&sync=failed,pending&q=gpu-west:team-a'))).toEqual({
      environments: ['prod', 'dev'],
      cluster: 'gpu-west',
      syncStates: ['pending', 'failed'],
      search: 'gpu-west:team-a',
      page: 1,
    });
  });

  it('drops unknown sync states and cuts an overlong search instead of failing', () => {
    const query = parseWorkspaceQuery(new URLSearchParams(`sync=bogus,synced&page=-4&q=${'x'.repeat(500)}`));
    expect(query.syncStates).toEqual(['synced']);
    expect(query.search).toHaveLength(100);
    expect(query.page).toBe(1);
  });

  it('round-trips, writing only what narrows the list', () => {
    expect(workspaceQueryString(DEFAULT_WORKSPACE_QUERY)).toBe('');
    const query = { environments: ['staging'], cluster: 'east', syncStates: ['deleting' as const], search: 'east:ml', page: 3 };
    expect(parseWorkspaceQuery(new URLSearchParams(workspaceQueryString(query)))).toEqual(query);
  });

  it('knows when a filter narrows the list', () => {
    expect(isWorkspaceQueryFiltered(DEFAULT_WORKSPACE_QUERY)).toBe(false);
    expect(isWorkspaceQueryFiltered({ ...DEFAULT_WORKSPACE_QUERY, cluster: 'east' })).toBe(true);
    expect(isWorkspaceQueryFiltered({ ...DEFAULT_WORKSPACE_QUERY, search: 'ml' })).toBe(true);
  });
});
