/**
 * ML repos themselves: create (the creator becomes its admin), the list over what the
 * caller may see, one repo's page, its description, and deletion. The storage location
 * is derived (`<storage root>/<repo name>`), never stored.
 */
import { and, asc, count, eq, gt, inArray, isNull, or, type SQL, sql } from 'drizzle-orm';
import { repoLocation, type RepoAccess } from '@/lib/ml-repos';
import type { RepoAction } from '@/lib/permissions';
import type { CreateRepoInput, DeleteRepoInput, ListReposQuery, RepoRef, UpdateRepoInput } from '@/lib/schemas/ml-repo';
import type { StorageKind } from '@/lib/storage';
import { repoAccessOf, repoActions, visibleScope } from '@/server/access/authorize';
import type { Principal } from '@/server/access/principal';
import { InvalidError, NotFoundError } from '@/server/errors';
import { tablesOf, type Db, type Store } from '@/server/store';
import { type Actor, recordAudit } from '@/server/services/audit';
import { containsPattern, findRepoByName } from './shared';

export interface RepoListRow {
  id: number;
  name: string;
  description: string;
  storage: { id: number; name: string; kind: StorageKind };
  location: string;
  /** Grants that give access now (expired ones not counted). */
  grantCount: number;
  /** The caller's own effective access. */
  yourAccess: RepoAccess;
}

export interface RepoPage {
  rows: RepoListRow[];
  total: number;
  page: number;
  pageSize: number;
  pageCount: number;
}

/** Counts of live grants per repo, in one grouped query. */
async function liveGrantCounts(db: Db, repoIds: readonly number[], now: Date): Promise<Map<number, number>> {
  const { mlRepoGrants } = tablesOf(db);
  if (repoIds.length === 0) return new Map();
  const rows = await db
    .select({ repoId: mlRepoGrants.repoId, n: count() })
    .from(mlRepoGrants)
    .where(and(inArray(mlRepoGrants.repoId, [...repoIds]), or(isNull(mlRepoGrants.expiresAt), gt(mlRepoGrants.expiresAt, now))))
    .groupBy(mlRepoGrants.repoId);
  return new Map(rows.map((row) => [row.repoId, Number(row.n)]));
}

function repoColumns(db: Db) {
  const { mlRepos, storageIntegrations } = tablesOf(db);
  return {
    id: mlRepos.id,
    name: mlRepos.name,
    description: mlRepos.description,
    storageId: storageIntegrations.id,
    storageName: storageIntegrations.name,
    storageKind: storageIntegrations.kind,
    storageRoot: storageIntegrations.rootUri,
  };
}

type RepoColumns = { id: number; name: string; description: string; storageId: number; storageName: string; storageKind: StorageKind; storageRoot: string };

function rowOf(principal: Principal, row: RepoColumns, grantCount: number): RepoListRow {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    storage: { id: row.storageId, name: row.storageName, kind: row.storageKind },
    location: repoLocation(row.storageRoot, row.name),
    grantCount,
    yourAccess: repoAccessOf(principal, { id: row.id }),
  };
}

/** The caller must have had `withRepoAccess(…, 'reachable')` applied: `visibleScope` reads it. */
export async function listRepos(db: Db, principal: Principal, query: ListReposQuery, now = new Date()): Promise<RepoPage> {
  const { mlRepos, storageIntegrations } = tablesOf(db);
  const scope = visibleScope(principal, 'mlRepo');
  const filters: (SQL | undefined)[] = [scope.kind === 'all' ? undefined : inArray(mlRepos.id, [...scope.ids])];
  if (query.search) {
    const pattern = containsPattern(query.search);
    filters.push(or(sql`lower(${mlRepos.name}) like ${pattern} escape '\\'`, sql`lower(${mlRepos.description}) like ${pattern} escape '\\'`));
  }
  const where = and(...filters);
  const [counted] = await db.select({ n: count() }).from(mlRepos).where(where);
  const total = Number(counted?.n ?? 0);
  const pageCount = Math.max(1, Math.ceil(total / query.pageSize));
  const page = Math.min(query.page, pageCount);
  const rows = await db
    .select(repoColumns(db))
    .from(mlRepos)
    .innerJoin(storageIntegrations, eq(storageIntegrations.id, mlRepos.storageIntegrationId))
    .where(where)
    .orderBy(asc(mlRepos.name))
    .limit(query.pageSize)
    .offset((page - 1) * query.pageSize);
  const counts = await liveGrantCounts(
    db,
    rows.map((row) => row.id),
    now,
  );
  return { rows: rows.map((row) => rowOf(principal, row, counts.get(row.id) ?? 0)), total, page, pageSize: query.pageSize, pageCount };
}

export interface RepoDetail extends RepoListRow {
  /** The storage integration's root; the repo lives under it at `location`. */
  storageRoot: string;
  createdAt: Date;
  createdBy: string | null;
  /** All grants, expired ones included. */
  totalGrantCount: number;
  /** What the caller may do here: the page offers only these. */
  actions: Record<RepoAction, boolean>;
}

