/**
 * Clusters: attach, the fleet view, one cluster's page, and its lifecycle. Thin: each
 * procedure declares its permission, parses its input with the shared schema in
 * lib/schemas/cluster.ts, and calls one service in server/services/clusters/.
 */
import {
  attachClusterInput,
  clusterRef,
  detachClusterInput,
  listClustersInput,
  rotateClusterTokenInput,
  updateClusterAddonsInput,
  updateClusterEnvironmentsInput,
} from '@/lib/schemas/cluster';
import { attachCluster } from '@/server/services/clusters/attach';
import { getClusterDetail } from '@/server/services/clusters/cluster-detail';
import { updateClusterAddons, updateClusterEnvironments } from '@/server/services/clusters/cluster-settings';
import { fleetFacets, listClusters } from '@/server/services/clusters/fleet-list';
import { detachCluster, rotateClusterToken } from '@/server/services/clusters/lifecycle';
import { fleetOverview } from '@/server/services/clusters/overview';
import { permissionProcedure, router } from '@/server/trpc';

const readClusters = permissionProcedure('cluster.read');
const manageClusters = permissionProcedure('cluster.manage');

export const clustersRouter = router({
  /** Creates the cluster and its first token; the only response that ever carries that token. */
  attach: manageClusters.input(attachClusterInput).mutation(({ ctx, input }) => attachCluster(ctx.db, ctx.actor, input, ctx.origin)),

  /** The fleet view: filtered, searched, sorted and paged on the server. */
  list: readClusters.input(listClustersInput).query(({ ctx, input }) => listClusters(ctx.db, input)),

  /** Counts for the fleet view's filter menus. */
  facets: readClusters.query(({ ctx }) => fleetFacets(ctx.db)),

  /** One cluster's page: settings, environments, addons desired vs reported, preflight, node pools. */
  get: readClusters.input(clusterRef).query(({ ctx, input }) => getClusterDetail(ctx.db, input.name)),

  updateEnvironments: manageClusters
    .input(updateClusterEnvironmentsInput)
    .mutation(({ ctx, input }) => updateClusterEnvironments(ctx.db, ctx.actor, input)),

  updateAddons: manageClusters
    .input(updateClusterAddonsInput)
    .mutation(({ ctx, input }) => updateClusterAddons(ctx.db, ctx.actor, input)),

  /** New token shown once; the old one stops working and the live agent session is cut. */
  rotateToken: manageClusters
    .input(rotateClusterTokenInput)
    .mutation(({ ctx, input }) => rotateClusterToken(ctx.db, ctx.actor, input, ctx.origin)),

  /** Requires the typed name; refused while workspaces remain. */
  detach: manageClusters.input(detachClusterInput).mutation(({ ctx, input }) => detachCluster(ctx.db, ctx.actor, input)),

  overview: readClusters.query(({ ctx }) => fleetOverview(ctx.db)),
});
