/**
 * Storage integrations: where ML repos keep their files. Admins manage them; members
 * list names and locations (to pick one for a new repo). Credentials are write-only:
 * sealed on the way in, opened only by `cp.storage` to build a driver, and never part
 * of an answer or an audit entry (the hint and "credentials replaced" stand for them).
 */
import { asc, count, eq, inArray } from 'drizzle-orm';
import type { StorageIntegrationRow } from '@/db/schema';
import {
  azureAccountProblem,
  type CreateStorageIntegrationInput,
  type ReplaceStorageCredentialsInput,
  type UpdateStorageIntegrationInput,
} from '@/lib/schemas/storage';
import { STORAGE_KIND_LABELS, type StorageSettings } from '@/lib/storage';
import { roleHas } from '@/lib/permissions';
import { requireUser } from '@/server/access/authorize';
import type { Principal } from '@/server/access/principal';
import { InvalidError, NotFoundError, PreconditionError } from '@/server/errors';
import type { SecretBox } from '@/server/secrets/secret-box';
import { type Actor, recordAudit } from '@/server/services/audit';
import { type Db, type Store, tablesOf } from '@/server/store';
import { identityOf, sealCredentials } from './credentials';

/** What anyone who may read storage sees: enough to pick one for a repo. */
export interface StorageIntegrationSummary {
  id: number;
  name: string;
  kind: StorageIntegrationRow['kind'];
  rootUri: string;
}

/** What an admin sees besides: never the credentials, only their hint. */
export interface StorageIntegrationDetails {
  settings: StorageSettings;
  credentialsHint: string;
  lastTest: StorageIntegrationRow['lastTest'];
  /** ML repos stored on it, and the first few names (for "Used by 2 ML repos (a, b)"). */
  repoCount: number;
  repoNames: string[];
  createdAt: Date;
  updatedAt: Date;
}

export type StorageIntegrationView = StorageIntegrationSummary & { details: StorageIntegrationDetails | null };
export type StorageIntegration = StorageIntegrationSummary & { details: StorageIntegrationDetails };

const REPO_NAMES_SHOWN = 5;

function summaryOf(row: StorageIntegrationRow): StorageIntegrationSummary {
  return { id: row.id, name: row.name, kind: row.kind, rootUri: row.rootUri };
}

function viewOf(row: StorageIntegrationRow, repoNames: string[], repoCount: number): StorageIntegration {
  return {
    ...summaryOf(row),
    details: {
      settings: row.settings,
      credentialsHint: row.credentialsHint,
      lastTest: row.lastTest ?? null,
      repoCount,
      repoNames: repoNames.slice(0, REPO_NAMES_SHOWN),
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
    },
  };
}

/** What the audit trail keeps: never credentials, only the hint. */
function auditable(row: StorageIntegrationRow) {
  return { name: row.name, kind: row.kind, rootUri: row.rootUri, settings: row.settings, credentialsHint: row.credentialsHint };
}

async function reposUsing(db: Db, integrationIds: readonly number[]): Promise<Map<number, { count: number; names: string[] }>> {
  const usage = new Map<number, { count: number; names: string[] }>();
  if (integrationIds.length === 0) return usage;
  const { mlRepos } = tablesOf(db);
  const [counts, names] = await Promise.all([
    db
      .select({ id: mlRepos.storageIntegrationId, n: count() })
      .from(mlRepos)
      .where(inArray(mlRepos.storageIntegrationId, [...integrationIds]))
      .groupBy(mlRepos.storageIntegrationId),
    db
      .select({ id: mlRepos.storageIntegrationId, name: mlRepos.name })
      .from(mlRepos)
      .where(inArray(mlRepos.storageIntegrationId, [...integrationIds]))
      .orderBy(asc(mlRepos.name))
      .limit(REPO_NAMES_SHOWN * integrationIds.length + 50),
  ]);
  for (const row of counts) usage.set(row.id, { count: Number(row.n), names: [] });
  for (const row of names) {
    const entry = usage.get(row.id);
    if (entry && entry.names.length < REPO_NAMES_SHOWN) entry.names.push(row.name);
  }
  return usage;
}

async function loadRow(db: Db, id: number): Promise<StorageIntegrationRow> {
  const { storageIntegrations } = tablesOf(db);
  const [row] = await db.select().from(storageIntegrations).where(eq(storageIntegrations.id, id)).limit(1);
  if (!row) throw new NotFoundError('That storage integration no longer exists');
  return row;
}

/** One integration with its admin details. */
export async function getStorageIntegration(store: Store, id: number): Promise<StorageIntegration> {
  const row = await loadRow(store.db, id);
  const usage = (await reposUsing(store.db, [id])).get(id);
  return viewOf(row, usage?.names ?? [], usage?.count ?? 0);
}

/** The row itself, credentials sealed: for `cp.storage.driverFor` (artifacts, Test connection). */
export function loadStorageIntegrationRow(store: Store, id: number): Promise<StorageIntegrationRow> {
  return loadRow(store.db, id);
}

/** Every integration by name; admins get the details, members the summary only (`details: null`). */
export async function listStorageIntegrations(store: Store, principal: Principal): Promise<StorageIntegrationView[]> {
  const user = requireUser(principal);
  const { storageIntegrations } = store.tables;
  const rows = await store.db.select().from(storageIntegrations).orderBy(asc(storageIntegrations.name));
  if (!roleHas(user.role, 'storage.manage')) return rows.map((row) => ({ ...summaryOf(row), details: null }));
  const usage = await reposUsing(
    store.db,
    rows.map((r) => r.id),
  );
  return rows.map((row) => viewOf(row, usage.get(row.id)?.names ?? [], usage.get(row.id)?.count ?? 0));
}

