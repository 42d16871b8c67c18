/**
 * The API at the edge, over real HTTP on loopback: the control plane's tRPC handler on a
 * plain `http.Server` (no Next), a fresh store, and requests written the way an attacker
 * would write them.
 */
import { randomBytes, scryptSync } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { createTRPCClient, httpBatchLink, TRPCClientError } from '@trpc/client';
import { count, eq } from 'drizzle-orm';
import superjson from 'superjson';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '@/server/auth/session';
import type { ControlPlane } from '@/server/control-plane';
import type { AppRouter } from '@/server/root';
import type { Store } from '@/server/store';
import { listenOnLoopback } from '@/testing/loopback';
import { createTestControlPlane } from '@/testing/router-harness';
import { waitFor } from '@/testing/wait-for';
import { handleTrpcRequest, TRPC_MAX_BODY_BYTES } from './trpc-handler';

const PASSWORD = 'correct horse battery';
/** A real scrypt hash with a small cost: these tests are about the edge, not the hash. */
function cheapHash(password: string): string {
  const salt = randomBytes(16);
  const key = scryptSync(password, salt, 64, { N: 1024, r: 8, p: 1 });
  return ['scrypt', 1024, 8, 1, salt.toString('base64url'), key.toString('base64url')].join('$');
}

async function addUser(store: Store, email: string, role: 'admin' | 'member' = 'member'): Promise<void> {
  const { users } = store.tables;
  await store.transaction((tx) => tx.insert(users).values({ email, name: email, role, passwordHash: cheapHash(PASSWORD) }));
}

