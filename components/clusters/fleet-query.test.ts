import { describe, expect, it } from 'vitest';
import { DEFAULT_FLEET_QUERY, fleetQueryString, isFiltered, parseFleetQuery, toggled, withoutFilters } from '@/components/clusters/fleet-query';

describe('fleet query in the URL', () => {
  it('reads filters, search, sort and paging', () => {
    const query = parseFleetQuery(
      new URLSearchParams('env=prod,dev&provider=aws-eks&status=degraded&region=us-east-1&q=gpu&sort=nodeCount&dir=desc&page=3&size=50'),
    );
    expect(query).toEqual({
      environments: ['prod', 'dev'],
      providers: ['aws-eks'],
      statuses: ['degraded'],
      regions: ['us-east-1'],
      search: 'gpu',
      needsAttention: false,
      sort: 'nodeCount',
      direction: 'desc',
      page: 3,
      pageSize: 50,
    });
  });

  it('drops unknown values instead of failing', () => {
    expect(parseFleetQuery(new URLSearchParams('provider=nope,gcp-gke&status=x&sort=evil&dir=up&page=-2&size=7'))).toEqual({
      ...DEFAULT_FLEET_QUERY,
      providers: ['gcp-gke'],
    });
  });

  it('round-trips, writing only what differs from the default', () => {
    expect(fleetQueryString(DEFAULT_FLEET_QUERY)).toBe('');
    const query = { ...DEFAULT_FLEET_QUERY, environments: ['prod'], search: 'a b', sort: 'gpuCount' as const, page: 2 };
    const text = fleetQueryString(query);
    expect(text).toBe('?env=prod&q=a+b&sort=gpuCount&page=2');
    expect(parseFleetQuery(new URLSearchParams(text))).toEqual(query);
  });

  it('reads and writes the needs-attention filter and several statuses and environments', () => {
    const query = { ...DEFAULT_FLEET_QUERY, needsAttention: true, statuses: ['degraded' as const, 'disconnected' as const], environments: ['prod', 'staging'] };
    const text = fleetQueryString(query);
    expect(text).toBe('?env=prod%2Cstaging&status=degraded%2Cdisconnected&attention=1');
    expect(parseFleetQuery(new URLSearchParams(text))).toEqual(query);
    expect(parseFleetQuery(new URLSearchParams('attention=yes')).needsAttention).toBe(false);
  });

  it('knows when the list is filtered and clears filters but not the sort', () => {
    expect(isFiltered(DEFAULT_FLEET_QUERY)).toBe(false);
    expect(isFiltered({ ...DEFAULT_FLEET_QUERY, needsAttention: true })).toBe(true);
    expect(isFiltered({ ...DEFAULT_FLEET_QUERY, sort: 'gpuCount', page: 3 })).toBe(false);
    const cleared = withoutFilters({ ...DEFAULT_FLEET_QUERY, statuses: ['degraded'], search: 'x', sort: 'gpuCount', page: 4 });
    expect(cleared).toEqual({ ...DEFAULT_FLEET_QUERY, sort: 'gpuCount' });
  });

  it('toggles a value in a multi-select', () => {
    expect(toggled(['a'], 'b')).toEqual(['a', 'b']);
    expect(toggled(['a', 'b'], 'a')).toEqual(['b']);
  });
});
