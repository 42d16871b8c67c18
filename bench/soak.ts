/**
 * Descriptor and memory soak: the API server (testing/api-server.ts, a child process)
 * under everything a real deployment sees at once, for minutes, while its open file
 * descriptors and RSS are sampled from /proc.
 *
 *   npm run bench:soak -- [--minutes 3] [--engine sqlite|postgres] [--agents 500]
 *                         [--rate 200] [--stray 20] [--slow 50] [--window-s 30] [--node-timeouts]
 *
 * - `--agents` protocol clients (testing/protocol-client.ts): each attached over HTTP,
 *   connected, a small snapshot, pings answered; a few small deltas every second.
 * - UI traffic with autocannon: `--rate` requests/s over 8 connections with a session
 *   cookie, cycling clusters.list, clusters.overview, environments.list and auth.me.
 * - `--stray` upgrades per second to paths that are not the agents' (each must be
 *   refused and its socket closed by the server).
 * - `--slow` slowloris sockets, kept open: half trickle header bytes, half send headers
 *   and trickle the body, one byte every 3 s. The server must cut them (headersTimeout,
 *   requestTimeout); each cut one is replaced. The API server sets tight limits;
 *   `--node-timeouts` keeps Node's defaults instead (60 s / 300 s, swept every 30 s).
 *
 * Prints one row per window (descriptors, RSS, the live heap after a full GC, UI latency
 * p50/p95/p99, strays, slow clients cut), then the growth from the first minute to the
 * last. Exits non-zero when descriptors, RSS or the live heap grew, p95 drifted, a stray
 * upgrade was not refused and closed, or an agent dropped.
 * Loopback only; every loop ends with the soak.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { signInCookie, startApiServer, trpcCall, type ApiServerProcess } from '@/testing/api-server-process';
import { PROTOCOL_VERSION, type WelcomeFrame } from '@/lib/agent-protocol';
import { createTestDatabase, startPostgresServer, type PostgresServer } from '@/testing/postgres-server';
import { clusterState, gpuNode, node, ProtocolClient } from '@/testing/protocol-client';

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '3' },
    engine: { type: 'string', default: 'sqlite' },
    agents: { type: 'string', default: '500' },
    rate: { type: 'string', default: '200' },
    stray: { type: 'string', default: '20' },
    slow: { type: 'string', default: '50' },
    'window-s': { type: 'string', default: '30' },
    'node-timeouts': { type: 'boolean', default: false },
  },
});

function positive(name: string, value: string | undefined): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, got ${value}`);
  return n;
}

const MINUTES = positive('minutes', args.minutes);
const ENGINE = args.engine === 'postgres' ? 'postgres' : 'sqlite';
if (args.engine !== 'sqlite' && args.engine !== 'postgres') throw new Error('--engine must be sqlite or postgres');
const AGENTS = Math.round(positive('agents', args.agents));
const UI_RATE = positive('rate', args.rate);
const STRAY_PER_SECOND = Math.round(positive('stray', args.stray));
const SLOW_CLIENTS = Math.round(positive('slow', args.slow));
const WINDOW_S = Math.round(positive('window-s', args['window-s']));
const WINDOWS = Math.max(2, Math.round((MINUTES * 60) / WINDOW_S));

const ADMIN = { email: 'soak@fleetdeck.test', password: 'soak-password-not-secret' };
const SAMPLE_MS = 5_000;
const SLOW_TICK_MS = 3_000;
const DELTAS_PER_SECOND = 10;
const STRAY_PATHS = ['/_next/webpack-hmr', '/api/x', '/nonexistent', '/api/agent/connect/', '/api/trpc/auth.me'];

// Figures that count as flat: small absolute wobble allowed (slow clients are cut and
// replaced, so a handful of descriptors come and go between samples).
const MAX_FD_GROWTH = 20;
const MAX_RSS_GROWTH = 0.25;
const MAX_HEAP_GROWTH = 0.1;
const MAX_P95_DRIFT = 2;

const percentile = (sorted: number[], p: number) => (sorted.length === 0 ? NaN : (sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number));
const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / Math.max(1, values.length);
const mib = (kib: number) => (kib / 1024).toFixed(1);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ── Server probes ───────────────────────────────────────────────────────────

/** The server's live heap after a full collection (testing/api-server.ts, SIGUSR2). */
function heapProbe(server: () => ApiServerProcess | undefined) {
  let waiting: ((bytes: number) => void) | undefined;
  return {
    /** Feeds the server's stdout lines; true when the line was the probe's answer. */
    take(line: string): boolean {
      if (!line.startsWith('{"heapAfterGc"')) return false;
      waiting?.((JSON.parse(line) as { heapAfterGc: number }).heapAfterGc);
      waiting = undefined;
      return true;
    },
    async measure(): Promise<number> {
      const answered = new Promise<number>((resolve) => (waiting = resolve));
      server()?.child.kill('SIGUSR2');
      return Promise.race([answered, sleep(10_000).then(() => NaN)]);
    },
  };
}

