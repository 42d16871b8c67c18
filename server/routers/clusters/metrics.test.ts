/**
 * clusters.metrics through the router: the catalog's charts for the tab, a chart of a
 * cluster whose agent is away refused with why, ranges and breakdowns checked against
 * the shared schema and the catalog, and only readers of the cluster served.
 */
import { TRPCError } from '@trpc/server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { metricCatalog } from '@/server/metrics/catalog';
import { insertCluster } from '@/testing/gateway-fixtures';
import { routerHarness, type RouterHarness } from '@/testing/router-harness';

let h: RouterHarness;
beforeEach(async () => {
  h = await routerHarness();
  await insertCluster(h.store, { name: 'gpu-east' });
});
afterEach(async () => {
  await h.cp.close();
});

async function codeAndMessage(call: Promise<unknown>): Promise<[string, string]> {
  const error: unknown = await call.then(
    () => new Error('expected a refusal'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TRPCError);
  return [(error as TRPCError).code, (error as TRPCError).message];
}

describe('clusters.metrics', () => {
  it('lists the catalog charts, cluster health and GPU, with units', async () => {
    const specs = await h.asAdmin.clusters.metrics.charts({ name: 'gpu-east' });
    expect(specs.map((spec) => spec.id)).toEqual(metricCatalog.charts.map((spec) => spec.id));
    expect(new Set(specs.map((spec) => spec.group))).toEqual(new Set(['cluster', 'gpu']));
  });

  it('refuses a chart of a disconnected cluster with the reason, as a precondition', async () => {
    const [code, message] = await codeAndMessage(h.asAdmin.clusters.metrics.chart({ name: 'gpu-east', chartId: 'gpu.temperature', range: { preset: '7d' } }));
    expect(code).toBe('PRECONDITION_FAILED');
    expect(message).toMatch(/^The cluster is disconnected/);
  });

  it('refuses a custom range the form would refuse, and an unknown chart or breakdown, beside the field', async () => {
    const t = Math.floor(Date.now() / 1000) - 86_400;
    expect(await codeAndMessage(h.asAdmin.clusters.metrics.chart({ name: 'gpu-east', chartId: 'gpu.temperature', range: { start: t, end: t - 60 } }))).toEqual([
      'BAD_REQUEST',
      expect.stringMatching(/End must be after start/),
    ]);
    expect(await codeAndMessage(h.asAdmin.clusters.metrics.chart({ name: 'gpu-east', chartId: 'no.such', range: { preset: '1h' } }))).toEqual([
      'BAD_REQUEST',
      'There is no chart no.such',
    ]);
    expect(await codeAndMessage(h.asAdmin.clusters.metrics.chart({ name: 'gpu-east', chartId: 'gpu.temperature', range: { preset: '1h' }, breakdown: 'namespace' }))).toEqual([
      'BAD_REQUEST',
      expect.stringMatching(/has no breakdown by namespace/),
    ]);
  });

  it('answers a missing cluster NOT_FOUND and a member who cannot read the cluster FORBIDDEN', async () => {
    expect((await codeAndMessage(h.asAdmin.clusters.metrics.chart({ name: 'nowhere', chartId: 'gpu.temperature', range: { preset: '1h' } })))[0]).toBe('NOT_FOUND');
    expect((await codeAndMessage(h.asMember.clusters.metrics.chart({ name: 'gpu-east', chartId: 'gpu.temperature', range: { preset: '1h' } })))[0]).toBe('FORBIDDEN');
  });
});
