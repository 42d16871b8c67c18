import { asc, count, eq, inArray } from 'drizzle-orm';
import type { EnvironmentRow } from '@/db/schema';
import type { EnvironmentInput, UpdateEnvironmentInput } from '@/lib/schemas/environment';
import { visibleScope } from '@/server/access/authorize';
import type { Principal } from '@/server/access/principal';
import { ConflictError, InvalidError, NotFoundError, PreconditionError } from '@/server/errors';
import { tablesOf, type Db, type Store } from '@/server/store';
import { type Actor, recordAudit } from '@/server/services/audit';

export type Environment = EnvironmentRow;

function auditable(env: Environment) {
  return { name: env.name, color: env.color, isProduction: env.isProduction, optimizeFor: env.optimizeFor };
}

/**
 * The environments `principal` may see, each with how many clusters and workspaces
 * carry it (counted only among the clusters and workspaces the principal may see).
 */
export async function listEnvironments(store: Store, principal: Principal) {
  const { clusterEnvironments, environments, workspaces } = store.tables;
  const scope = visibleScope(principal, 'environment');
  if (scope.kind === 'some' && scope.ids.length === 0) return [];
  const clusterScope = visibleScope(principal, 'cluster');
  const workspaceScope = visibleScope(principal, 'workspace');
  const [clusterRows, workspaceRows, rows] = await Promise.all([
    clusterScope.kind === 'some' && clusterScope.ids.length === 0
      ? Promise.resolve([])
      : store.db
          .select({ id: clusterEnvironments.environmentId, n: count() })
          .from(clusterEnvironments)
          .where(clusterScope.kind === 'some' ? inArray(clusterEnvironments.clusterId, [...clusterScope.ids]) : undefined)
          .groupBy(clusterEnvironments.environmentId),
    workspaceScope.kind === 'some' && workspaceScope.ids.length === 0
      ? Promise.resolve([])
      : store.db
          .select({ id: workspaces.environmentId, n: count() })
          .from(workspaces)
          .where(workspaceScope.kind === 'some' ? inArray(workspaces.id, [...workspaceScope.ids]) : undefined)
          .groupBy(workspaces.environmentId),
    store.db
      .select()
      .from(environments)
      .where(scope.kind === 'some' ? inArray(environments.id, [...scope.ids]) : undefined)
      .orderBy(asc(environments.name)),
  ]);
  const clusterCounts = new Map(clusterRows.map((r) => [r.id, Number(r.n)]));
  const workspaceCounts = new Map(workspaceRows.map((r) => [r.id, Number(r.n)]));
  return rows.map((env) => ({
    ...env,
    clusterCount: clusterCounts.get(env.id) ?? 0,
    workspaceCount: workspaceCounts.get(env.id) ?? 0,
  }));
}

async function assertNameFree(tx: Db, name: string, exceptId?: number): Promise<void> {
  const { environments } = tablesOf(tx);
  const [clash] = await tx.select({ id: environments.id }).from(environments).where(eq(environments.name, name)).limit(1);
  if (clash && clash.id !== exceptId) {
    throw ConflictError.onField('name', `Environment "${name}" already exists`);
  }
}

export async function createEnvironment(store: Store, actor: Actor, input: EnvironmentInput): Promise<Environment> {
  return store.transaction(async (tx) => {
    const { environments } = tablesOf(tx);
    await assertNameFree(tx, input.name);
    const [env] = await tx.insert(environments).values(input).returning();
    if (!env) throw new Error('createEnvironment: the insert returned no row');
    await recordAudit(tx, actor, {
      action: 'environment.create',
      target: { type: 'environment', id: env.id, label: env.name },
      after: auditable(env),
    });
    return env;
  });
}

export async function updateEnvironment(store: Store, actor: Actor, input: UpdateEnvironmentInput): Promise<Environment> {
  return store.transaction(async (tx) => {
    const { environments } = tablesOf(tx);
    const [before] = await tx.select().from(environments).where(eq(environments.id, input.id)).limit(1);
    if (!before) throw new NotFoundError('That environment no longer exists');
    await assertNameFree(tx, input.name, input.id);
    const { id, ...changes } = input;
    const [after] = await tx
      .update(environments)
      .set({ ...changes, updatedAt: new Date() })
      .where(eq(environments.id, id))
      .returning();
    if (!after) throw new NotFoundError('That environment no longer exists');
    await recordAudit(tx, actor, {
      action: 'environment.update',
      target: { type: 'environment', id, label: after.name },
      before: auditable(before),
      after: auditable(after),
    });
    return after;
  });
}

/**
 * Refused while any cluster or workspace carries the environment (the message says which),
 * and for a production environment unless its name was typed to confirm.
 */
export async function deleteEnvironment(store: Store, actor: Actor, id: number, confirmName?: string): Promise<void> {
  await store.transaction(async (tx) => {
    const { clusterEnvironments, clusters, environments, workspaces } = tablesOf(tx);
    const [env] = await tx.select().from(environments).where(eq(environments.id, id)).limit(1);
    if (!env) throw new NotFoundError('That environment no longer exists');
    if (env.isProduction && confirmName !== env.name) {
      throw InvalidError.onField('confirmName', `"${env.name}" is a production environment: type its name to confirm`);
    }
    const usedByClusters = (
      await tx
        .select({ name: clusters.name })
        .from(clusterEnvironments)
        .innerJoin(clusters, eq(clusters.id, clusterEnvironments.clusterId))
        .where(eq(clusterEnvironments.environmentId, id))
        .orderBy(asc(clusters.name))
    ).map((r) => r.name);
    const usedByWorkspaces = (
      await tx
        .select({ name: workspaces.name, cluster: clusters.name })
        .from(workspaces)
        .innerJoin(clusters, eq(clusters.id, workspaces.clusterId))
        .where(eq(workspaces.environmentId, id))
        .orderBy(asc(clusters.name), asc(workspaces.name))
    ).map((r) => `${r.cluster}:${r.name}`);
    if (usedByClusters.length || usedByWorkspaces.length) {
      const parts = [
        usedByClusters.length ? `clusters ${listSome(usedByClusters)}` : null,
        usedByWorkspaces.length ? `workspaces ${listSome(usedByWorkspaces)}` : null,
      ].filter(Boolean);
      throw new PreconditionError(
        `Environment "${env.name}" is in use by ${parts.join(' and ')}. Remove it from them first.`,
      );
    }
    await tx.delete(environments).where(eq(environments.id, id));
    await recordAudit(tx, actor, {
      action: 'environment.delete',
      target: { type: 'environment', id, label: env.name },
      before: auditable(env),
    });
  });
}

function listSome(names: string[], max = 5): string {
  const shown = names.slice(0, max).join(', ');
  return names.length > max ? `${shown} and ${names.length - max} more` : shown;
}
