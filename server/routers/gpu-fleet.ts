/**
 * GPU Fleet and the on-call health board: fleet-wide views read from the metric summaries
 * agents push (never from the agents themselves), over the clusters the caller may see,
 * and their live feed.
 */
import { gpuFleetHistoryInput, gpuFleetOverviewInput } from '@/lib/schemas/gpu-fleet';
import { visibleScope } from '@/server/access/authorize';
import { gpuFleetChanges } from '@/server/services/metrics/gpu-fleet-changes';
import { gpuFleetHistory, gpuFleetOverview } from '@/server/services/metrics/gpu-fleet';
import { healthBoard } from '@/server/services/metrics/health-board';
import { permissionProcedure, router } from '@/server/trpc';

const readClusters = permissionProcedure('cluster.read');

export const gpuFleetRouter = router({
  /** GPUs pooled by type, fleet totals and one sorted page of the per-cluster table. */
  overview: readClusters.input(gpuFleetOverviewInput).query(({ ctx, input }) => gpuFleetOverview(ctx.cp.store.db, ctx.principal, input)),

  /** 24-hour sparklines per cluster, pooled, and per GPU type. */
  history: readClusters.input(gpuFleetHistoryInput).query(({ ctx, input }) => gpuFleetHistory(ctx.cp.store.db, ctx.principal, input.clusterIds)),

  /** The Overview's on-call board: clusters needing attention, ranked, with reasons and links. */
  healthBoard: readClusters.query(({ ctx }) => healthBoard(ctx.cp.store.db, ctx.principal)),

  /** Which visible clusters' summaries or state changed, pushed over SSE: the page refetches. */
  onChange: readClusters.subscription(({ ctx, signal }) => gpuFleetChanges(ctx.cp.bus, visibleScope(ctx.principal, 'cluster'), signal)),
});