interface Api {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Serves `/api/trpc/` for `cp` with `config` changes (a copy of the control plane, the same store). */
async function serveApi(base: ControlPlane, config: Partial<ControlPlane['config']> = {}): Promise<Api> {
  const cp: ControlPlane = { ...base, config: { ...base.config, ...config } };
  const server = createServer((req, res) => void handleTrpcRequest(cp, req, res));
  const url = await listenOnLoopback(server);
  return {
    url,
    port: Number(new URL(url).port),
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  json: unknown;
}

function send(api: Api, method: 'GET' | 'POST', path: string, options: { headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${api.url}/api/trpc/${path}`, { method, headers: options.headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        let json: unknown = null;
        try {
          json = JSON.parse(text);
        } catch {
          json = null;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

const JSON_TYPE = { 'content-type': 'application/json' };
const query = (api: Api, path: string, headers: Record<string, string> = {}) => send(api, 'GET', path, { headers });
const mutate = (api: Api, path: string, input: unknown, headers: Record<string, string> = {}) =>
  send(api, 'POST', path, { headers: { ...JSON_TYPE, ...headers }, body: JSON.stringify({ json: input }) });
const signIn = (api: Api, email: string, headers: Record<string, string> = {}, password = PASSWORD) => mutate(api, 'auth.signIn', { email, password }, headers);

function errorMessageOf(answer: Answer): string | undefined {
  return (answer.json as { error?: { json?: { message?: string } } } | null)?.error?.json?.message;
}

function sessionCookieOf(answer: Answer): string {
  const cookie = answer.headers['set-cookie']?.find((c) => c.startsWith('fd_session='));
  if (!cookie) throw new Error(`no session cookie (status ${answer.status}: ${answer.text})`);
  return cookie;
}

let cp: ControlPlane;
beforeAll(async () => {
  cp = await createTestControlPlane();
  await addUser(cp.store, 'ada@example.com', 'admin');
  await addUser(cp.store, 'max@example.com');
});
afterAll(() => cp.close());

describe('a malformed session cookie', () => {
  let api: Api;
  beforeAll(async () => {
    api = await serveApi(cp);
  });
  afterAll(() => api.close());

  it('counts as no cookie: health answers and sign-in works', async () => {
    const health = await query(api, 'health.check', { cookie: 'fd_session=%' });
    expect(health.status).toBe(200);
    expect(health.json).toEqual({ result: { data: { json: { ok: true } } } });

    const me = await query(api, 'auth.me', { cookie: 'theme=dark; fd_session=%E0%A4%A' });
    expect(me.status).toBe(200);
    expect(me.json).toEqual({ result: { data: { json: null } } });

    const signedIn = await signIn(api, 'max@example.com', { cookie: 'fd_session=%' });
    expect(signedIn.status).toBe(200);
    expect(sessionCookieOf(signedIn)).toMatch(/^fd_session=[A-Za-z0-9_-]{43};/);
  });
});

describe('body size', () => {
  let api: Api;
  beforeAll(async () => {
    api = await serveApi(cp);
  });
  afterAll(() => api.close());

  it('a body within the limit reaches the procedure', async () => {
    const answer = await mutate(api, 'auth.signIn', { email: 'max@example.com', password: 'x'.repeat(TRPC_MAX_BODY_BYTES / 2) });
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.status).toBeLessThan(500);
    expect(answer.status).not.toBe(413);
  });

  it('a declared Content-Length over the limit is answered 413 before the body is sent', async () => {
    const answer = await new Promise<Answer>((resolve, reject) => {
      const req = httpRequest(
        `${api.url}/api/trpc/auth.signIn`,
        { method: 'POST', headers: { ...JSON_TYPE, 'content-length': String(300 * 1024 * 1024) } },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: JSON.parse(text) }));
        },
      );
      req.on('error', reject);
      // Only the headers and the first bytes go out: the answer must not wait for the other 300 MB.
      req.write('{"json":{"email":"max@example.com","password":"');
    });
    expect(answer.status).toBe(413);
    expect(errorMessageOf(answer)).toBe('The request is too large');
    expect(answer.headers.connection).toBe('close');
  });

  it('a chunked body growing past the limit is answered 413, and the server neither holds nor reads the rest of 50 MB', async () => {
    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 20);
    const chunk = Buffer.alloc(64 * 1024, 'a');
    const total = 50 * 1024 * 1024;
    let sent = 0;
    try {
      const answer = await new Promise<Answer>((resolve, reject) => {
        let answered: Answer | null = null;
        let pumped = false;
        const settle = () => answered && pumped && resolve(answered);
        const req = httpRequest(`${api.url}/api/trpc/auth.signIn`, { method: 'POST', headers: { ...JSON_TYPE, 'transfer-encoding': 'chunked' } }, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (data: string) => (text += data));
          res.on('end', () => {
            answered = { status: res.statusCode ?? 0, headers: res.headers, text, json: JSON.parse(text) };
            settle();
          });
        });
        // Once it has answered, the server may cut the connection while the rest is still going out.
        req.on('error', (error) => (answered ? undefined : reject(error)));
        req.on('close', () => {
          pumped = true;
          settle();
        });
        const pump = () => {
          while (sent < total && !req.destroyed) {
            sent += chunk.length;
            if (!req.write(chunk)) return void req.once('drain', pump);
          }
          if (!req.destroyed) req.end();
        };
        req.write('{"json":{"email":"max@example.com","password":"');
        pump();
      });
      expect(answer.status).toBe(413);
      expect(errorMessageOf(answer)).toBe('The request is too large');
    } finally {
      clearInterval(sampler);
    }
    // The connection was cut after the answer: most of the 50 MB never even left the client.
    expect(sent).toBeLessThan(total);
    expect(rssPeak - rssBefore).toBeLessThan(30 * 1024 * 1024);
  });
  it('a client hanging up mid-body ends the handler quietly', async () => {
    let handled: Promise<void> | undefined;
    const server = createServer((req, res) => void (handled = handleTrpcRequest(cp, req, res)));
    const url = await listenOnLoopback(server);
    try {
      const req = httpRequest(`${url}/api/trpc/auth.signIn`, { method: 'POST', headers: { ...JSON_TYPE, 'content-length': '1000' } });
      req.on('error', () => undefined);
      req.write('{"json":{"email":"max@example.com"');
      await waitFor(() => handled !== undefined, 2_000, 'the request never reached the handler');
      req.destroy();
      await expect(handled).resolves.toBeUndefined();
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('behind one trusted proxy (FLEETDECK_TRUST_PROXY=1)', () => {
  let api: Api;
  beforeAll(async () => {
    api = await serveApi(cp, { trustProxyHops: 1 });
  });
  afterAll(() => api.close());

  it('a rotating leftmost X-Forwarded-For does not dodge the per-address throttle', async () => {
    const emails = Array.from({ length: 11 }, (_, i) => `guess-${i}@example.com`);
    for (const email of emails) await addUser(cp.store, email);
    // 30 wrong passwords from one real address, 3 per account (no account reaches its own limit),
    // each claiming a different address on the left.
    for (let i = 0; i < 30; i++) {
      const answer = await signIn(api, emails[i % 10] ?? '', { 'x-forwarded-for': `198.51.100.${i}, 203.0.113.7` }, 'wrong password');
      expect(answer.status, answer.text).toBe(401);
    }
    const throttled = await signIn(api, emails[10] ?? '', { 'x-forwarded-for': '192.0.2.99, 203.0.113.7' });
    expect(throttled.status).toBe(429);
    expect(errorMessageOf(throttled)).toMatch(/^Too many failed sign-ins/);
    // Another real address is not affected.
    expect((await signIn(api, emails[10] ?? '', { 'x-forwarded-for': '203.0.113.7, 203.0.113.8' })).status).toBe(200);
  });

  it('the audit row and the session record the address the proxy saw, not the forged one', async () => {
    const answer = await signIn(api, 'max@example.com', { 'x-forwarded-for': '6.6.6.6, 203.0.113.9' });
    expect(answer.status).toBe(200);
    const { auditEvents, sessions } = cp.store.tables;
    const signIns = await cp.store.db.select({ ip: auditEvents.ip }).from(auditEvents).where(eq(auditEvents.action, 'session.sign_in')).orderBy(auditEvents.id);
    expect(signIns.at(-1)?.ip).toBe('203.0.113.9');
    const token = sessionCookieOf(answer).split(';')[0]?.split('=')[1] ?? '';
    const [session] = await cp.store.db.select({ ip: sessions.ip }).from(sessions).where(eq(sessions.tokenHash, hashToken(token)));
    expect(session?.ip).toBe('203.0.113.9');
  });

  it('X-Forwarded-Host never reaches the agent URL in install commands', async () => {
    const { environments } = cp.store.tables;
    const [env] = await cp.store.transaction((tx) => tx.insert(environments).values({ name: 'dev', color: '#22c55e', isProduction: false }).returning());
    const cookie = sessionCookieOf(await signIn(api, 'ada@example.com')).split(';')[0] ?? '';
    const answer = await mutate(
      api,
      'clusters.attach',
      { name: 'gpu-west', provider: 'coreweave-cks', region: 'US-EAST-04', environmentIds: [env?.id] },
      { cookie, 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https', forwarded: 'host=evil.example;proto=https' },
    );
    expect(answer.status, answer.text).toBe(200);
    expect(answer.text).not.toContain('evil.example');
    expect(answer.text).toContain(`https://127.0.0.1:${api.port}`);
  });
});

