import { eq } from 'drizzle-orm';
import { normaliseAddonChoice } from '@/lib/addons/catalog';
import type { AttachClusterInput } from '@/lib/schemas/cluster';
import { ConflictError } from '@/server/errors';
import { type Actor, recordAudit } from '@/server/services/audit';
import { mintClusterToken } from '@/server/services/cluster-token';
import { installInstructionsFor, type InstallInstructions } from '@/server/services/clusters/install';
import { afterClusterCommit, auditableCluster, requireEnvironments, type ClusterServices } from '@/server/services/clusters/shared';

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
 * audit row, in one transaction: a failure writes nothing. The response is rendered
 * before the commit, so nothing can fail after it and lose the token.
 * `requestOrigin` is where the request reached us: the agent's URL when no public URL is configured.
 */
export async function attachCluster(
  cp: ClusterServices,
  actor: Actor,
  input: AttachClusterInput,
  requestOrigin: string | null,
): Promise<AttachedCluster> {
  const minted = mintClusterToken();
  const install = installInstructionsFor(cp.config, requestOrigin, input.name, minted.token);
  let created: { id: number; name: string };
  try {
    created = await cp.store.transaction(async (tx) => {
      const { clusters, clusterEnvironments, clusterTokens } = cp.store.tables;
      const [existing] = await tx.select({ id: clusters.id }).from(clusters).where(eq(clusters.name, input.name)).limit(1);
      if (existing) throw duplicateName(input.name);
      const envs = await requireEnvironments(tx, input.environmentIds);
      const [cluster] = await tx
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
        .returning();
      if (!cluster) throw new Error('the new cluster row was not returned');
      await tx.insert(clusterEnvironments).values(envs.map((env) => ({ clusterId: cluster.id, environmentId: env.id })));
      await tx.insert(clusterTokens).values({ clusterId: cluster.id, tokenHash: minted.tokenHash, prefix: minted.prefix });
      await recordAudit(tx, actor, {
        action: 'cluster.attach',
        target: { type: 'cluster', id: cluster.id, label: cluster.name },
        before: null,
        after: { ...auditableCluster(cluster, envs.map((env) => env.name).sort()), tokenPrefix: minted.prefix },
      });
      return { id: cluster.id, name: cluster.name };
    });
  } catch (error) {
    // Two admins attaching the same name at once: the unique index decides, and the
    // loser gets the same message as when the name was already taken.
    if (error instanceof ConflictError && error.fieldErrors?.name) throw duplicateName(input.name);
    throw error;
  }
  afterClusterCommit(cp, created.id);
  return { cluster: { ...created, status: 'awaiting_agent' }, token: minted.token, tokenPrefix: minted.prefix, install };
}
