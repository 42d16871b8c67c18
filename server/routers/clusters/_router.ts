/**
 * Clusters: attach, the fleet view, one cluster's page, its lifecycle, and the live
 * feed of changes. Thin: each procedure declares its access (and the cluster it acts
 * on), parses its input with the shared schema in lib/schemas/cluster.ts, and calls one
 * service in server/services/clusters/.
 */
import { z } from 'zod';
import {
  attachClusterInput,
  clusterRef,
  detachClusterInput,
  listClustersInput,
  rotateClusterTokenInput,
  updateClusterAddonsInput,
  updateClusterEnvironmentsInput,
} from '@/lib/schemas/cluster';
import { connectionHistoryInput } from '@/lib/schemas/connection-history';
import { updateClusterSettingsInput } from '@/lib/schemas/cluster-settings';
import { listClusterNodesInput } from '@/lib/schemas/nodes';
import { authorize, visibleScope } from '@/server/access/authorize';
import { attachCluster } from '@/server/services/clusters/attach';
import { clusterChanges } from '@/server/services/clusters/changes';
import { getAttachStatus, getClusterDetail } from '@/server/services/clusters/cluster-detail';
import { getConnectionHistory } from '@/server/services/clusters/connection-history';
import { updateClusterAddons, updateClusterEnvironments, updateClusterSettings } from '@/server/services/clusters/cluster-settings';
import { fleetFacets, listClusters } from '@/server/services/clusters/fleet-list';
import { detachCluster, rotateClusterToken } from '@/server/services/clusters/lifecycle';
import { listClusterNodes } from '@/server/services/clusters/nodes';
import { fleetOverview } from '@/server/services/clusters/overview';
import { permissionProcedure, resourceProcedure, router } from '@/server/trpc';
import { clusterMetricsRouter } from './metrics';

const readClusters = permissionProcedure('cluster.read');

/** A procedure on the one cluster its input names. */
const onCluster = <S extends z.ZodType<{ name: string }>>(permission: 'cluster.read' | 'cluster.manage', input: S) =>
  resourceProcedure(permission, 'cluster', input, (parsed) => ({ type: 'cluster', name: parsed.name }));

/**
 * The live feed of all clusters the caller may read, or of the one its input names:
 * then that cluster is the resource `authorize` decides on, as in `resourceProcedure`.
 */
const watchClusters = readClusters
  .meta({ access: 'cluster.read', resource: 'cluster' })
  .input(z.object({ name: clusterRef.shape.name.optional() }).optional())
  .use(({ ctx, input, next }) => {
    if (input?.name !== undefined) authorize(ctx.principal, 'cluster.read', { type: 'cluster', name: input.name });
    return next();
  });

export const clustersRouter = router({
  /** Creates the cluster and its first token; the only response that ever carries that token. */
  attach: permissionProcedure('cluster.manage', { creates: 'cluster' })
    .input(attachClusterInput)
    .mutation(({ ctx, input }) => attachCluster(ctx.cp, ctx.actor, input, ctx.request.origin)),

  /** The fleet view: filtered, searched, sorted and paged on the server, over the clusters the caller may see. */
  list: readClusters.input(listClustersInput).query(({ ctx, input }) => listClusters(ctx.cp.store.db, ctx.principal, input)),

  /** Counts for the fleet view's filter menus. */
  facets: readClusters.query(({ ctx }) => fleetFacets(ctx.cp.store.db, ctx.principal)),

  overview: readClusters.query(({ ctx }) => fleetOverview(ctx.cp.store.db, ctx.principal)),

  /** One cluster's page: settings, environments, addons desired vs reported, preflight, node pools. */
  get: onCluster('cluster.read', clusterRef).query(({ ctx, input }) => getClusterDetail(ctx.cp.store.db, ctx.principal, input.name)),

  /** The attach page's live panel: status, versions, counts and preflight, not the whole page. */
  attachStatus: onCluster('cluster.read', clusterRef).query(({ ctx, input }) => getAttachStatus(ctx.cp.store.db, input.name)),

  /** Uptime over 24 h and 7 d, the unstable-connection flag, and a page of connects and disconnects with why. */
  connectionHistory: onCluster('cluster.read', connectionHistoryInput).query(({ ctx, input }) =>
    getConnectionHistory(ctx.cp.store.db, input),
  ),

  /** The Nodes tab: one page of the cluster's nodes, searched and filtered on the server. */
  nodes: onCluster('cluster.read', listClusterNodesInput).query(({ ctx, input }) => listClusterNodes(ctx.cp.store.db, input)),

  /** The Metrics tab: the catalog's charts, and one chart pulled through the cluster's agent. */
  metrics: clusterMetricsRouter,

  /** Region, base domains, Prometheus URL and label keys; what the agent works with is pushed to it. */
  updateSettings: onCluster('cluster.manage', updateClusterSettingsInput).mutation(({ ctx, input }) =>
    updateClusterSettings(ctx.cp, ctx.actor, input),
  ),

  updateEnvironments: onCluster('cluster.manage', updateClusterEnvironmentsInput).mutation(({ ctx, input }) =>
    updateClusterEnvironments(ctx.cp, ctx.actor, input),
  ),

  updateAddons: onCluster('cluster.manage', updateClusterAddonsInput).mutation(({ ctx, input }) =>
    updateClusterAddons(ctx.cp, ctx.actor, input),
  ),

  /** New token shown once; the old one stops working and the live agent session is cut. */
  rotateToken: onCluster('cluster.manage', rotateClusterTokenInput).mutation(({ ctx, input }) =>
    rotateClusterToken(ctx.cp, ctx.actor, input, ctx.request.origin),
  ),

  /** Requires the typed name; refused while workspaces remain. */
  detach: onCluster('cluster.manage', detachClusterInput).mutation(({ ctx, input }) => detachCluster(ctx.cp, ctx.actor, input)),

  /**
   * Which clusters changed (stored state, agent sessions), pushed over SSE: views
   * refetch their queries on each value. Optionally only the cluster named.
   */
  onChange: watchClusters.subscription(({ ctx, input, signal }) =>
    clusterChanges(ctx.cp.store.db, ctx.cp.bus, visibleScope(ctx.principal, 'cluster'), input?.name, signal),
  ),
});