describe('headers on API answers', () => {
  let direct: Api;
  let proxied: Api;
  beforeAll(async () => {
    direct = await serveApi(cp);
    proxied = await serveApi(cp, { trustProxyHops: 1 });
  });
  afterAll(async () => {
    await direct.close();
    await proxied.close();
  });

  it('every answer, success or error, is Cache-Control: no-store', async () => {
    expect((await query(direct, 'health.check')).headers['cache-control']).toBe('no-store');
    const refused = await query(direct, 'environments.list');
    expect(refused.status).toBe(401);
    expect(refused.headers['cache-control']).toBe('no-store');
    expect((await send(direct, 'POST', 'auth.signIn', { headers: { 'content-type': 'text/plain' }, body: '{}' })).headers['cache-control']).toBe('no-store');
  });

  it('HSTS and the Secure cookie flag when the request is HTTPS at a trusted proxy, and only then', async () => {
    const https = { 'x-forwarded-proto': 'https' };
    const viaProxy = await signIn(proxied, 'max@example.com', https);
    expect(viaProxy.headers['strict-transport-security']).toBe('max-age=63072000');
    expect(sessionCookieOf(viaProxy)).toMatch(/; Secure(;|$)/);

    // Without trusted proxies the header is the client's own claim.
    const claimed = await signIn(direct, 'max@example.com', https);
    expect(claimed.headers['strict-transport-security']).toBeUndefined();
    expect(sessionCookieOf(claimed)).not.toMatch(/Secure/);

    const plain = await signIn(proxied, 'max@example.com', { 'x-forwarded-proto': 'http' });
    expect(plain.headers['strict-transport-security']).toBeUndefined();
    expect(sessionCookieOf(plain)).not.toMatch(/Secure/);
  });
});

