import { asc, count, eq } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { clusterEnvironments, clusters, environments, workspaces } from '@/db/schema';
import type { EnvironmentInput, UpdateEnvironmentInput } from '@/lib/schemas/environment';
import { ConflictError, NotFoundError, PreconditionError } from '@/server/errors';
import { type Actor, recordAudit, type Tx } from '@/server/services/audit';

export type Environment = typeof environments.$inferSelect;

function auditable(env: Environment) {
  return { name: env.name, color: env.color, isProduction: env.isProduction, optimizeFor: env.optimizeFor };
}

/** Every environment with how many clusters and workspaces carry it. */
export function listEnvironments(db: Db) {
  const clusterCounts = new Map(
    db
      .select({ id: clusterEnvironments.environmentId, n: count() })
      .from(clusterEnvironments)
      .groupBy(clusterEnvironments.environmentId)
      .all()
      .map((r) => [r.id, r.n]),
  );
  const workspaceCounts = new Map(
    db
      .select({ id: workspaces.environmentId, n: count() })
      .from(workspaces)
      .groupBy(workspaces.environmentId)
      .all()
      .map((r) => [r.id, r.n]),
  );
  return db
    .select()
    .from(environments)
    .orderBy(asc(environments.name))
    .all()
    .map((env) => ({
      ...env,
      clusterCount: clusterCounts.get(env.id) ?? 0,
      workspaceCount: workspaceCounts.get(env.id) ?? 0,
    }));
}

function assertNameFree(tx: Tx, name: string, exceptId?: number): void {
  const clash = tx.select({ id: environments.id }).from(environments).where(eq(environments.name, name)).get();
  if (clash && clash.id !== exceptId) {
    throw ConflictError.onField('name', `Environment "${name}" already exists`);
  }
}

export function createEnvironment(db: Db, actor: Actor, input: EnvironmentInput): Environment {
  return db.transaction((tx) => {
    assertNameFree(tx, input.name);
    const env = tx.insert(environments).values(input).returning().get();
    recordAudit(tx, actor, {
      action: 'environment.create',
      target: { type: 'environment', id: env.id, label: env.name },
      after: auditable(env),
    });
    return env;
  });
}

export function updateEnvironment(db: Db, actor: Actor, input: UpdateEnvironmentInput): Environment {
  return db.transaction((tx) => {
    const before = tx.select().from(environments).where(eq(environments.id, input.id)).get();
    if (!before) throw new NotFoundError('That environment no longer exists');
    assertNameFree(tx, input.name, input.id);
    const { id, ...changes } = input;
    const after = tx
      .update(environments)
      .set({ ...changes, updatedAt: new Date() })
      .where(eq(environments.id, id))
      .returning()
      .get();
    recordAudit(tx, actor, {
      action: 'environment.update',
      target: { type: 'environment', id, label: after.name },
      before: auditable(before),
      after: auditable(after),
    });
    return after;
  });
}

/** Refused while any cluster or workspace carries the environment (the message says which). */
export function deleteEnvironment(db: Db, actor: Actor, id: number): void {
  db.transaction((tx) => {
    const env = tx.select().from(environments).where(eq(environments.id, id)).get();
    if (!env) throw new NotFoundError('That environment no longer exists');
    const usedByClusters = tx
      .select({ name: clusters.name })
      .from(clusterEnvironments)
      .innerJoin(clusters, eq(clusters.id, clusterEnvironments.clusterId))
      .where(eq(clusterEnvironments.environmentId, id))
      .all()
      .map((r) => r.name);
    const usedByWorkspaces = tx
      .select({ name: workspaces.name, cluster: clusters.name })
      .from(workspaces)
      .innerJoin(clusters, eq(clusters.id, workspaces.clusterId))
      .where(eq(workspaces.environmentId, id))
      .all()
      .map((r) => `${r.cluster}:${r.name}`);
    if (usedByClusters.length || usedByWorkspaces.length) {
      const parts = [
        usedByClusters.length ? `clusters ${listSome(usedByClusters)}` : null,
        usedByWorkspaces.length ? `workspaces ${listSome(usedByWorkspaces)}` : null,
      ].filter(Boolean);
      throw new PreconditionError(
        `Environment "${env.name}" is in use by ${parts.join(' and ')}. Remove it from them first.`,
      );
    }
    tx.delete(environments).where(eq(environments.id, id)).run();
    recordAudit(tx, actor, {
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
