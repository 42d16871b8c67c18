/**
 * One control plane per database. A second process started against the same data (a
 * second `npm run demo`, `npm start` twice) must stop before it writes anything: its
 * start-up marks every "connected" cluster disconnected (the previous run's sessions),
 * which would rewrite the live sessions of the process already running.
 *
 * - SQLite: an exclusive lock file beside the database (`<db>.lock`, created with `wx`,
 *   holding the owner's pid), removed on release. A file left by a process that died is
 *   taken over once its pid is gone.
 * - PostgreSQL: a session-level advisory lock (`pg_try_advisory_lock`) on a connection of
 *   its own, held for the process lifetime; the server drops it when the process dies.
 *
 * Taken before the store is opened: migrations, bootstrap and the session sweep all run
 * only in the process that holds it.
 */
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import type { DatabaseConfig } from '@/server/store';

/** Another live control plane holds the database; printed as it is, without a stack. */
export class InstanceLockedError extends Error {}

export interface InstanceLock {
  /** What is locked, for logs. */
  readonly description: string;
  release(): Promise<void>;
}

/** Any number: the same for every Fleetdeck process, distinct from what other apps are likely to pick. */
const ADVISORY_LOCK_KEY = 0x466c_6474; // "Fldt"

export function lockFilePathFor(databasePath: string): string {
  return `${path.resolve(databasePath)}.lock`;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else, still a live holder.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readHolder(file: string): number | null {
  try {
    const pid = Number.parseInt(fs.readFileSync(file, 'utf8').trim(), 10);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** Lock files this process holds: a second control plane in the same process is refused too. */
const heldHere = new Set<string>();

function lockSqliteFile(databasePath: string): InstanceLock {
  const file = lockFilePathFor(databasePath);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  // Two tries: the second after clearing a lock whose holder has died.
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, `${process.pid}\n`, { flag: 'wx' });
      heldHere.add(file);
      let released = false;
      return {
        description: file,
        async release() {
          if (released) return;
          released = true;
          heldHere.delete(file);
          if (readHolder(file) === process.pid) fs.rmSync(file, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = readHolder(file);
      if (heldHere.has(file) || (holder !== null && holder !== process.pid && isAlive(holder))) {
        throw new InstanceLockedError(
          `Another Fleetdeck control plane (pid ${holder ?? '?'}) is already running on ${path.resolve(databasePath)}. ` +
            `Stop it first, or use another database (DATABASE_PATH=…). Nothing was changed. ` +
            `(If no such process runs, delete ${file}.)`,
        );
      }
      // Left by a process that is gone, by an earlier life of our own pid (a container's
      // pid 1 after a crash), or half-written by a process that died while creating it.
      fs.rmSync(file, { force: true });
    }
  }
  throw new InstanceLockedError(`Could not take the lock ${file}: another process keeps creating it.`);
}

/**
 * A restart right after a crash can find the dead process's connection not yet closed
 * on the server; it is given this long to go before we give up.
 */
const POSTGRES_LOCK_PATIENCE_MS = 5_000;

async function lockPostgres(url: string): Promise<InstanceLock> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const deadline = Date.now() + POSTGRES_LOCK_PATIENCE_MS;
    for (;;) {
      const result = await client.query<{ locked: boolean }>('select pg_try_advisory_lock($1) as locked', [ADVISORY_LOCK_KEY]);
      if (result.rows[0]?.locked) break;
      if (Date.now() >= deadline) {
        throw new InstanceLockedError(
          'Another Fleetdeck control plane is already running on this PostgreSQL database (DATABASE_URL). ' +
            'Fleetdeck runs as one replica per database; stop the other one first. Nothing was changed. ' +
            `(If none runs, a dead one's connection still holds the lock: select pg_terminate_backend(pid) from pg_locks where locktype = 'advisory' and objid = ${ADVISORY_LOCK_KEY}.)`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
  // A dropped lock connection means the lock is gone; nothing to do but log-free survival.
  client.on('error', () => undefined);
  let released = false;
  return {
    description: 'PostgreSQL advisory lock',
    async release() {
      if (released) return;
      released = true;
      await client.end().catch(() => undefined);
    },
  };
}

/**
 * Takes the database's instance lock or throws `InstanceLockedError`. An in-memory
 * SQLite database is private to the process and needs none.
 */
export async function acquireInstanceLock(database: DatabaseConfig): Promise<InstanceLock> {
  if (database.engine === 'postgres') return lockPostgres(database.url);
  if (database.path === ':memory:') return { description: 'in-memory database', release: async () => undefined };
  return lockSqliteFile(database.path);
}
