/**
 * The store's promises, on whichever engine the project runs (sqlite or postgres):
 * isolation of open transactions, all-or-nothing writes, savepoints, constraint errors
 * as domain errors, identical values, and the append-only audit trail.
 */
import { count, eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConflictError, PreconditionError } from '@/server/errors';
import { recordAudit, SYSTEM_ACTOR } from '@/server/services/audit';
import type { Db, Store } from '@/server/store';
import { openTestStore, testEngine } from '@/testing/test-store';

let store: Store;

beforeEach(async () => {
  store = await openTestStore();
});

afterEach(async () => {
  await store.close();
});

function clusterValues(name: string) {
  return {
    name,
    provider: 'generic' as const,
    region: 'eu-west',
    prometheusUrl: 'http://prometheus.test',
    nodePoolLabel: 'pool',
    gpuTypeLabel: 'gpu',
  };
}

async function insertCluster(tx: Db, name: string): Promise<number> {
  const { clusters } = store.tables;
  const [row] = await tx.insert(clusters).values(clusterValues(name)).returning({ id: clusters.id });
  if (!row) throw new Error('no cluster returned');
  return row.id;
}

async function insertEnvironment(tx: Db, name: string): Promise<number> {
  const { environments } = store.tables;
  const [row] = await tx.insert(environments).values({ name, color: '#112233' }).returning({ id: environments.id });
  if (!row) throw new Error('no environment returned');
  return row.id;
}

async function clusterNames(): Promise<string[]> {
  const { clusters } = store.tables;
  const rows = await store.db.select({ name: clusters.name }).from(clusters).orderBy(clusters.name);
  return rows.map((row) => row.name);
}

async function auditCount(): Promise<number> {
  const { auditEvents } = store.tables;
  const [row] = await store.db.select({ n: count() }).from(auditEvents);
  return Number(row?.n);
}

/** An error's message and its causes' (drizzle wraps PostgreSQL's errors in its own). */
function messages(error: unknown): string {
  const parts: string[] = [];
  for (let current = error; current instanceof Error; current = current.cause) parts.push(current.message);
  return parts.join(' <- ');
}

