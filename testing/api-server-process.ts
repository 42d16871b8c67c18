/**
 * testing/api-server.ts as a child process, and the few HTTP calls the suites that use it
 * make (a tRPC call with the superjson envelope, signing in for a session cookie).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import path from 'node:path';
import readline from 'node:readline';
import { SESSION_COOKIE } from '@/server/auth/session';

const ENTRY = path.join(import.meta.dirname, 'api-server.ts');

interface Started {
  url: string;
  pid: number;
  /** The slow-client limits it runs with (see testing/api-server.ts). */
  limits: { headersTimeoutMs: number; requestTimeoutMs: number };
}

export interface ApiServerProcess extends Started {
  child: ChildProcess;
  /** What the child wrote to stderr (its error log lines), for a failing test's message. */
  stderr(): string;
  /** Resolves when the child has exited, with its signal or code. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL, as a crash: no handler runs, nothing is flushed. */
  kill(): Promise<void>;
  /** SIGTERM: the clean shutdown. */
  stop(): Promise<void>;
}

/**
 * Starts the API server with `env` over the parent's environment (an `undefined` value
 * removes a variable) and resolves once it listens. `onStdoutLine` sees every other
 * line it prints (its log).
 */
export async function startApiServer(
  env: Record<string, string | undefined>,
  options: { timeoutMs?: number; onStdoutLine?: (line: string) => void; nodeOptions?: string[] } = {},
): Promise<ApiServerProcess> {
  // PostgreSQL refuses to start without a secret key: a throwaway server gets a throwaway key.
  const childEnv: NodeJS.ProcessEnv = { FLEETDECK_SECRET_KEY: randomBytes(32).toString('base64'), ...process.env, PORT: '0' };
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) delete childEnv[name];
    else childEnv[name] = value;
  }
  const child = spawn(process.execPath, [...(options.nodeOptions ?? []), '--import', 'tsx', ENTRY], {
    cwd: path.join(import.meta.dirname, '..'),
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    // The tail is what explains a failure; a flood must not grow the test's memory.
    stderr = (stderr + chunk).slice(-20_000);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const ready = new Promise<Started>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the API server did not start within ${options.timeoutMs ?? 30_000} ms\n${stderr}`)), options.timeoutMs ?? 30_000);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`the API server exited (${signal ?? code}) before it listened\n${stderr}`));
    });
    const lines = readline.createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.on('line', (line) => {
      if (line.startsWith('{"ready":"api-server"')) {
        clearTimeout(timer);
        resolve(JSON.parse(line) as Started);
      } else {
        options.onStdoutLine?.(line);
      }
    });
  });
  let started: Started;
  try {
    started = await ready;
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  const signalAndWait = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return {
    ...started,
    child,
    stderr: () => stderr,
    exited,
    kill: () => signalAndWait('SIGKILL'),
    stop: () => signalAndWait('SIGTERM'),
  };
}

export interface TrpcAnswer {
  status: number;
  /** The parsed body: `{ result: { data: { json } } }` or `{ error: { json: { message } } }`. */
  body: { result?: { data?: { json?: unknown } }; error?: { json?: { message?: string } } } | null;
  setCookie: string[];
}

/**
 * One tRPC call over HTTP, the way the browser's client makes it: a POST with a JSON
 * body for a mutation, a GET with `?input=` for a query. Rejects only when no answer
 * came (the connection failed or was cut).
 */
export function trpcCall(
  baseUrl: string,
  procedure: string,
  input: unknown,
  options: { kind?: 'query' | 'mutation'; cookie?: string; agent?: http.Agent } = {},
): Promise<TrpcAnswer> {
  const kind = options.kind ?? 'mutation';
  const envelope = JSON.stringify({ json: input });
  const target = `${baseUrl}/api/trpc/${procedure}${kind === 'query' && input !== undefined ? `?input=${encodeURIComponent(envelope)}` : ''}`;
  return new Promise((resolve, reject) => {
    const req = http.request(target, {
      method: kind === 'mutation' ? 'POST' : 'GET',
      agent: options.agent,
      headers: {
        ...(kind === 'mutation' ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(envelope) } : {}),
        ...(options.cookie ? { cookie: options.cookie } : {}),
      },
    });
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('error', reject);
      res.on('end', () => {
        let body: TrpcAnswer['body'] = null;
        try {
          body = JSON.parse(text) as TrpcAnswer['body'];
        } catch {
          // Not JSON: the status says enough.
        }
        resolve({ status: res.statusCode ?? 0, body, setCookie: res.headers['set-cookie'] ?? [] });
      });
    });
    req.on('error', reject);
    req.end(kind === 'mutation' ? envelope : undefined);
  });
}

/** Signs in and returns the `Cookie` header value that carries the session. */
export async function signInCookie(baseUrl: string, email: string, password: string): Promise<string> {
  const answer = await trpcCall(baseUrl, 'auth.signIn', { email, password });
  const session = answer.setCookie.map((cookie) => cookie.split(';')[0] ?? '').find((pair) => pair.startsWith(`${SESSION_COOKIE}=`));
  if (answer.status !== 200 || !session) {
    throw new Error(`sign-in failed with HTTP ${answer.status}: ${answer.body?.error?.json?.message ?? 'no session cookie'}`);
  }
  return session;
}
