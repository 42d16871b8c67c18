import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  attachClusterInput,
  baseDomainProblem,
  clusterRef,
  DEFAULT_GPU_TYPE_LABEL,
  DEFAULT_NODE_POOL_LABEL,
  DEFAULT_PROMETHEUS_URL,
  detachClusterInput,
  labelKeyProblem,
  listClustersInput,
  parseBaseDomainsText,
} from '@/lib/schemas/cluster';

const valid = { name: 'gpu-west', provider: 'coreweave-cks', region: 'US-EAST-04', environmentIds: [1] };

function fieldErrors(input: unknown): Record<string, string[] | undefined> {
  const result = attachClusterInput.safeParse(input);
  if (result.success) return {};
  return z.flattenError(result.error).fieldErrors;
}

describe('attachClusterInput', () => {
  it('fills the defaults', () => {
    expect(attachClusterInput.parse(valid)).toEqual({
      ...valid,
      baseDomains: [],
      prometheusUrl: DEFAULT_PROMETHEUS_URL,
      nodePoolLabel: DEFAULT_NODE_POOL_LABEL,
      gpuTypeLabel: DEFAULT_GPU_TYPE_LABEL,
      addons: {},
    });
  });

  it.each([
    ['ab', /at least 3/],
    ['a'.repeat(36), /at most 35/],
    ['1gpu', /start with a lower-case letter/],
    ['-gpu', /start with a lower-case letter/],
    ['Gpu-west', /start with a lower-case letter/],
    ['gpu_west', /lower-case letters, digits and "-"/],
    ['gpu West', /lower-case letters, digits and "-"/],
    ['abc-', /must end with a letter or digit/],
    ['a1-', /must end with a letter or digit/],
  ])('refuses the name %j with a clear message', (name, message) => {
    expect(fieldErrors({ ...valid, name }).name?.[0]).toMatch(message);
  });

  it.each(['abc', 'a'.repeat(35), 'gpu-west-2', 'a1-b', 'a--b', 'gpu9'])('accepts the name %j', (name) => {
    expect(fieldErrors({ ...valid, name })).toEqual({});
  });

  it('requires at least one environment', () => {
    expect(fieldErrors({ ...valid, environmentIds: [] }).environmentIds).toEqual(['Choose at least one environment']);
  });

  it('de-duplicates environment ids', () => {
    expect(attachClusterInput.parse({ ...valid, environmentIds: [2, 2, 3] }).environmentIds).toEqual([2, 3]);
  });

  it('requires a known provider and a region', () => {
    const errors = fieldErrors({ ...valid, provider: 'digitalocean', region: '' });
    expect(errors.provider).toEqual(['Choose a provider']);
    expect(errors.region?.[0]).toMatch(/required/);
  });

  it('validates base domains and names the bad one', () => {
    expect(fieldErrors({ ...valid, baseDomains: ['*.apps.example.com', 'ml.example.org'] })).toEqual({});
    expect(fieldErrors({ ...valid, baseDomains: ['apps..example.com'] }).baseDomains?.[0]).toMatch(/"apps..example.com" is not a valid domain/);
    expect(fieldErrors({ ...valid, baseDomains: ['a.com', 'a.com'] }).baseDomains?.[0]).toMatch(/listed twice/);
  });

  it('requires an http(s) Prometheus URL', () => {
    expect(fieldErrors({ ...valid, prometheusUrl: 'ftp://prom:9090' }).prometheusUrl?.[0]).toMatch(/http\(s\) URL/);
    expect(fieldErrors({ ...valid, prometheusUrl: 'https://prom.internal:9090/' })).toEqual({});
  });

  it('refuses the same key for node pool and GPU type', () => {
    expect(fieldErrors({ ...valid, gpuTypeLabel: DEFAULT_NODE_POOL_LABEL }).gpuTypeLabel).toEqual([
      'Use a different key from the node pool label',
    ]);
  });

  it('refuses turning on an addon the provider does not offer', () => {
    expect(fieldErrors({ ...valid, addons: { karpenter: true } }).addons?.[0]).toMatch(/karpenter/);
    expect(fieldErrors({ ...valid, provider: 'aws-eks', addons: { karpenter: true } })).toEqual({});
  });
});

