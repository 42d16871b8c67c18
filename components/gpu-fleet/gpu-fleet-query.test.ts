import { describe, expect, it } from 'vitest';
import { DEFAULT_GPU_FLEET_QUERY, gpuFleetQueryString, parseGpuFleetQuery } from './gpu-fleet-query';

describe('GPU Fleet URL state', () => {
  it('round-trips filters, sort and page; the default is a bare /gpu', () => {
    const query = { ...DEFAULT_GPU_FLEET_QUERY, environments: ['prod', 'dev'], providers: ['coreweave-cks' as const], sort: 'free' as const, direction: 'desc' as const, page: 2, pageSize: 50 };
    const text = gpuFleetQueryString(query);
    expect(text).toBe('?env=prod%2Cdev&provider=coreweave-cks&sort=free&dir=desc&page=2&size=50');
    expect(parseGpuFleetQuery(new URLSearchParams(text.slice(1)))).toEqual(query);
    expect(gpuFleetQueryString(DEFAULT_GPU_FLEET_QUERY)).toBe('');
  });

  it('drops what it does not know: a stale bookmark still opens', () => {
    expect(parseGpuFleetQuery(new URLSearchParams('provider=nope&sort=evil&page=-3&size=7'))).toEqual(DEFAULT_GPU_FLEET_QUERY);
  });
});
