/** Token rotation and detach: both revoke credentials and cut the live agent session. */
import { and, eq, isNull } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { clusters, clusterTokens } from '@/db/schema';
import type { DetachClusterInput, RotateClusterTokenInput } from '@/lib/schemas/cluster';
import { PreconditionError } from '@/server/errors';
import { type Actor, recordAudit, type Tx } from '@/server/services/audit';
import { mintClusterToken } from '@/server/services/cluster-token';
import { cutAgentSession } from '@/server/services/clusters/agent-sessions';
import { renderInstallInstructions, resolveControlPlaneUrl, resolveTenant } from '@/server/services/clusters/install';
import { auditableCluster, clusterEnvironmentRows, clusterWorkspaces, findClusterByName } from '@/server/services/clusters/shared';

function revokeActiveTokens(tx: Tx, clusterId: number, at: Date): string[] {
  return tx
    .update(clusterTokens)
    .set({ revokedAt: at })
    .where(and(eq(clusterTokens.clusterId, clusterId), isNull(clusterTokens.revokedAt)))
    .returning({ prefix: clusterTokens.prefix })
    .all()
    .map((row) => row.prefix);
}

/** A new token, shown once; every older token stops working in the same commit. */
export function rotateClusterToken(db: Db, actor: Actor, input: RotateClusterTokenInput, origin: string | null = null) {
  const minted = mintClusterToken();
  const cluster = db.transaction((tx) => {
    const found = findClusterByName(tx, input.name);
    const revoked = revokeActiveTokens(tx, found.id, new Date());
    tx.insert(clusterTokens).values({ clusterId: found.id, tokenHash: minted.tokenHash, prefix: minted.prefix }).run();
    recordAudit(tx, actor, {
      action: 'cluster.token.rotate',
      target: { type: 'cluster', id: found.id, label: found.name },
      before: { tokenPrefixes: revoked },
      after: { tokenPrefix: minted.prefix },
    });
    return found;
  });
  cutAgentSession(cluster.id, 'cluster token rotated');
  return {
    token: minted.token,
    tokenPrefix: minted.prefix,
    install: renderInstallInstructions({
      clusterName: cluster.name,
      controlPlaneUrl: resolveControlPlaneUrl(origin),
      tenant: resolveTenant(),
      token: minted.token,
    }),
  };
}

/**
 * Removes the cluster from the fleet: tokens revoked, its rows deleted (nodes, report
 * and environment links cascade), the audit trail kept. Refused while workspaces remain.
 */
export function detachCluster(db: Db, actor: Actor, input: DetachClusterInput) {
  const clusterId = db.transaction((tx) => {
    const cluster = findClusterByName(tx, input.name);
    const remaining = clusterWorkspaces(tx, cluster.id);
    if (remaining.length > 0) {
      const names = remaining.map((ws) => ws.name);
      throw new PreconditionError(
        `Cluster "${cluster.name}" still has ${names.length} workspace${names.length > 1 ? 's' : ''}: ${names.join(', ')}. Delete them before detaching.`,
        { workspaces: names },
      );
    }
    const environmentNames = clusterEnvironmentRows(tx, cluster.id).map((env) => env.name);
    const revoked = revokeActiveTokens(tx, cluster.id, new Date());
    recordAudit(tx, actor, {
      action: 'cluster.detach',
      target: { type: 'cluster', id: cluster.id, label: cluster.name },
      before: { ...auditableCluster(cluster, environmentNames), status: cluster.status, tokenPrefixes: revoked },
      after: null,
    });
    tx.delete(clusters).where(eq(clusters.id, cluster.id)).run();
    return cluster.id;
  });
  cutAgentSession(clusterId, 'cluster detached');
  return { detached: input.name };
}