/** A promise with its resolve function, to hold a transaction open at a chosen point. */
function latch(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

describe(`store on ${testEngine()}`, () => {
  it('opens the engine the project asks for', () => {
    expect(store.engine).toBe(testEngine());
  });

  it('does not show an open transaction’s rows to reads outside it', async () => {
    const inserted = latch();
    const release = latch();
    const writing = store.transaction(async (tx) => {
      await insertCluster(tx, 'uncommitted');
      // Inside, the transaction sees its own row.
      const own = await tx.select().from(store.tables.clusters);
      inserted.open();
      await release.promise;
      return own.length;
    });

    await inserted.promise;
    expect(await clusterNames()).toEqual([]);

    release.open();
    expect(await writing).toBe(1);
    expect(await clusterNames()).toEqual(['uncommitted']);
  });

  it('writes nothing, audit row included, when the work throws halfway', async () => {
    await expect(
      store.transaction(async (tx) => {
        const id = await insertCluster(tx, 'half-done');
        await recordAudit(tx, SYSTEM_ACTOR, { action: 'cluster.create', target: { type: 'cluster', id, label: 'half-done' } });
        throw new Error('something failed after the audit row');
      }),
    ).rejects.toThrow('something failed after the audit row');

    expect(await clusterNames()).toEqual([]);
    expect(await auditCount()).toBe(0);

    // The failed transaction left the store usable: the next one commits.
    await store.transaction(async (tx) => {
      const id = await insertCluster(tx, 'whole');
      await recordAudit(tx, SYSTEM_ACTOR, { action: 'cluster.create', target: { type: 'cluster', id, label: 'whole' } });
    });
    expect(await clusterNames()).toEqual(['whole']);
    expect(await auditCount()).toBe(1);
  });

  it('makes a nested transaction a savepoint: its failure, caught, keeps the outer writes', async () => {
    await store.transaction(async (tx) => {
      await insertCluster(tx, 'outer');
      await expect(
        store.transaction(async (inner) => {
          await insertCluster(inner, 'inner');
          throw new Error('inner failed');
        }),
      ).rejects.toThrow('inner failed');
      await store.transaction(async (inner) => {
        await insertCluster(inner, 'inner-kept');
      });
    });
    expect(await clusterNames()).toEqual(['inner-kept', 'outer']);
  });

  it('rolls back a committed savepoint when the outer transaction fails', async () => {
    await expect(
      store.transaction(async (tx) => {
        await store.transaction((inner) => insertCluster(inner, 'inner'));
        await insertCluster(tx, 'outer');
        throw new Error('outer failed');
      }),
    ).rejects.toThrow('outer failed');
    expect(await clusterNames()).toEqual([]);
  });

  it('turns a unique violation into a conflict on the field', async () => {
    await store.transaction((tx) => insertCluster(tx, 'taken'));
    const error = await store.transaction((tx) => insertCluster(tx, 'taken')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({
      message: 'A cluster with this name already exists',
      fieldErrors: { name: ['A cluster with this name already exists'] },
    });
  });

  it('names the field of a violated two-column unique index', async () => {
    const { workspaces } = store.tables;
    const [clusterId, environmentId] = await store.transaction(async (tx) => [
      await insertCluster(tx, 'gpu-east'),
      await insertEnvironment(tx, 'prod'),
    ]);
    const insertWorkspace = () =>
      store.transaction((tx) => tx.insert(workspaces).values({ clusterId, environmentId, name: 'research' }));
    await insertWorkspace();
    const error = await insertWorkspace().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({ fieldErrors: { name: ['A workspace with this name already exists in this cluster'] } });
  });

  it('gives one row and one conflict to two concurrent inserts of the same name', async () => {
    const results = await Promise.allSettled([
      store.transaction((tx) => insertCluster(tx, 'raced')),
      store.transaction((tx) => insertCluster(tx, 'raced')),
    ]);
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.filter((result) => result.status === 'rejected');
    expect(rejected).toHaveLength(1);
    expect(rejected[0]?.reason).toBeInstanceOf(ConflictError);
    expect(await clusterNames()).toEqual(['raced']);
  });

  it('turns foreign-key violations into precondition errors', async () => {
    const { workspaces, environments } = store.tables;
    const missingParent = await store
      .transaction((tx) => tx.insert(workspaces).values({ clusterId: 9999, environmentId: 9999, name: 'orphan' }))
      .catch((e: unknown) => e);
    expect(missingParent).toBeInstanceOf(PreconditionError);

    const environmentId = await store.transaction(async (tx) => {
      const clusterId = await insertCluster(tx, 'gpu-west');
      const id = await insertEnvironment(tx, 'staging');
      await tx.insert(workspaces).values({ clusterId, environmentId: id, name: 'training' });
      return id;
    });
    const stillInUse = await store
      .transaction((tx) => tx.delete(environments).where(eq(environments.id, environmentId)))
      .catch((e: unknown) => e);
    expect(stillInUse).toBeInstanceOf(PreconditionError);
  });

  it('stores instants to the second, JSON values and booleans the same way', async () => {
    const { clusters, users } = store.tables;
    const seen = new Date('2024-05-06T07:08:09.456Z');
    const addons = { monitoring: true, ingress: false };
    const gpusByType = { H100: 64, 'A100-80GB': 0 };
    const statusReasons = ['quota "gpu" exhausted', 'naïve ünïcode ✓', ''];
    const before = Math.floor(Date.now() / 1000) * 1000;

    const id = await store.transaction(async (tx) => {
      const [row] = await tx
        .insert(clusters)
        .values({ ...clusterValues('values'), lastSeenAt: seen, addons, gpusByType, statusReasons, baseDomains: [] })
        .returning({ id: clusters.id });
      await tx.insert(users).values([
        { email: 'on@example.com', name: 'On', passwordHash: 'x', active: true },
        { email: 'off@example.com', name: 'Off', passwordHash: 'x', active: false },
      ]);
      return row?.id ?? 0;
    });

    const [cluster] = await store.db.select().from(clusters).where(eq(clusters.id, id));
    expect(cluster?.lastSeenAt).toEqual(new Date('2024-05-06T07:08:09.000Z'));
    expect(cluster?.connectedAt).toBeNull();
    expect(cluster?.addons).toEqual(addons);
    expect(cluster?.gpusByType).toEqual(gpusByType);
    expect(cluster?.statusReasons).toEqual(statusReasons);
    expect(cluster?.baseDomains).toEqual([]);
    // The database's default instant is a Date at a whole second, now.
    expect(cluster?.createdAt).toBeInstanceOf(Date);
    expect(cluster?.createdAt.getTime() ?? 0).toBeGreaterThanOrEqual(before);
    expect(cluster?.createdAt.getTime() ?? 0).toBeLessThanOrEqual(Date.now());
    expect((cluster?.createdAt.getTime() ?? 1) % 1000).toBe(0);

    const people = await store.db.select({ email: users.email, active: users.active }).from(users).orderBy(users.email);
    expect(people).toEqual([
      { email: 'off@example.com', active: false },
      { email: 'on@example.com', active: true },
    ]);
    const active = await store.db.select({ email: users.email }).from(users).where(eq(users.active, true));
    expect(active).toEqual([{ email: 'on@example.com' }]);

    // An instant compares to the second in a where clause too.
    const matched = await store.db.select({ id: clusters.id }).from(clusters).where(eq(clusters.lastSeenAt, new Date('2024-05-06T07:08:09.999Z')));
    expect(matched).toEqual([{ id }]);
  });

  it('stores nested JSON in the audit trail as it was given', async () => {
    const { auditEvents } = store.tables;
    const after = { nested: { list: [1, 'two', null, { deep: true }], empty: {} }, count: 3.5 };
    await store.transaction((tx) =>
      recordAudit(tx, SYSTEM_ACTOR, { action: 'cluster.update', target: { type: 'cluster', id: 7 }, before: null, after }),
    );
    const [row] = await store.db.select().from(auditEvents);
    expect(row).toMatchObject({ before: null, after, targetId: '7', actorUserId: null, actorLabel: 'system' });
  });

  it('refuses to update or delete audit rows', async () => {
    const { auditEvents } = store.tables;
    await store.transaction((tx) => recordAudit(tx, SYSTEM_ACTOR, { action: 'user.create', target: { type: 'user', id: 1 } }));

    const theRow = eq(auditEvents.action, 'user.create');
    const updated = await store
      .transaction((tx) => tx.update(auditEvents).set({ action: 'user.delete' }).where(theRow))
      .catch((e: unknown) => e);
    expect(messages(updated)).toMatch(/audit_events is append-only/);
    const deleted = await store.transaction((tx) => tx.delete(auditEvents).where(theRow)).catch((e: unknown) => e);
    expect(messages(deleted)).toMatch(/audit_events is append-only/);

    const rows = await store.db.select({ action: auditEvents.action }).from(auditEvents);
    expect(rows).toEqual([{ action: 'user.create' }]);
  });

  it.runIf(testEngine() === 'sqlite')('refuses a write outside a transaction on SQLite (read-only reader)', async () => {
    await expect(store.db.insert(store.tables.clusters).values(clusterValues('sneaky'))).rejects.toThrow(/readonly/);
    expect(await clusterNames()).toEqual([]);
  });
});