describe('cross-site mutations', () => {
  let api: Api;
  let publicApi: Api;
  beforeAll(async () => {
    api = await serveApi(cp);
    publicApi = await serveApi(cp, { publicUrl: 'https://fleetdeck.example.com' });
  });
  afterAll(async () => {
    await api.close();
    await publicApi.close();
  });

  const sessionCount = async () => (await cp.store.db.select({ n: count() }).from(cp.store.tables.sessions))[0]?.n ?? 0;

  it.each([
    ['Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site' }, 403, 'Cross-site requests are refused'],
    ['Sec-Fetch-Site: same-site', { 'sec-fetch-site': 'same-site' }, 403, 'Cross-site requests are refused'],
    ['Origin: https://evil.example', { origin: 'https://evil.example' }, 403, 'Cross-site requests are refused'],
    ['Origin: null', { origin: 'null' }, 403, 'Cross-site requests are refused'],
    ['content-type: text/plain', { 'content-type': 'text/plain' }, 415, 'Send JSON (content-type: application/json)'],
    ['content-type: application/x-www-form-urlencoded', { 'content-type': 'application/x-www-form-urlencoded' }, 415, 'Send JSON (content-type: application/json)'],
    ['no content type', { 'content-type': '' }, 415, 'Send JSON (content-type: application/json)'],
  ])('%s is refused with our message and writes nothing', async (_name, headers, status, message) => {
    const before = await sessionCount();
    const answer = await signIn(api, 'max@example.com', headers);
    expect(answer.status).toBe(status);
    expect(errorMessageOf(answer)).toBe(message);
    expect(await sessionCount()).toBe(before);
  });

  it('same-origin JSON passes (Origin of the Host, or of the configured public URL)', async () => {
    const sameOrigin = { origin: `http://127.0.0.1:${api.port}`, 'sec-fetch-site': 'same-origin' };
    expect((await signIn(api, 'max@example.com', sameOrigin)).status).toBe(200);
    expect((await signIn(api, 'max@example.com', { 'content-type': 'application/json; charset=utf-8' })).status).toBe(200);
    expect((await signIn(publicApi, 'max@example.com', { origin: 'https://fleetdeck.example.com' })).status).toBe(200);
  });

  it('a batch of many calls gets a bounded refusal', async () => {
    const path = `${Array.from({ length: 5_000 }, () => 'x').join(',')}?batch=1`;
    const answer = await send(api, 'POST', path, { headers: { 'content-type': 'text/plain' }, body: '{}' });
    expect(answer.status).toBe(415);
    expect(answer.json).toHaveLength(100);
  });

  it("tRPC's own client reads the refusal, batched calls included", async () => {
    const client = createTRPCClient<AppRouter>({
      links: [httpBatchLink({ url: `${api.url}/api/trpc`, transformer: superjson, headers: { origin: 'https://evil.example' } })],
    });
    const [first, second] = await Promise.allSettled([
      client.auth.signIn.mutate({ email: 'max@example.com', password: PASSWORD }),
      client.auth.signOut.mutate(),
    ]);
    for (const result of [first, second]) {
      expect(result.status).toBe('rejected');
      const reason = (result as PromiseRejectedResult).reason as unknown;
      expect(reason).toBeInstanceOf(TRPCClientError);
      expect((reason as TRPCClientError<AppRouter>).message).toBe('Cross-site requests are refused');
      expect((reason as TRPCClientError<AppRouter>).data?.httpStatus).toBe(403);
    }
  });
});
