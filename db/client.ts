import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import * as schema from './schema';

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

/** A transaction handle, or the database itself: what a function that only reads or writes needs. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0] | Db;

export const MIGRATIONS_FOLDER = path.join(process.cwd(), 'db', 'migrations');

/**
 * Opens (creating if missing) and migrates the SQLite file at `file`.
 * `:memory:` gives a private database, which is what router tests use.
 */
export function openDatabase(file: string): Db {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const sqlite = new Database(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  // WAL makes NORMAL durable against application crashes; only an OS crash can lose the last commit.
  sqlite.pragma('synchronous = NORMAL');
  const db = drizzle(sqlite, { schema });
  migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
  return db;
}

const globalForDb = globalThis as unknown as { fleetdeckDb?: Db };

/**
 * The process-wide database. Kept on globalThis because Next bundles route handlers
 * separately from server.ts: both must share one connection (and one WAL writer).
 */
export function getDb(): Db {
  globalForDb.fleetdeckDb ??= openDatabase(process.env.DATABASE_PATH ?? './data/fleetdeck.db');
  return globalForDb.fleetdeckDb;
}

/** For tests and the demo: make `getDb()` return this database. */
export function setDb(db: Db): void {
  globalForDb.fleetdeckDb = db;
}
