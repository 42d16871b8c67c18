/**
 * The embedded engine: one SQLite file through better-sqlite3.
 *
 * better-sqlite3 runs statements synchronously and its transactions must be
 * synchronous too (drizzle refuses an async callback, and an async body would commit
 * at its first `await`). Services are async, so this store does what Kysely's SQLite
 * driver does, with one change:
 * - one **writer** connection behind a mutex: `transaction` takes the mutex, issues
 *   `BEGIN IMMEDIATE`, awaits the async body on that connection, then `COMMIT`s or
 *   `ROLLBACK`s, so one transaction is open at a time and nothing interleaves into it;
 * - one **read-only reader** connection for everything outside a transaction. In WAL
 *   mode it reads the last committed state, so a request never sees another request's
 *   uncommitted rows, and reads never queue behind a write (Kysely queues them).
 * A transaction opened inside another (same async context) becomes a savepoint.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { SQL } from 'drizzle-orm';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import type { Tables } from '@/db/schema';
import * as sqliteTables from '@/db/schema/sqlite';
import { constraintError } from './constraint-errors';
import { Mutex } from './mutex';
import type { Db, Store } from './types';

export const SQLITE_MIGRATIONS = path.join(process.cwd(), 'db', 'migrations', 'sqlite');

type SqliteDb = BetterSQLite3Database<typeof sqliteTables>;

function openConnection(file: string, readonly: boolean): Database.Database {
  const connection = new Database(file, { readonly, fileMustExist: readonly });
  if (!readonly) {
    connection.pragma('journal_mode = WAL');
    // WAL makes NORMAL durable against application crashes; only an OS crash can lose the last commit.
    connection.pragma('synchronous = NORMAL');
  }
  connection.pragma('foreign_keys = ON');
  connection.pragma('busy_timeout = 5000');
  return connection;
}

/**
 * The services' view of a better-sqlite3 drizzle database. Both engines' builders are
 * thenables that run the statement when awaited, which is all services do with them.
 */
function asDb(database: SqliteDb): Db {
  return database as unknown as Db;
}

/** Opens (creating if missing) and migrates the SQLite file at `file`. */
export function openSqliteStore(file: string): Store {
  if (file === ':memory:') throw new Error('The SQLite store needs a file: a reader and a writer must share it');
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const writerConnection = openConnection(file, false);
  const writer = drizzle(writerConnection, { schema: sqliteTables });
  migrate(writer, { migrationsFolder: SQLITE_MIGRATIONS });
  const readerConnection = openConnection(file, true);
  const reader = drizzle(readerConnection, { schema: sqliteTables });

  const mutex = new Mutex();
  const openTransaction = new AsyncLocalStorage<{ depth: number }>();
  let savepoints = 0;

  const store: Store = {
    engine: 'sqlite',
    tables: sqliteTables as unknown as Tables,
    db: asDb(reader),

    async transaction(work) {
      const outer = openTransaction.getStore();
      if (outer) {
        const name = `sp_${++savepoints}`;
        writerConnection.exec(`SAVEPOINT ${name}`);
        try {
          const result = await openTransaction.run({ depth: outer.depth + 1 }, () => work(asDb(writer)));
          writerConnection.exec(`RELEASE ${name}`);
          return result;
        } catch (error) {
          writerConnection.exec(`ROLLBACK TO ${name}`);
          writerConnection.exec(`RELEASE ${name}`);
          throw constraintError(error) ?? error;
        }
      }
      return mutex.run(async () => {
        writerConnection.exec('BEGIN IMMEDIATE');
        try {
          const result = await openTransaction.run({ depth: 1 }, () => work(asDb(writer)));
          writerConnection.exec('COMMIT');
          return result;
        } catch (error) {
          if (writerConnection.inTransaction) writerConnection.exec('ROLLBACK');
          throw constraintError(error) ?? error;
        }
      });
    },

    async execute(on: Db, statement: SQL) {
      (on as unknown as SqliteDb).run(statement);
    },

    async close() {
      await mutex.run(async () => {
        readerConnection.close();
        writerConnection.close();
      });
    },
  };
  return store;
}

