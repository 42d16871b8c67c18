/**
 * PostgreSQL through node-postgres, pooled. Selected by `DATABASE_URL=postgres://…`.
 * Transactions are drizzle's own (PostgreSQL runs them asynchronously on one pooled
 * client); one opened inside another becomes a savepoint.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import path from 'node:path';
import type { SQL } from 'drizzle-orm';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import * as postgresTables from '@/db/schema/postgres';
import { constraintError } from './constraint-errors';
import type { Db, Store } from './types';

export const POSTGRES_MIGRATIONS = path.join(process.cwd(), 'db', 'migrations', 'postgres');

export interface PostgresStoreOptions {
  url: string;
  /** Connections in the pool. */
  poolSize?: number;
}

export async function openPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  const pool = new pg.Pool({ connectionString: options.url, max: options.poolSize ?? 10 });
  // An idle client losing its server must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  const database: NodePgDatabase<typeof postgresTables> = drizzle(pool, { schema: postgresTables });
  try {
    await migrate(database, { migrationsFolder: POSTGRES_MIGRATIONS });
  } catch (error) {
    await pool.end();
    throw error;
  }
  const openTransaction = new AsyncLocalStorage<Db>();

  return {
    engine: 'postgres',
    tables: postgresTables,
    db: database,

    async transaction(work) {
      const outer = openTransaction.getStore();
      try {
        return await (outer ?? database).transaction((tx) => openTransaction.run(tx, () => work(tx)));
      } catch (error) {
        throw constraintError(error) ?? error;
      }
    },

    async execute(on: Db, statement: SQL) {
      await on.execute(statement);
    },

    async close() {
      await pool.end();
    },
  };
}
