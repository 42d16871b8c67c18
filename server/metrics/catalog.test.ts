import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { summaryQuery } from '@/lib/metrics';
import { PROMTOOL_BIN } from '@/testing/prometheus/test-prometheus';
import { metricCatalog } from './catalog';
import { RECORDING_RULES } from './promql';
import { summaryCatalog } from './summary';
import type { PromqlContext } from './types';

const run = promisify(execFile);

/** Label keys as clusters set them, the longest a Kubernetes label key can be among them (253-character prefix). */
const contexts: PromqlContext[] = [
  { nodePoolLabel: 'cloud.google.com/gke-nodepool', gpuTypeLabel: 'nvidia.com/gpu.product' },
  { nodePoolLabel: 'agentpool', gpuTypeLabel: 'node.kubernetes.io/instance-type', recordingRules: new Set(Object.keys(RECORDING_RULES)) },
  { nodePoolLabel: `${'a'.repeat(253)}/${'p'.repeat(63)}`, gpuTypeLabel: `${'b'.repeat(253)}/${'g'.repeat(63)}` },
];

describe('the metric catalog', () => {
  it('has unique ids, and every chart names its series and offers only label breakdowns', () => {
    const ids = metricCatalog.charts.map((chart) => chart.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const chart of metricCatalog.charts) {
      expect(metricCatalog.find(chart.id)).toBe(chart);
      expect(chart.description.length).toBeGreaterThan(20);
      for (const breakdown of chart.breakdowns ?? []) expect(breakdown).toMatch(/^[A-Za-z_][A-Za-z0-9_]*$/);
    }
    expect(metricCatalog.find('no.such.chart')).toBeUndefined();
  });

  it('covers the cluster health and GPU charts the issue names', () => {
    expect(metricCatalog.charts.map((chart) => chart.id)).toEqual(
      expect.arrayContaining([
        'cluster.cpu.utilization',
        'cluster.memory.utilization',
        'cluster.cpu.requests',
        'cluster.memory.requests',
        'cluster.nodes.ready',
        'cluster.pods.byPhase',
        'cluster.pods.restarts',
        'gpu.total',
        'gpu.allocated',
        'gpu.utilization.byModel',
        'gpu.utilization.byNodePool',
        'gpu.idleAllocated',
        'gpu.memory.used',
        'gpu.temperature',
        'gpu.power',
        'gpu.energy',
        'gpu.xid',
      ]),
    );
  });

  it('refuses an unknown chart or a breakdown the chart does not offer', () => {
    expect(() => metricCatalog.promql('no.such.chart', contexts[0]!)).toThrow('No chart no.such.chart');
    expect(() => metricCatalog.promql('cluster.nodes.ready', contexts[0]!, 'gpu')).toThrow('has no breakdown by gpu');
  });

  it('builds PromQL that promtool accepts for every chart, breakdown and label setting, and a summary set the protocol accepts', async () => {
    const expressions: string[] = [];
    for (const context of contexts) {
      for (const chart of metricCatalog.charts) {
        for (const breakdown of [undefined, ...(chart.breakdowns ?? [])]) expressions.push(metricCatalog.promql(chart.id, context, breakdown));
      }
      for (const query of summaryCatalog.queries(context)) {
        expect(summaryQuery.safeParse(query).success, `${query.id} (${query.promql.length} characters)`).toBe(true);
        expressions.push(query.promql);
      }
    }
    // `promtool check rules` parses each expression with Prometheus' own parser.
    const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'fleetdeck-promql-'));
    try {
      const file = path.join(dir, 'rules.yml');
      const rules = expressions.map((expr, index) => ({ record: `fleetdeck:check_${index}`, expr }));
      await fs.promises.writeFile(file, JSON.stringify({ groups: [{ name: 'catalog', rules }] }));
      const { stdout } = await run(PROMTOOL_BIN, ['check', 'rules', file]);
      expect(stdout).toContain(`SUCCESS: ${rules.length} rules found`);
    } finally {
      await fs.promises.rm(dir, { recursive: true, force: true });
    }
  });
});
