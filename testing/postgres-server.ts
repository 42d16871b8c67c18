/**
 * A throwaway PostgreSQL server for tests: Debian's binaries, a cluster in a temporary
 * directory, listening on a free loopback port, tuned for speed over durability.
 *
 * PostgreSQL refuses to run as root, and CI runs as root: then the cluster belongs to
 * the `postgres` user and initdb/pg_ctl run as that user (runuser).
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

export interface PostgresServer {
  /** `postgres://postgres@127.0.0.1:PORT/postgres`: the superuser on the maintenance database. */
  url: string;
  /** Stops the server at once (nothing in it is worth a clean shutdown) and deletes its files. */
  stop(): Promise<void>;
}

const NOT_INSTALLED =
  'PostgreSQL is not installed: the PostgreSQL test suites need its server binaries ' +
  '(Debian: apt-get install -y --no-install-recommends postgresql)';

/** The bin directory of the highest PostgreSQL version Debian installed. */
export function postgresBinDir(root = '/usr/lib/postgresql'): string {
  const versions = fs.existsSync(root)
    ? fs
        .readdirSync(root)
        .filter((name) => /^\d+$/.test(name) && fs.existsSync(path.join(root, name, 'bin', 'pg_ctl')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) throw new Error(NOT_INSTALLED);
  return path.join(root, versions[0] as string, 'bin');
}

const isRoot = () => process.getuid?.() === 0;

function runuserPath(): string {
  const found = ['/usr/sbin/runuser', '/sbin/runuser', '/usr/bin/runuser', '/bin/runuser'].find((candidate) => fs.existsSync(candidate));
  if (!found) throw new Error('Running the tests as root needs runuser (util-linux) to start PostgreSQL as the postgres user');
  return found;
}

/** The command line for a PostgreSQL binary, as the `postgres` user when we are root. */
function command(bin: string, args: string[]): [string, string[]] {
  return isRoot() ? [runuserPath(), ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
}

async function freeLoopbackPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function failure(step: string, error: unknown, logFile?: string): Error {
  const output = error instanceof Error && 'stderr' in error ? String(error.stderr).trim() : String(error);
  const log = logFile && fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').trim().split('\n').slice(-10).join('\n') : '';
  return new Error(`PostgreSQL test server: ${step} failed\n${output}${log ? `\n--- server log ---\n${log}` : ''}`);
}

/** Settings for a server whose data is thrown away: no durability, room for parallel test files. */
const SERVER_SETTINGS = [
  'listen_addresses=127.0.0.1',
  'fsync=off',
  'synchronous_commit=off',
  'full_page_writes=off',
  'max_connections=300',
  'shared_buffers=64MB',
];

export async function startPostgresServer(): Promise<PostgresServer> {
  const bin = postgresBinDir();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleetdeck-pg-'));
  const dataDir = path.join(dir, 'data');
  const logFile = path.join(dir, 'server.log');
  if (isRoot()) {
    // The postgres user must own the cluster and be able to reach it.
    fs.chmodSync(dir, 0o755);
    execFileSync('chown', ['-R', 'postgres:', dir]);
  }
  const removeDir = () => fs.rmSync(dir, { recursive: true, force: true });
  // The postgres user may not be able to enter the caller's working directory.
  const options = { cwd: dir };

  const initdb = command(path.join(bin, 'initdb'), ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync']);
  try {
    await run(initdb[0], initdb[1], options);
  } catch (error) {
    removeDir();
    throw failure('initdb', error);
  }

  const pgCtl = path.join(bin, 'pg_ctl');
  const stopNow = command(pgCtl, ['-D', dataDir, 'stop', '-m', 'immediate', '-w']);
  let port = 0;
  // Another process may take the port between our probe and the server's bind: try again.
  for (let attempt = 1; ; attempt++) {
    port = await freeLoopbackPort();
    fs.rmSync(logFile, { force: true });
    const settings = [`-p ${port}`, `-k ${dir}`, ...SERVER_SETTINGS.map((setting) => `-c ${setting}`)].join(' ');
    const start = command(pgCtl, ['-D', dataDir, '-l', logFile, '-o', settings, '-w', '-t', '30', 'start']);
    try {
      await run(start[0], start[1], options);
      break;
    } catch (error) {
      const portTaken = fs.existsSync(logFile) && /could not bind|Address already in use/.test(fs.readFileSync(logFile, 'utf8'));
      if (!portTaken || attempt === 3) {
        const startFailure = failure('pg_ctl start', error, logFile);
        removeDir();
        throw startFailure;
      }
    }
  }

  const watchdog = startWatchdog(dir, stopNow);

  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async stop() {
      stopWatchdog(watchdog);
      try {
        await run(stopNow[0], stopNow[1], options);
      } finally {
        removeDir();
      }
    },
  };
}

/**
 * pg_ctl detaches the server from us, so a test run that is killed (a timeout, Ctrl-C
 * twice, SIGKILL) would leave it running. A small shell process outlives us, notices
 * when we are gone, and stops the server and deletes its files.
 */
function startWatchdog(dir: string, stopNow: [string, string[]]): ChildProcess {
  const script = 'parent=$1; dir=$2; shift 2; while kill -0 "$parent" 2>/dev/null; do sleep 1; done; "$@" >/dev/null 2>&1; rm -rf "$dir"';
  const watchdog = spawn('/bin/sh', ['-c', script, 'fleetdeck-pg-watchdog', String(process.pid), dir, stopNow[0], ...stopNow[1]], {
    cwd: dir,
    detached: true,
    stdio: 'ignore',
  });
  watchdog.unref();
  return watchdog;
}

function stopWatchdog(watchdog: ChildProcess): void {
  if (watchdog.pid === undefined || watchdog.exitCode !== null) return;
  try {
    // Its own process group: the shell and the `sleep` it may be waiting on.
    process.kill(-watchdog.pid, 'SIGTERM');
  } catch {
    // Already gone.
  }
}

/** PostgreSQL's quoting for an identifier. */
function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * Creates database `name` on the server at `serverUrl` and returns its URL: empty, or a
 * copy of `template` (a database nobody is connected to), which is faster than
 * migrating each new database from scratch.
 */
export async function createTestDatabase(serverUrl: string, name: string, template?: string): Promise<string> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${quoteIdentifier(name)}${template ? ` TEMPLATE ${quoteIdentifier(template)}` : ''}`);
  } finally {
    await client.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${encodeURIComponent(name)}`;
  return url.toString();
}