/** One repo's page. The caller's access on it is loaded (resourceProcedure). */
export async function getRepo(db: Db, principal: Principal, ref: RepoRef, now = new Date()): Promise<RepoDetail> {
  const { mlRepos, mlRepoGrants, storageIntegrations, users } = tablesOf(db);
  const repo = await findRepoByName(db, ref.name);
  const [[row], [creator], [all], live] = await Promise.all([
    db
      .select(repoColumns(db))
      .from(mlRepos)
      .innerJoin(storageIntegrations, eq(storageIntegrations.id, mlRepos.storageIntegrationId))
      .where(eq(mlRepos.id, repo.id))
      .limit(1),
    repo.createdByUserId === null
      ? Promise.resolve([])
      : db.select({ email: users.email }).from(users).where(eq(users.id, repo.createdByUserId)).limit(1),
    db.select({ n: count() }).from(mlRepoGrants).where(eq(mlRepoGrants.repoId, repo.id)),
    liveGrantCounts(db, [repo.id], now),
  ]);
  if (!row) throw new NotFoundError(`ML repo "${ref.name}" does not exist (it may have been deleted)`);
  return {
    ...rowOf(principal, row, live.get(repo.id) ?? 0),
    storageRoot: row.storageRoot,
    createdAt: repo.createdAt,
    createdBy: creator?.email ?? null,
    totalGrantCount: Number(all?.n ?? 0),
    actions: repoActions(principal, repo.id),
  };
}

/** Creates the repo and, in the same transaction, gives its creator a direct `admin` grant. */
export async function createRepo(store: Store, actor: Actor, input: CreateRepoInput & { storageIntegrationId: number }): Promise<{ id: number; name: string }> {
  return store.transaction(async (tx) => {
    const { mlRepos, mlRepoGrants, storageIntegrations } = tablesOf(tx);
    const [storage] = await tx
      .select({ id: storageIntegrations.id, name: storageIntegrations.name, rootUri: storageIntegrations.rootUri })
      .from(storageIntegrations)
      .where(eq(storageIntegrations.id, input.storageIntegrationId))
      .limit(1);
    if (!storage) throw InvalidError.onField('storageIntegrationId', 'That storage integration does not exist (it may have been deleted)');
    const [repo] = await tx
      .insert(mlRepos)
      .values({ name: input.name, description: input.description ?? '', storageIntegrationId: storage.id, createdByUserId: actor.userId })
      .returning();
    if (!repo) throw new Error('createRepo: no row returned');
    if (actor.userId !== null) {
      await tx.insert(mlRepoGrants).values({ repoId: repo.id, subjectKind: 'user', userId: actor.userId, role: 'admin', grantedByUserId: actor.userId });
    }
    await recordAudit(tx, actor, {
      action: 'mlRepo.create',
      target: { type: 'mlRepo', id: repo.id, label: repo.name },
      after: {
        name: repo.name,
        description: repo.description,
        storage: storage.name,
        location: repoLocation(storage.rootUri, repo.name),
        admin: actor.userId !== null ? actor.label : null,
      },
    });
    return { id: repo.id, name: repo.name };
  });
}

export async function updateRepo(store: Store, actor: Actor, input: UpdateRepoInput): Promise<{ name: string }> {
  return store.transaction(async (tx) => {
    const { mlRepos } = tablesOf(tx);
    const repo = await findRepoByName(tx, input.name);
    if (repo.description === input.description) return { name: repo.name };
    await tx.update(mlRepos).set({ description: input.description, updatedAt: new Date() }).where(eq(mlRepos.id, repo.id));
    await recordAudit(tx, actor, {
      action: 'mlRepo.update',
      target: { type: 'mlRepo', id: repo.id, label: repo.name },
      before: { description: repo.description },
      after: { description: input.description },
    });
    return { name: repo.name };
  });
}

/** Deletes the repo record and its grants (the stored objects stay in the bucket). */
export async function deleteRepo(store: Store, actor: Actor, input: DeleteRepoInput): Promise<{ ok: true }> {
  return store.transaction(async (tx) => {
    const { mlRepos, mlRepoGrants } = tablesOf(tx);
    const repo = await findRepoByName(tx, input.name);
    if (input.confirmName !== repo.name) throw InvalidError.onField('confirmName', `Type "${repo.name}" exactly to confirm`);
    const [grants] = await tx.select({ n: count() }).from(mlRepoGrants).where(eq(mlRepoGrants.repoId, repo.id));
    await tx.delete(mlRepos).where(eq(mlRepos.id, repo.id));
    await recordAudit(tx, actor, {
      action: 'mlRepo.delete',
      target: { type: 'mlRepo', id: repo.id, label: repo.name },
      before: { name: repo.name, description: repo.description, storageIntegrationId: repo.storageIntegrationId, grants: Number(grants?.n ?? 0) },
    });
    return { ok: true as const };
  });
}