interface Sample {
  at: number;
  fds: number;
  rssKiB: number;
}

function sampleProcess(pid: number): Sample {
  const fds = fs.readdirSync(`/proc/${pid}/fd`).length;
  const rss = /VmRSS:\s+(\d+)\s+kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return { at: Date.now(), fds, rssKiB: Number(rss?.[1] ?? NaN) };
}

// ── Agents ──────────────────────────────────────────────────────────────────

async function attachClusters(url: string, cookie: string, count: number, environmentId: number): Promise<string[]> {
  const tokens: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const answer = await trpcCall(url, 'clusters.attach', { name: `soak-${i}`, provider: 'generic', region: 'lab-1', environmentIds: [environmentId] }, { cookie });
      const token = (answer.body?.result?.data?.json as { token?: string } | undefined)?.token;
      if (!token) throw new Error(`attach soak-${i} failed with HTTP ${answer.status}: ${answer.body?.error?.json?.message ?? ''}`);
      tokens[i] = token;
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  return tokens;
}

interface Fleet {
  clients: ProtocolClient[];
  /** Hello to welcome, per agent (ms). */
  welcomeMs: number[];
  /** Sessions that ended while the soak ran (none should). */
  dropped: () => number;
  close(): void;
}

async function connectAgents(url: string, tokens: string[]): Promise<Fleet> {
  const clients: ProtocolClient[] = [];
  const welcomeMs: number[] = [];
  let dropped = 0;
  let closing = false;
  let next = 0;
  const worker = async () => {
    while (next < tokens.length) {
      const i = next++;
      const client = await ProtocolClient.connect(url, tokens[i] as string, { recordFrames: false });
      void client.closed.then(() => {
        if (!closing) dropped++;
      });
      const helloAt = performance.now();
      const welcome = client.nextFrame((frame): frame is WelcomeFrame => frame.type === 'welcome', 30_000);
      client.send({ type: 'hello', protocolVersion: PROTOCOL_VERSION, agentVersion: '0.0.0-soak', kubernetesVersion: 'v1.30.2' });
      const closedFirst = client.closed.then(({ code, reason }) => {
        throw new Error(`agent soak-${i} was closed before its welcome: ${code} ${reason}`);
      });
      await Promise.race([welcome, closedFirst]);
      closedFirst.catch(() => undefined);
      welcomeMs.push(performance.now() - helloAt);
      client.snapshot(clusterState({ nodes: [node(`soak-${i}-cpu`), gpuNode(`soak-${i}-gpu`, 'H100', 8)] }));
      clients.push(client);
    }
  };
  await Promise.all(Array.from({ length: 10 }, worker));
  welcomeMs.sort((a, b) => a - b);
  return {
    clients,
    welcomeMs,
    dropped: () => dropped,
    close() {
      closing = true;
      for (const client of clients) client.close();
    },
  };
}

// ── Stray upgrades ──────────────────────────────────────────────────────────