describe('labelKeyProblem', () => {
  it.each(['fleetdeck.io/nodepool', 'node.kubernetes.io/instance-type', 'nvidia.com/gpu.product', 'pool', 'a', 'A_b.c-1'])(
    'accepts %j',
    (key) => expect(labelKeyProblem(key)).toBeNull(),
  );
  it.each([
    ['', /required/],
    ['/pool', /prefix/],
    ['Fleetdeck.io/pool', /prefix/],
    ['fleetdeck.io/', /Add a name/],
    ['fleetdeck.io/' + 'a'.repeat(64), /at most 63/],
    ['fleetdeck.io/-pool', /start and end/],
    ['fleetdeck.io/a/b', /start and end|may hold/],
    ['pool name', /may hold/],
  ])('refuses %j', (key, message) => expect(labelKeyProblem(key)).toMatch(message));
});

describe('base domains', () => {
  it.each(['*.apps.example.com', 'apps.example.com', 'example.co'])('accepts %j', (d) => expect(baseDomainProblem(d)).toBeNull());
  it.each(['example', '*.com', 'apps.*.example.com', 'http://example.com', '-a.example.com'])('refuses %j', (d) =>
    expect(baseDomainProblem(d)).not.toBeNull(),
  );
  it('splits the text box on commas, spaces and new lines', () => {
    expect(parseBaseDomainsText(' *.a.example.com,b.example.com\n c.example.com ')).toEqual([
      '*.a.example.com',
      'b.example.com',
      'c.example.com',
    ]);
  });
});

describe('detachClusterInput', () => {
  it('requires the typed name to match', () => {
    expect(detachClusterInput.safeParse({ name: 'gpu-west', confirmName: 'gpu-west' }).success).toBe(true);
    const result = detachClusterInput.safeParse({ name: 'gpu-west', confirmName: 'gpu-wes' });
    expect(result.success).toBe(false);
    if (!result.success) expect(z.flattenError(result.error).fieldErrors.confirmName?.[0]).toMatch(/Type the cluster name/);
  });
});

describe('listClustersInput', () => {
  it('defaults to the first page sorted by name', () => {
    expect(listClustersInput.parse({})).toMatchObject({ page: 1, pageSize: 25, sort: 'name', direction: 'asc', search: '' });
  });
  it('refuses huge pages', () => {
    expect(listClustersInput.safeParse({ pageSize: 1000 }).success).toBe(false);
  });
});

describe('size limits', () => {
  const issues = (schema: z.ZodType, input: unknown): Record<string, string[] | undefined> => {
    const result = schema.safeParse(input);
    return result.success ? {} : z.flattenError(result.error).fieldErrors;
  };

  it('refuses 40,000 environment ids with one field message', () => {
    const ids = Array.from({ length: 40_000 }, (_, i) => i + 1);
    expect(issues(attachClusterInput, { ...valid, environmentIds: ids })).toEqual({ environmentIds: ['Choose at most 100 environments'] });
  });

  it('refuses ids a 32-bit column cannot hold', () => {
    expect(issues(attachClusterInput, { ...valid, environmentIds: [2 ** 31] })).toEqual({ environmentIds: ['No such record'] });
  });

  it('bounds names, filters and addon choices', () => {
    expect(issues(clusterRef, { name: 'a'.repeat(64) })).toEqual({ name: ['Cluster name must be at most 63 characters'] });
    expect(issues(listClustersInput, { regions: Array.from({ length: 101 }, () => 'x') })).toEqual({ regions: ['Choose at most 100 filters'] });
    expect(issues(listClustersInput, { environments: ['x'.repeat(65)] }).environments).toEqual(['A filter value must be at most 64 characters']);
    const addons = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`addon-${i}`, false]));
    expect(issues(attachClusterInput, { ...valid, addons }).addons).toEqual(['At most 50 addons']);
  });

  it('quotes at most 40 characters of a refused domain or addon id', () => {
    const domain = 'x'.repeat(240) + '..com';
    const [message] = issues(attachClusterInput, { ...valid, baseDomains: [domain] }).baseDomains ?? [];
    expect(message).toMatch(/^"x{39}…" is not a valid domain/);
    expect(message!.length).toBeLessThan(200);
    const addons = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`${'y'.repeat(60)}-${i}`, true]));
    const [addonMessage] = issues(attachClusterInput, { ...valid, addons }).addons ?? [];
    expect(addonMessage).toMatch(/and 47 more$/);
    expect(addonMessage!.length).toBeLessThan(200);
  });

  it('refuses NUL in free text, which PostgreSQL cannot compare', () => {
    expect(issues(clusterRef, { name: 'gpu\u0000west' })).toEqual({ name: ['Remove the NUL character (U+0000)'] });
    expect(issues(listClustersInput, { search: 'a\u0000' })).toEqual({ search: ['Remove the NUL character (U+0000)'] });
  });
});