function settingsFor(input: CreateStorageIntegrationInput): StorageSettings {
  switch (input.kind) {
    case 's3':
      return { region: input.region };
    case 's3-compatible':
      return { endpoint: input.endpoint };
    default:
      return {};
  }
}

export async function createStorageIntegration(
  store: Store,
  secrets: SecretBox,
  actor: Actor,
  input: CreateStorageIntegrationInput,
): Promise<StorageIntegration> {
  // Sealed before the transaction: a failure here writes nothing.
  const identity = identityOf(input);
  const credentialsSealed = sealCredentials(secrets, identity.credentials);
  const settings = { ...settingsFor(input), ...identity.settings };
  const row = await store.transaction(async (tx) => {
    const { storageIntegrations } = tablesOf(tx);
    const [created] = await tx
      .insert(storageIntegrations)
      .values({ name: input.name, kind: input.kind, rootUri: input.rootUri, settings: dropUndefined(settings), credentialsSealed, credentialsHint: identity.hint })
      .returning();
    if (!created) throw new Error('createStorageIntegration: the insert returned no row');
    await recordAudit(tx, actor, {
      action: 'storageIntegration.create',
      target: { type: 'storageIntegration', id: created.id, label: created.name },
      after: auditable(created),
    });
    return created;
  });
  return viewOf(row, [], 0);
}

function dropUndefined(settings: StorageSettings): StorageSettings {
  return Object.fromEntries(Object.entries(settings).filter(([, value]) => value !== undefined && value !== '')) as StorageSettings;
}

/** Name, S3 region and S3-compatible endpoint; the root and the kind stay. */
export async function updateStorageIntegration(store: Store, actor: Actor, input: UpdateStorageIntegrationInput): Promise<StorageIntegration> {
  const row = await store.transaction(async (tx) => {
    const { storageIntegrations } = tablesOf(tx);
    const before = await loadRow(tx, input.id);
    if (input.region !== undefined && before.kind !== 's3') throw InvalidError.onField('region', 'Only AWS S3 integrations have a region');
    if (input.endpoint !== undefined && before.kind !== 's3-compatible') {
      throw InvalidError.onField('endpoint', 'Only S3-compatible integrations have an endpoint');
    }
    const settings = dropUndefined({
      ...before.settings,
      ...(input.region !== undefined ? { region: input.region } : {}),
      ...(input.endpoint !== undefined ? { endpoint: input.endpoint } : {}),
    });
    const [after] = await tx
      .update(storageIntegrations)
      .set({ name: input.name, settings, updatedAt: new Date() })
      .where(eq(storageIntegrations.id, input.id))
      .returning();
    if (!after) throw new NotFoundError('That storage integration no longer exists');
    await recordAudit(tx, actor, {
      action: 'storageIntegration.update',
      target: { type: 'storageIntegration', id: after.id, label: after.name },
      before: auditable(before),
      after: auditable(after),
    });
    return after;
  });
  return getStorageIntegration(store, row.id);
}

/** New credentials (of the integration's kind); the old ones are gone. The last test no longer applies. */
export async function replaceStorageCredentials(
  store: Store,
  secrets: SecretBox,
  actor: Actor,
  input: ReplaceStorageCredentialsInput,
): Promise<StorageIntegration> {
  const identity = identityOf(input);
  const credentialsSealed = sealCredentials(secrets, identity.credentials);
  const row = await store.transaction(async (tx) => {
    const { storageIntegrations } = tablesOf(tx);
    const before = await loadRow(tx, input.id);
    if (before.kind !== input.kind) {
      throw InvalidError.onField('kind', `This is an ${STORAGE_KIND_LABELS[before.kind]} integration: enter credentials of that kind`);
    }
    if (input.kind === 'azure-blob') {
      // The same account rule as on create, against the stored root.
      const problem = azureAccountProblem(before.rootUri, input.connectionString);
      if (problem) throw InvalidError.onField('connectionString', problem);
    }
    const settings = before.kind === 's3' ? dropUndefined({ ...before.settings, roleArn: identity.settings.roleArn }) : before.settings;
    const [after] = await tx
      .update(storageIntegrations)
      .set({ credentialsSealed, credentialsHint: identity.hint, settings, lastTest: null, updatedAt: new Date() })
      .where(eq(storageIntegrations.id, input.id))
      .returning();
    if (!after) throw new NotFoundError('That storage integration no longer exists');
    await recordAudit(tx, actor, {
      action: 'storageIntegration.replaceCredentials',
      target: { type: 'storageIntegration', id: after.id, label: after.name },
      before: { credentialsHint: before.credentialsHint, settings: before.settings },
      after: { credentials: 'replaced', credentialsHint: after.credentialsHint, settings: after.settings },
    });
    return after;
  });
  return getStorageIntegration(store, row.id);
}

/** Refused while any ML repo is stored on it (the message names them); the foreign key is the backstop. */
export async function deleteStorageIntegration(store: Store, actor: Actor, id: number): Promise<void> {
  await store.transaction(async (tx) => {
    const { storageIntegrations } = tablesOf(tx);
    const row = await loadRow(tx, id);
    const usage = (await reposUsing(tx, [id])).get(id);
    if (usage && usage.count > 0) {
      const more = usage.count > usage.names.length ? ` and ${usage.count - usage.names.length} more` : '';
      const noun = usage.count === 1 ? 'ML repo' : 'ML repos';
      throw new PreconditionError(`Used by ${usage.count} ${noun} (${usage.names.join(', ')}${more}); move or delete them first`);
    }
    await tx.delete(storageIntegrations).where(eq(storageIntegrations.id, id));
    await recordAudit(tx, actor, {
      action: 'storageIntegration.delete',
      target: { type: 'storageIntegration', id, label: row.name },
      before: auditable(row),
    });
  });
}
