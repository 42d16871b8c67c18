/** Token rotation and detach: both revoke credentials and cut the live agent session. */
import { and, eq, isNull } from 'drizzle-orm';
import type { DetachClusterInput, RotateClusterTokenInput } from '@/lib/schemas/cluster';
import { InvalidError, PreconditionError } from '@/server/errors';
import { tablesOf, type Db } from '@/server/store';
import { type Actor, recordAudit } from '@/server/services/audit';
import { mintClusterToken } from '@/server/services/cluster-token';
import { installInstructionsFor, type InstallInstructions } from '@/server/services/clusters/install';
import {
  afterClusterCommit,
  auditableCluster,
  clusterEnvironmentRows,
  clusterWorkspaces,
  findClusterByName,
  type ClusterServices,
} from '@/server/services/clusters/shared';

async function revokeActiveTokens(tx: Db, clusterId: number, at: Date): Promise<string[]> {
  const { clusterTokens } = tablesOf(tx);
  const revoked = await tx
    .update(clusterTokens)
    .set({ revokedAt: at })
    .where(and(eq(clusterTokens.clusterId, clusterId), isNull(clusterTokens.revokedAt)))
    .returning({ prefix: clusterTokens.prefix });
  return revoked.map((row) => row.prefix);
}

export interface RotatedToken {
  /** Shown once, never stored. */
  token: string;
  tokenPrefix: string;
  install: InstallInstructions;
}

/**
 * A new token, shown once; every older token stops working in the same commit, and the
 * agent still holding one is cut off right after it. The response is rendered before
 * the commit, so a rotation never revokes the working token and then fails.
 */
export async function rotateClusterToken(
  cp: ClusterServices,
  actor: Actor,
  input: RotateClusterTokenInput,
  requestOrigin: string | null,
): Promise<RotatedToken> {
  const minted = mintClusterToken();
  const { clusterId, install } = await cp.store.transaction(async (tx) => {
    const { clusterTokens } = tablesOf(tx);
    const cluster = await findClusterByName(tx, input.name);
    const production = (await clusterEnvironmentRows(tx, cluster.id)).some((env) => env.isProduction);
    if (production && input.confirmName !== cluster.name) {
      throw InvalidError.onField('confirmName', `${cluster.name} is a production cluster: type its name to confirm`);
    }
    // Rendered for the cluster found (a name nobody has is NOT_FOUND, not a failed
    // render) and before anything is written: an unusable origin revokes nothing.
    const install = installInstructionsFor(cp.config, requestOrigin, cluster.name, minted.token);
    const revoked = await revokeActiveTokens(tx, cluster.id, new Date());
    await tx.insert(clusterTokens).values({ clusterId: cluster.id, tokenHash: minted.tokenHash, prefix: minted.prefix });
    await recordAudit(tx, actor, {
      action: 'cluster.token.rotate',
      target: { type: 'cluster', id: cluster.id, label: cluster.name },
      before: { tokenPrefixes: revoked },
      after: { tokenPrefix: minted.prefix },
    });
    return { clusterId: cluster.id, install };
  });
  afterClusterCommit(cp, clusterId, 'cluster token rotated');
  return { token: minted.token, tokenPrefix: minted.prefix, install };
}

/**
 * Removes the cluster from the fleet: tokens revoked, its rows deleted (nodes, report
 * and environment links cascade), the audit trail kept. Refused while workspaces remain.
 */
export async function detachCluster(cp: ClusterServices, actor: Actor, input: DetachClusterInput): Promise<{ detached: string }> {
  const clusterId = await cp.store.transaction(async (tx) => {
    const { clusters } = tablesOf(tx);
    const cluster = await findClusterByName(tx, input.name);
    const remaining = await clusterWorkspaces(tx, cluster.id);
    if (remaining.length > 0) {
      const names = remaining.map((ws) => ws.name);
      throw new PreconditionError(
        `Cluster "${cluster.name}" still has ${names.length} workspace${names.length > 1 ? 's' : ''}: ${names.join(', ')}. Delete them before detaching.`,
        { workspaces: names },
      );
    }
    const environmentNames = (await clusterEnvironmentRows(tx, cluster.id)).map((env) => env.name);
    const revoked = await revokeActiveTokens(tx, cluster.id, new Date());
    await recordAudit(tx, actor, {
      action: 'cluster.detach',
      target: { type: 'cluster', id: cluster.id, label: cluster.name },
      before: { ...auditableCluster(cluster, environmentNames), status: cluster.status, tokenPrefixes: revoked },
      after: null,
    });
    await tx.delete(clusters).where(eq(clusters.id, cluster.id));
    return cluster.id;
  });
  afterClusterCommit(cp, clusterId, 'cluster detached');
  return { detached: input.name };
}
