import { describe, expect, it } from 'vitest';
import { nodesQueryString, parseNodesQuery } from '@/components/clusters/nodes-query';

describe('the Nodes tab query in the URL', () => {
  it('round-trips search, readiness and page', () => {
    const query = { search: 'h100', readiness: 'notReady' as const, page: 3 };
    expect(nodesQueryString(query)).toBe('?q=h100&ready=notReady&page=3');
    expect(parseNodesQuery(new URLSearchParams(nodesQueryString(query)))).toEqual(query);
    expect(nodesQueryString({ search: '', readiness: 'all', page: 1 })).toBe('');
  });

  it.each(['?page=0', '?page=-2', '?page=abc', '?page=1.5', '?ready=broken', `?q=${'x'.repeat(101)}`])(
    'falls back to the default for an impossible value: %s',
    (text) => {
      expect(parseNodesQuery(new URLSearchParams(text))).toEqual({ search: '', readiness: 'all', page: 1 });
    },
  );
});
