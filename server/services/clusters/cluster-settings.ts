/** Changes to an attached cluster's environments and addon choices. */
import { and, eq, inArray } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { clusterEnvironments, clusters, workspaces } from '@/db/schema';
import { normaliseAddonChoice, unofferedEnabledAddonIds } from '@/lib/addons/catalog';
import type { UpdateClusterAddonsInput, UpdateClusterEnvironmentsInput } from '@/lib/schemas/cluster';
import { InvalidError, PreconditionError } from '@/server/errors';
import { type Actor, recordAudit } from '@/server/services/audit';
import { refreshClusterStatus } from '@/server/services/cluster-status';
import { clusterEnvironmentRows, findClusterByName, requireEnvironments } from '@/server/services/clusters/shared';

/**
 * Replaces the cluster's environments. Refused while a workspace of this cluster uses
 * an environment being removed (DOMAIN.md, Environment): the message names them.
 */
export function updateClusterEnvironments(db: Db, actor: Actor, input: UpdateClusterEnvironmentsInput) {
  return db.transaction((tx) => {
    const cluster = findClusterByName(tx, input.name);
    const before = clusterEnvironmentRows(tx, cluster.id);
    const wanted = requireEnvironments(tx, input.environmentIds);
    const wantedIds = new Set(wanted.map((env) => env.id));
    const removed = before.filter((env) => !wantedIds.has(env.id));
    const added = wanted.filter((env) => !before.some((current) => current.id === env.id));
    if (removed.length === 0 && added.length === 0) return { changed: false };

    if (removed.length > 0) {
      const inUse = tx
        .select({ name: workspaces.name, environmentId: workspaces.environmentId })
        .from(workspaces)
        .where(and(eq(workspaces.clusterId, cluster.id), inArray(workspaces.environmentId, removed.map((env) => env.id))))
        .all();
      if (inUse.length > 0) {
        const blocking = removed
          .map((env) => ({ env, names: inUse.filter((ws) => ws.environmentId === env.id).map((ws) => ws.name) }))
          .filter((entry) => entry.names.length > 0)
          .map((entry) => `"${entry.env.name}" is used by workspace${entry.names.length > 1 ? 's' : ''} ${entry.names.join(', ')}`);
        const message = `Cannot remove: ${blocking.join('; ')}. Move or delete those workspaces first.`;
        throw new PreconditionError(message, { environmentIds: [message] });
      }
      tx.delete(clusterEnvironments)
        .where(and(eq(clusterEnvironments.clusterId, cluster.id), inArray(clusterEnvironments.environmentId, removed.map((env) => env.id))))
        .run();
    }
    if (added.length > 0) {
      tx.insert(clusterEnvironments)
        .values(added.map((env) => ({ clusterId: cluster.id, environmentId: env.id })))
        .run();
    }
    tx.update(clusters).set({ updatedAt: new Date() }).where(eq(clusters.id, cluster.id)).run();
    recordAudit(tx, actor, {
      action: 'cluster.environments.update',
      target: { type: 'cluster', id: cluster.id, label: cluster.name },
      before: { environments: before.map((env) => env.name) },
      after: { environments: wanted.map((env) => env.name).sort() },
    });
    return { changed: true };
  });
}

/**
 * Changes the desired addons. Ids not mentioned keep their current value. The status is
 * re-derived at once: turning off an addon the provider already runs clears a conflict.
 */
export function updateClusterAddons(db: Db, actor: Actor, input: UpdateClusterAddonsInput) {
  return db.transaction((tx) => {
    const cluster = findClusterByName(tx, input.name);
    const unoffered = unofferedEnabledAddonIds(cluster.provider, input.addons);
    if (unoffered.length > 0) {
      throw InvalidError.onField('addons', `Not offered on this provider: ${unoffered.join(', ')}`);
    }
    const next = normaliseAddonChoice(cluster.provider, { ...cluster.addons, ...input.addons });
    const changedIds = Object.keys(next).filter((id) => next[id] !== cluster.addons[id]);
    if (changedIds.length === 0) return { changed: false };

    tx.update(clusters).set({ addons: next, updatedAt: new Date() }).where(eq(clusters.id, cluster.id)).run();
    recordAudit(tx, actor, {
      action: 'cluster.addons.update',
      target: { type: 'cluster', id: cluster.id, label: cluster.name },
      before: { addons: Object.fromEntries(changedIds.map((id) => [id, cluster.addons[id] ?? null])) },
      after: { addons: Object.fromEntries(changedIds.map((id) => [id, next[id]])) },
    });
    refreshClusterStatus(tx, cluster.id);
    return { changed: true };
  });
}
