import { eq } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { clusterEnvironments, clusters, clusterTokens } from '@/db/schema';
import { normaliseAddonChoice } from '@/lib/addons/catalog';
import type { AttachClusterInput } from '@/lib/schemas/cluster';
import { ConflictError, isUniqueViolation } from '@/server/errors';
import { type Actor, recordAudit } from '@/server/services/audit';
import { mintClusterToken } from '@/server/services/cluster-token';
import { renderInstallInstructions, resolveControlPlaneUrl, resolveTenant, type InstallInstructions } from '@/server/services/clusters/install';
import { auditableCluster, requireEnvironments } from '@/server/services/clusters/shared';

export interface AttachedCluster {
  cluster: { id: number; name: string; status: 'awaiting_agent' };
  /** The cluster token: in this response and nowhere else, ever. */
  token: string;
  tokenPrefix: string;
  install: InstallInstructions;
}

function duplicateName(name: string): ConflictError {
  return ConflictError.onField('name', `Cluster "${name}" already exists`);
}

/**
 * Creates the cluster (Awaiting agent), its environments and its first token, with the
 * audit row, in one transaction: a failure writes nothing.
 */
/** `origin` is where the request reached us: the agent's URL when FLEETDECK_PUBLIC_URL is unset. */
export function attachCluster(db: Db, actor: Actor, input: AttachClusterInput, origin: string | null = null): AttachedCluster {
  const minted = mintClusterToken();
  let created: { id: number; name: string };
  try {
    created = db.transaction((tx) => {
      if (tx.select({ id: clusters.id }).from(clusters).where(eq(clusters.name, input.name)).get()) {
        throw duplicateName(input.name);
      }
      const envs = requireEnvironments(tx, input.environmentIds);
      const cluster = tx
        .insert(clusters)
        .values({
          name: input.name,
          provider: input.provider,
          region: input.region,
          baseDomains: input.baseDomains,
          prometheusUrl: input.prometheusUrl,
          nodePoolLabel: input.nodePoolLabel,
          gpuTypeLabel: input.gpuTypeLabel,
          addons: normaliseAddonChoice(input.provider, input.addons),
        })
        .returning()
        .get();
      tx.insert(clusterEnvironments)
        .values(envs.map((env) => ({ clusterId: cluster.id, environmentId: env.id })))
        .run();
      tx.insert(clusterTokens).values({ clusterId: cluster.id, tokenHash: minted.tokenHash, prefix: minted.prefix }).run();
      recordAudit(tx, actor, {
        action: 'cluster.attach',
        target: { type: 'cluster', id: cluster.id, label: cluster.name },
        before: null,
        after: { ...auditableCluster(cluster, envs.map((env) => env.name).sort()), tokenPrefix: minted.prefix },
      });
      return { id: cluster.id, name: cluster.name };
    });
  } catch (error) {
    // Two admins attaching the same name at once: the unique index decides.
    if (isUniqueViolation(error)) throw duplicateName(input.name);
    throw error;
  }
  return {
    cluster: { ...created, status: 'awaiting_agent' },
    token: minted.token,
    tokenPrefix: minted.prefix,
    install: renderInstallInstructions({
      clusterName: created.name,
      controlPlaneUrl: resolveControlPlaneUrl(origin),
      tenant: resolveTenant(),
      token: minted.token,
    }),
  };
}
