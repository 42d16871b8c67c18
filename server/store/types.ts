import type { SQL } from 'drizzle-orm';
import type { NodePgQueryResultHKT } from 'drizzle-orm/node-postgres';
import type { PgDatabase } from 'drizzle-orm/pg-core';
import type { Tables } from '@/db/schema';

export type Engine = 'sqlite' | 'postgres';

/**
 * A database handle as services see it: the store's reads, or an open transaction.
 * Typed as PostgreSQL's drizzle database, whose builders offer only what both engines
 * run when awaited (no better-sqlite3 `.get()/.all()/.run()`).
 */
export type Db = PgDatabase<NodePgQueryResultHKT, Tables>;

/**
 * The control plane's data layer, on either engine. Services are written once against
 * this interface: they read through `db`, write inside `transaction`, and take tables
 * from `tables`, never from an engine's schema module.
 */
export interface Store {
  readonly engine: Engine;
  /** The engine's declarations of the tables (see db/schema/index.ts). */
  readonly tables: Tables;
  /** Reads outside a transaction. Only committed rows are visible here. */
  readonly db: Db;
  /**
   * Runs `work` in one transaction: it commits when the promise resolves and rolls back
   * when it rejects, audit rows included. Called inside another transaction it becomes a
   * savepoint of that one. Unique and foreign-key violations leave as typed domain errors.
   */
  transaction<T>(work: (tx: Db) => Promise<T>): Promise<T>;
  /** Runs a statement that drizzle's builders cannot express, on `db` or a transaction. */
  execute(on: Db, statement: SQL): Promise<void>;
  close(): Promise<void>;
}

/**
 * The tables of the engine a handle belongs to (drizzle keeps the schema it was opened
 * with on every database and transaction), so a function given only `tx` can build its
 * statements without being handed the store too.
 */
export function tablesOf(db: Db): Tables {
  return db._.fullSchema;
}
