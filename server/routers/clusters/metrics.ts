/**
 * The cluster page's Metrics tab: the catalog's charts, and one chart of one cluster
 * pulled through its agent (server/services/metrics/charts.ts). Reading a cluster's
 * charts takes `cluster.read` on that cluster.
 */
import type { z } from 'zod';
import { clusterRef } from '@/lib/schemas/cluster';
import { metricChartInput } from '@/lib/schemas/metric-charts';
import { resourceProcedure, router } from '@/server/trpc';

const readCluster = <S extends z.ZodType<{ name: string }>>(input: S) =>
  resourceProcedure('cluster.read', 'cluster', input, (parsed) => ({ type: 'cluster', name: parsed.name }));

export const clusterMetricsRouter = router({
  /** The charts the tab lays out, in catalog order: groups, units and breakdowns. */
  charts: readCluster(clusterRef).query(({ ctx }) => ctx.cp.metrics.specs),

  /**
   * One chart over a preset or custom range, optionally broken down: answered within the
   * chart's deadline or refused with why (disconnected, timeout, Prometheus' own error).
   */
  chart: readCluster(metricChartInput).query(({ ctx, input }) =>
    ctx.cp.metrics.chart(input.name, { chartId: input.chartId, range: input.range, breakdown: input.breakdown }),
  ),
});
