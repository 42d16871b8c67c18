import { describe, expect, it } from 'vitest';
import { DEFAULT_FLEET_QUERY, fleetQueryString, parseFleetQuery } from '@/components/clusters/fleet-query';

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
});