/**
 * `refused`: an HTTP 4xx, then the server closed the socket (what must happen).
 * `closed-silently`: closed without an answer. `left-open`: still open 5 s later, answered
 * or not (a descriptor the server may hold for good). `upgraded`: switched protocols.
 */
type StrayResult = 'refused' | 'closed-silently' | 'left-open' | 'upgraded';
const noStrays = (): Record<StrayResult, number> => ({ refused: 0, 'closed-silently': 0, 'left-open': 0, upgraded: 0 });

/** One upgrade on a raw socket: what the server answered, and whether it closed the socket. */
function strayUpgrade(port: number, target: string): Promise<StrayResult> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let head = '';
    const finish = (result: StrayResult) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => finish('left-open'), 5_000);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      head += chunk;
      if (head.startsWith('HTTP/1.1 101')) finish('upgraded');
    });
    socket.on('error', () => undefined);
    socket.on('close', () => finish(/^HTTP\/1\.1 4\d\d /.test(head) ? 'refused' : 'closed-silently'));
    socket.write(
      `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
        'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
    );
  });
}

// ── Slowloris ───────────────────────────────────────────────────────────────

type SlowKind = 'headers' | 'body';

interface SlowClients {
  /** Lifetimes (ms) of the sockets the server cut, by kind, since the last call. */
  takeCut(): Record<SlowKind, number[]>;
  open(): number;
  stop(): void;
}

function startSlowClients(port: number, count: number): SlowClients {
  const open = new Map<net.Socket, { kind: SlowKind; openedAt: number }>();
  let cut: Record<SlowKind, number[]> = { headers: [], body: [] };
  let stopped = false;

  const openOne = (kind: SlowKind) => {
    const socket = net.connect(port, '127.0.0.1');
    open.set(socket, { kind, openedAt: Date.now() });
    socket.on('error', () => undefined);
    socket.on('data', () => undefined);
    socket.on('close', () => {
      const entry = open.get(socket);
      open.delete(socket);
      if (stopped || !entry) return;
      cut[entry.kind].push(Date.now() - entry.openedAt);
      openOne(kind);
    });
    socket.write(
      kind === 'headers'
        ? `GET /api/trpc/auth.me HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX-Slow: `
        : `POST /api/trpc/auth.signIn HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{`,
    );
  };
  for (let i = 0; i < count; i++) openOne(i % 2 === 0 ? 'headers' : 'body');
  const ticker = setInterval(() => {
    for (const socket of open.keys()) if (socket.writable) socket.write(' ');
  }, SLOW_TICK_MS);

  return {
    takeCut() {
      const taken = cut;
      cut = { headers: [], body: [] };
      return taken;
    },
    open: () => open.size,
    stop() {
      stopped = true;
      clearInterval(ticker);
      for (const socket of open.keys()) socket.destroy();
    },
  };
}

// ── UI traffic ──────────────────────────────────────────────────────────────

const query = (procedure: string, input?: unknown) =>
  `/api/trpc/${procedure}${input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify({ json: input }))}`}`;

const UI_REQUESTS: autocannon.Request[] = [
  { method: 'GET', path: query('clusters.list', {}) },
  { method: 'GET', path: query('clusters.overview') },
  { method: 'GET', path: query('environments.list') },
  { method: 'GET', path: query('auth.me') },
];

interface UiWindow {
  latencies: number[];
  non2xx: number;
  errors: number;
}

async function uiTraffic(url: string, cookie: string, seconds: number): Promise<UiWindow> {
  const window: UiWindow = { latencies: [], non2xx: 0, errors: 0 };
  await new Promise<void>((resolve, reject) => {
    const instance = autocannon(
      { url, connections: 8, duration: seconds, overallRate: UI_RATE, headers: { cookie }, requests: UI_REQUESTS },
      (error) => (error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve()),
    );
    instance.on('response', (_client, status, _bytes, ms) => {
      window.latencies.push(ms);
      if (status < 200 || status > 299) window.non2xx++;
    });
    instance.on('reqError', () => window.errors++);
  });
  window.latencies.sort((a, b) => a - b);
  return window;
}

// ── The soak ────────────────────────────────────────────────────────────────

interface Row {
  window: number;
  endS: number;
  fds: number;
  rssKiB: number;
  heapBytes: number;
  ui: UiWindow;
  strays: Record<StrayResult, number>;
  cut: Record<SlowKind, number[]>;
  agentsOpen: number;
}

function printRow(row: Row): void {
  const strays = `${row.strays.refused}/${Object.values(row.strays).reduce((a, b) => a + b, 0)}`;
  const cuts = (kind: SlowKind) => (row.cut[kind].length ? `${row.cut[kind].length} (≤${(Math.max(...row.cut[kind]) / 1000).toFixed(0)}s)` : '0');
  console.log(
    [
      String(row.window).padStart(3),
      `${row.endS}s`.padStart(6),
      String(row.fds).padStart(5),
      mib(row.rssKiB).padStart(8),
      (row.heapBytes / 1024 / 1024).toFixed(1).padStart(9),
      String(row.ui.latencies.length).padStart(7),
      String(row.ui.non2xx + row.ui.errors).padStart(5),
      percentile(row.ui.latencies, 50).toFixed(1).padStart(6),
      percentile(row.ui.latencies, 95).toFixed(1).padStart(6),
      percentile(row.ui.latencies, 99).toFixed(1).padStart(6),
      strays.padStart(11),
      cuts('headers').padStart(12),
      cuts('body').padStart(12),
      String(row.agentsOpen).padStart(7),
    ].join(' '),
  );
}

async function main(): Promise<void> {
  const started = Date.now();
  let postgres: PostgresServer | undefined;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleetdeck-soak-'));
  let server: ApiServerProcess | undefined;
  let logBytes = 0;
  const heap = heapProbe(() => server);
  const stops: (() => void)[] = [];
  try {
    const database: Record<string, string | undefined> =
      ENGINE === 'postgres'
        ? { DATABASE_URL: await createTestDatabase((postgres = await startPostgresServer()).url, 'fd_soak') }
        : { DATABASE_PATH: path.join(dir, 'soak.db'), DATABASE_URL: undefined };
    server = await startApiServer(
      { ...database, FLEETDECK_ADMIN_EMAIL: ADMIN.email, FLEETDECK_ADMIN_PASSWORD: ADMIN.password, FLEETDECK_PUBLIC_URL: undefined, LOG_LEVEL: 'info', API_SERVER_NODE_TIMEOUTS: args['node-timeouts'] ? '1' : undefined },
      {
        nodeOptions: ['--expose-gc'],
        onStdoutLine: (line) => {
          if (!heap.take(line)) logBytes += line.length + 1;
        },
      },
    );
    server.child.stderr?.on('data', (chunk: string) => (logBytes += chunk.length));
    const { url, pid } = server;
    const port = Number(new URL(url).port);
    console.log(`soak on ${ENGINE}: ${AGENTS} agents, UI ${UI_RATE} req/s, ${STRAY_PER_SECOND} stray upgrades/s, ${SLOW_CLIENTS} slow clients, ${WINDOWS} × ${WINDOW_S} s; server pid ${pid}, ${os.cpus().length} cores`);
    console.log(`server limits: headersTimeout ${server.limits.headersTimeoutMs / 1000} s, requestTimeout ${server.limits.requestTimeoutMs / 1000} s`);

    const cookie = await signInCookie(url, ADMIN.email, ADMIN.password);
    const environments = (await trpcCall(url, 'environments.list', undefined, { kind: 'query', cookie })).body?.result?.data?.json as { id: number }[];
    const idle = sampleProcess(pid);
    let phase = Date.now();
    const tokens = await attachClusters(url, cookie, AGENTS, (environments[0] as { id: number }).id);
    console.log(`attached ${tokens.length} clusters in ${((Date.now() - phase) / 1000).toFixed(1)} s`);
    phase = Date.now();
    const fleet = await connectAgents(url, tokens);
    stops.push(() => fleet.close());
    console.log(
      `connected ${fleet.clients.length} agents in ${((Date.now() - phase) / 1000).toFixed(1)} s ` +
        `(hello → welcome p50 ${percentile(fleet.welcomeMs, 50).toFixed(0)} ms, max ${percentile(fleet.welcomeMs, 100).toFixed(0)} ms)`,
    );

    // Small deltas, round robin: each agent reports a change every AGENTS / DELTAS_PER_SECOND seconds.
    let deltaTurn = 0;
    const deltas = setInterval(() => {
      for (let k = 0; k < DELTAS_PER_SECOND / 10; k++) {
        const i = deltaTurn++ % fleet.clients.length;
        fleet.clients[i]?.delta({ kind: 'node.upsert', node: node(`soak-${i}-cpu`, { ready: deltaTurn % 3 !== 0 }) });
      }
    }, 100);
    stops.push(() => clearInterval(deltas));

    let strays = noStrays();
    let strayTurn = 0;
    const strayTimer = setInterval(() => {
      for (let k = 0; k < STRAY_PER_SECOND; k++) {
        void strayUpgrade(port, STRAY_PATHS[strayTurn++ % STRAY_PATHS.length] as string).then((result) => strays[result]++);
      }
    }, 1_000);
    stops.push(() => clearInterval(strayTimer));

    const slow = startSlowClients(port, SLOW_CLIENTS);
    stops.push(() => slow.stop());

    // The first sample comes one interval in, once every kind of client is connected.
    const samples: Sample[] = [];
    const sampler = setInterval(() => samples.push(sampleProcess(pid)), SAMPLE_MS);
    stops.push(() => clearInterval(sampler));
    const soakStart = Date.now();

    console.log(`\nidle server before load: ${idle.fds} descriptors, ${mib(idle.rssKiB)} MiB RSS; * heap: live heap after a full GC, at the window's end\n`);
    console.log('win    end   fds  RSS MiB heap MiB*  ui req  fail    p50    p95    p99  strays ok  slow hdr cut slow body cut  agents');
    const rows: Row[] = [];
    for (let w = 1; w <= WINDOWS; w++) {
      const ui = await uiTraffic(url, cookie, WINDOW_S);
      const last = samples[samples.length - 1] ?? sampleProcess(pid);
      const heapBytes = await heap.measure();
      const row: Row = {
        window: w,
        endS: Math.round((Date.now() - soakStart) / 1000),
        fds: last.fds,
        rssKiB: last.rssKiB,
        heapBytes,
        ui,
        strays,
        cut: slow.takeCut(),
        agentsOpen: fleet.clients.length - fleet.dropped(),
      };
      strays = noStrays();
      rows.push(row);
      printRow(row);
    }
    // Let the last strays finish before they are judged.
    clearInterval(strayTimer);
    await sleep(5_500);
    const lateStrays = strays;

    const overview = (await trpcCall(url, 'clusters.overview', undefined, { kind: 'query', cookie })).body?.result?.data?.json as {
      byStatus: { status: string; count: number }[];
    };
    const connected = overview.byStatus.find((entry) => entry.status === 'connected')?.count ?? 0;

    // ── Verdict ──
    const soakEnd = samples[samples.length - 1]?.at ?? Date.now();
    const firstMinute = samples.filter((s) => s.at - soakStart < 60_000);
    const lastMinute = samples.filter((s) => soakEnd - s.at < 60_000);
    const fdGrowth = mean(lastMinute.map((s) => s.fds)) - mean(firstMinute.map((s) => s.fds));
    const rssFirst = mean(firstMinute.map((s) => s.rssKiB));
    const rssGrowth = (mean(lastMinute.map((s) => s.rssKiB)) - rssFirst) / rssFirst;
    const heapFirst = (rows[0] as Row).heapBytes;
    const heapLast = (rows[rows.length - 1] as Row).heapBytes;
    const heapGrowth = (heapLast - heapFirst) / heapFirst;
    const p95s = rows.map((row) => percentile(row.ui.latencies, 95));
    const p95Drift = (p95s[p95s.length - 1] as number) / Math.max(1, p95s[0] as number);
    const allCut = rows.flatMap((row) => [...row.cut.headers, ...row.cut.body]);
    const strayTotals = rows.reduce(
      (sum, row) => {
        for (const key of Object.keys(sum) as StrayResult[]) sum[key] += row.strays[key];
        return sum;
      },
      { ...lateStrays },
    );
    const uiFailures = rows.reduce((sum, row) => sum + row.ui.non2xx + row.ui.errors, 0);

    console.log(`\ndescriptors: first minute ${mean(firstMinute.map((s) => s.fds)).toFixed(0)}, last minute ${mean(lastMinute.map((s) => s.fds)).toFixed(0)} → growth ${fdGrowth.toFixed(1)} (samples ${samples.map((s) => s.fds).join(' ')})`);
    console.log(`RSS: first minute ${mib(rssFirst)} MiB, last minute ${mib(mean(lastMinute.map((s) => s.rssKiB)))} MiB → growth ${(rssGrowth * 100).toFixed(1)} %`);
    console.log(`live heap after GC: first window ${(heapFirst / 1024 / 1024).toFixed(1)} MiB, last ${(heapLast / 1024 / 1024).toFixed(1)} MiB → growth ${(heapGrowth * 100).toFixed(1)} %`);
    console.log(`UI p95 per window (ms): ${p95s.map((p) => p.toFixed(1)).join(', ')}; last/first ${p95Drift.toFixed(2)}; ${uiFailures} failed of ${rows.reduce((sum, row) => sum + row.ui.latencies.length, 0)}`);
    console.log(`stray upgrades: ${strayTotals.refused} refused and closed, ${strayTotals['closed-silently']} closed without an answer, ${strayTotals['left-open']} left open, ${strayTotals.upgraded} upgraded`);
    console.log(`slow clients: ${allCut.length} cut by the server, longest lived ${(Math.max(0, ...allCut) / 1000).toFixed(1)} s; ${slow.open()} open at the end`);
    console.log(`agents: ${fleet.clients.length - fleet.dropped()} of ${AGENTS} still connected (${fleet.dropped()} dropped); the server counts ${connected} Connected`);
    console.log(`server log: ${(logBytes / 1024).toFixed(1)} KiB written; soak took ${((Date.now() - started) / 60_000).toFixed(1)} min`);

    const failures = [
      fdGrowth > MAX_FD_GROWTH && `descriptors grew by ${fdGrowth.toFixed(0)}`,
      rssGrowth > MAX_RSS_GROWTH && `RSS grew by ${(rssGrowth * 100).toFixed(0)} %`,
      !(heapGrowth <= MAX_HEAP_GROWTH) && `the live heap grew by ${(heapGrowth * 100).toFixed(0)} %`,
      p95Drift > MAX_P95_DRIFT && `p95 drifted ×${p95Drift.toFixed(1)}`,
      strayTotals.refused !== Object.values(strayTotals).reduce((a, b) => a + b, 0) && 'a stray upgrade was not refused and closed',
      allCut.length === 0 && 'no slow client was ever cut',
      fleet.dropped() > 0 && `${fleet.dropped()} agents dropped`,
      connected !== AGENTS && `${connected} of ${AGENTS} clusters Connected`,
      uiFailures > 0 && `${uiFailures} UI requests failed`,
    ].filter((failure): failure is string => typeof failure === 'string');
    console.log(failures.length === 0 ? '\nFLAT: descriptors, RSS, live heap and p95 steady' : `\nNOT FLAT: ${failures.join('; ')}`);
    if (failures.length > 0) process.exitCode = 1;
  } finally {
    for (const stop of stops.reverse()) stop();
    await server?.stop();
    await postgres?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
