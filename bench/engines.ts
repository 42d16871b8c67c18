/**
 * What the benchmarks share to run on both engines: `--engine sqlite|postgres|both`, a
 * fresh database per engine handed to a child process of the bench script (so neither
 * engine's run inherits the other's warm code or heap), and the side-by-side table.
 *
 * PostgreSQL is the server at `FLEETDECK_BENCH_POSTGRES_URL` (a new database is created
 * on it and dropped after), or else a throwaway one started for the run
 * (testing/postgres-server.ts: Debian's binaries).
 */
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { Engine } from '@/server/store';

export function flag(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at === -1 ? undefined : Number(process.argv[at + 1]);
  return value !== undefined && Number.isFinite(value) && value > 0 ? value : fallback;
}

export function option(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? undefined : process.argv[at + 1];
}

function chosenEngines(): Engine[] {
  const choice = option('engine') ?? 'both';
  if (choice !== 'sqlite' && choice !== 'postgres' && choice !== 'both') {
    throw new Error(`--engine must be sqlite, postgres or both, not ${choice}`);
  }
  return choice === 'both' ? ['sqlite', 'postgres'] : [choice];
}

/** One engine's empty database, described by the environment its child process gets. */
interface BenchDatabase {
  env: Record<string, string>;
  drop(): Promise<void>;
}

function sqliteDatabase(bench: string): BenchDatabase {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `fleetdeck-bench-${bench}-`));
  return {
    env: { FLEETDECK_BENCH_DATABASE_PATH: path.join(dir, 'bench.db') },
    drop: async () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

async function postgresDatabase(serverUrl: string, bench: string): Promise<BenchDatabase> {
  const { createTestDatabase } = await import('@/testing/postgres-server');
  const name = `fleetdeck_bench_${bench}_${process.pid}_${Date.now().toString(36)}`;
  const url = await createTestDatabase(serverUrl, name);
  return {
    env: { FLEETDECK_BENCH_DATABASE_URL: url },
    async drop() {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

/**
 * The database settings of an engine run, for `loadConfig`: only the database main
 * prepared, whatever DATABASE_URL the caller's shell holds.
 */
export function benchDatabaseEnv(): { DATABASE_URL?: string; DATABASE_PATH?: string; FLEETDECK_SECRET_KEY?: string } {
  return {
    DATABASE_URL: process.env.FLEETDECK_BENCH_DATABASE_URL,
    DATABASE_PATH: process.env.FLEETDECK_BENCH_DATABASE_PATH,
    // PostgreSQL refuses to start without one; a throwaway database needs a throwaway key.
    FLEETDECK_SECRET_KEY: process.env.FLEETDECK_SECRET_KEY ?? randomBytes(32).toString('base64'),
  };
}

/** True in the child process an engine run happens in (`--role server`). */
export function isEngineRun(): boolean {
  return option('role') === 'server';
}

/** Hands an engine run's result back to main; resolves once it is sent, so the child may exit. */
export function reportResult<R>(result: R): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!process.send) return resolve();
    process.send({ type: 'result', result }, undefined, {}, (error) => (error ? reject(error) : resolve()));
  });
}

/** Runs `script` once per chosen engine as `--role server` on a fresh database, and collects what each reported. */
export async function runOnEngines<R>(script: string, bench: string): Promise<Map<Engine, R>> {
  const results = new Map<Engine, R>();
  let stopServer: (() => Promise<void>) | undefined;
  try {
    for (const engine of chosenEngines()) {
      let database: BenchDatabase;
      if (engine === 'sqlite') {
        database = sqliteDatabase(bench);
      } else {
        let serverUrl = process.env.FLEETDECK_BENCH_POSTGRES_URL;
        if (!serverUrl) {
          const { startPostgresServer } = await import('@/testing/postgres-server');
          const started = await startPostgresServer();
          serverUrl = started.url;
          stopServer = () => started.stop();
        }
        database = await postgresDatabase(serverUrl, bench);
      }
      try {
        const result = await runChild<R>(script, database);
        if (result === null) throw new Error(`the ${engine} run ended without a result`);
        results.set(engine, result);
      } finally {
        await database.drop();
      }
    }
  } finally {
    await stopServer?.();
  }
  return results;
}

function runChild<R>(script: string, database: BenchDatabase): Promise<R | null> {
  const args = process.argv.slice(2).filter((arg, i, all) => arg !== '--engine' && all[i - 1] !== '--engine');
  const child = fork(fileURLToPath(script), ['--role', 'server', ...args], {
    stdio: 'inherit',
    env: { ...process.env, ...database.env },
  });
  return new Promise((resolve) => {
    let result: R | null = null;
    child.on('message', (raw) => {
      const message = raw as { type?: string; result?: R };
      if (message.type === 'result' && message.result !== undefined) result = message.result;
    });
    child.on('exit', () => resolve(result));
  });
}

/** "postgres / sqlite" as a factor, or "—" when either is missing or sqlite's is 0. */
export function ratio(sqlite: number | null, postgres: number | null): string {
  return sqlite === null || postgres === null || sqlite === 0 ? '—' : `${(postgres / sqlite).toFixed(2)}×`;
}

export function printTable(rows: readonly (readonly string[])[], header: readonly string[]): void {
  const widths = header.map((_, i) => Math.max(...rows.map((r) => r[i]?.length ?? 0), header[i]?.length ?? 0));
  const line = (r: readonly string[]) => r.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  console.log(line(header));
  console.log(line(widths.map((w) => '─'.repeat(w))));
  for (const r of rows) console.log(line(r));
}
