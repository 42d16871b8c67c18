/**
 * Issue 8, finding 9: every error a client sees is one of ours, and no input is big
 * enough to make a 500. Hostile requests in-process (createCaller) and over HTTP (the
 * control plane's own tRPC handler on a loopback server), then a property over raw
 * HTTP bodies; and failed queries log the driver's message, never drizzle's SQL text.
 */
import http from 'node:http';
import { DrizzleQueryError, sql } from 'drizzle-orm';
import fc from 'fast-check';
import { getTRPCErrorShape, TRPCError } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createSession, SESSION_COOKIE } from '@/server/auth/session';
import type { ControlPlane } from '@/server/control-plane';
import { InvalidError } from '@/server/errors';
import { handleTrpcRequest } from '@/server/http/trpc-handler';
import { createLogger, errorMessage } from '@/server/logger';
import { appRouter } from '@/server/root';
import { FIELDS_NEED_ATTENTION, GENERIC_ERROR_MESSAGES } from '@/server/trpc';
import { listenOnLoopback } from '@/testing/loopback';
import { callerFor, contextFor, createTestControlPlane, insertUser } from '@/testing/router-harness';
import { FIVE_MB, FORTY_THOUSAND_IDS } from './hostile';

/** Text that only a parser, V8, a stack trace or a database driver would write. */
const LEAK = /Unexpected token|is not valid JSON|in JSON at position|Unexpected end of JSON|Maximum call stack|Invalid string length|URI malformed|Invalid URL-encoding|No procedure found|Unsupported GET-request|SQLITE_|Failed query|\n\s+at /i;

/** The handler's own refusals, sent before tRPC runs. */
const HANDLER_MESSAGES = ['The request is too large', 'Cross-site requests are refused', 'Send JSON (content-type: application/json)'];
const OURS = new Set<string>([...Object.values(GENERIC_ERROR_MESSAGES), FIELDS_NEED_ATTENTION, ...HANDLER_MESSAGES]);

interface Answer {
  status: number;
  text: string;
  /** The error messages of every call in the answer. */
  messages: string[];
  fieldErrors: Record<string, string[]>[];
}

interface ErrorEnvelope {
  message?: unknown;
  json?: { message?: unknown; data?: { fieldErrors?: Record<string, string[]> | null } };
  data?: { fieldErrors?: Record<string, string[]> | null };
}

function errorsIn(body: unknown): ErrorEnvelope[] {
  if (Array.isArray(body)) return body.flatMap(errorsIn);
  if (body && typeof body === 'object' && 'error' in body) return [body.error as ErrorEnvelope];
  return [];
}

function answerOf(status: number, text: string): Answer {
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    // Node's own answers (431, 400 on a malformed request line) carry no JSON.
  }
  const errors = errorsIn(body);
  return {
    status,
    text,
    messages: errors.map((error) => String(error.json?.message ?? error.message)),
    fieldErrors: errors.flatMap((error) => {
      const fields = error.json?.data?.fieldErrors ?? error.data?.fieldErrors;
      return fields ? [fields] : [];
    }),
  };
}

/** One raw request: the path goes out byte for byte, and a body can be streamed without a length. */
function send(
  base: string,
  options: { method?: string; path: string; body?: string; headers?: Record<string, string>; chunked?: boolean },
): Promise<Answer> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: url.hostname, port: url.port, method: options.method ?? 'GET', path: options.path, headers: options.headers },
      (res) => {
        // A subscription answers with a stream that stays open: its status is the answer.
        if (res.headers['content-type']?.startsWith('text/event-stream')) {
          res.destroy();
          resolve(answerOf(res.statusCode ?? 0, ''));
          return;
        }
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve(answerOf(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'))));
        res.on('error', reject);
      },
    );
    // The server may answer and close before a large body is all sent.
    req.on('error', (error: NodeJS.ErrnoException) => (error.code === 'EPIPE' || error.code === 'ECONNRESET' ? undefined : reject(error)));
    if (options.body !== undefined && options.chunked) {
      const body = options.body;
      for (let at = 0; at < body.length; at += 64 * 1024) req.write(body.slice(at, at + 64 * 1024));
    } else if (options.body !== undefined) {
      req.setHeader('content-length', Buffer.byteLength(options.body));
      req.write(options.body);
    }
    req.end();
  });
}

/** A 4xx whose every message is ours and whose text leaks nothing. */
function expectOurRefusal(answer: Answer, status?: number): void {
  if (status !== undefined) expect(answer.status).toBe(status);
  expect(answer.status).toBeGreaterThanOrEqual(400);
  expect(answer.status).toBeLessThan(500);
  expect(answer.text).not.toMatch(LEAK);
  for (const message of answer.messages) expect(OURS, `"${message.slice(0, 200)}" is not one of ours`).toContain(message);
}

describe('errors a client sees are ours', () => {
  let cp: ControlPlane;
  let server: http.Server;
  let base: string;
  let cookie: string;
  let asAdmin: ReturnType<typeof callerFor>;
  const json = (extra: Record<string, string> = {}) => ({ 'content-type': 'application/json', cookie, ...extra });
  const post = (procedure: string, body: string, extra: { chunked?: boolean } = {}) =>
    send(base, { method: 'POST', path: `/api/trpc/${procedure}`, body, headers: json(), ...extra });
  const get = (path: string) => send(base, { path, headers: { cookie } });

  beforeAll(async () => {
    cp = await createTestControlPlane();
    const admin = await insertUser(cp.store, 'admin', 'admin@example.com');
    asAdmin = callerFor(cp, admin);
    const dev = await asAdmin.environments.create({ name: 'dev', color: '#22c55e', isProduction: false, optimizeFor: 'cost' });
    await asAdmin.clusters.attach({ name: 'gpu-west', provider: 'aws-eks', region: 'us-east-1', environmentIds: [dev.id] });
    const { token } = await cp.store.transaction((tx) => createSession(tx, admin.userId, { ip: '127.0.0.1', userAgent: 'vitest' }));
    cookie = `${SESSION_COOKIE}=${token}`;
    server = http.createServer((req, res) => void handleTrpcRequest(cp, req, res));
    base = await listenOnLoopback(server);
  });

  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await cp?.close();
  });

  describe('in-process (createCaller), as the wire shows them', () => {
    async function shapeOf(call: Promise<unknown>, path: string) {
      const error = await call.then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(TRPCError);
      return getTRPCErrorShape({ config: appRouter._def._config, error: error as TRPCError, type: 'mutation', path, input: undefined, ctx: undefined });
    }

    it('refuses 40,000 environment ids with a field message, not a 500', async () => {
      const input = { name: 'gpu-east', provider: 'aws-eks' as const, region: 'us-east-1', environmentIds: FORTY_THOUSAND_IDS };
      const shape = await shapeOf(asAdmin.clusters.attach(input), 'clusters.attach');
      expect(shape.data.httpStatus).toBe(400);
      expect(shape.message).toBe(FIELDS_NEED_ATTENTION);
      expect(shape.data.fieldErrors).toEqual({ environmentIds: ['Choose at most 100 environments'] });
      const update = await shapeOf(asAdmin.clusters.updateEnvironments({ name: 'gpu-west', environmentIds: FORTY_THOUSAND_IDS }), 'x');
      expect(update.data.fieldErrors).toEqual({ environmentIds: ['Choose at most 100 environments'] });
    });

    it('refuses a 5 MB cluster name on the field, without echoing it', async () => {
      const shape = await shapeOf(asAdmin.clusters.rotateToken({ name: FIVE_MB }), 'clusters.rotateToken');
      expect(shape.data.fieldErrors).toEqual({ name: ['Cluster name must be at most 63 characters'] });
      expect(JSON.stringify(shape).length).toBeLessThan(2_000);
    });

    it('answers NOT_FOUND for a token rotation of a name no cluster could have (it was a 500)', async () => {
      const shape = await shapeOf(asAdmin.clusters.rotateToken({ name: '!' }), 'clusters.rotateToken');
      expect(shape.data.httpStatus).toBe(404);
      expect(shape.message).toBe('Cluster "!" does not exist (it may have been detached)');
    });

    it('refuses ids past a 32-bit column on the field (PostgreSQL answered 500)', async () => {
      const shape = await shapeOf(asAdmin.environments.delete({ id: 2 ** 31 }), 'environments.delete');
      expect(shape.data.fieldErrors).toEqual({ id: ['No such record'] });
    });

    it('does not echo a huge base domain back in its message', async () => {
      const input = { name: 'gpu-east', provider: 'aws-eks' as const, region: 'us-east-1', environmentIds: [1], baseDomains: ['x'.repeat(100_000), 'x'.repeat(100_000)] };
      const shape = await shapeOf(asAdmin.clusters.attach(input), 'clusters.attach');
      expect(shape.data.fieldErrors).toEqual({ baseDomains: ['A base domain must be at most 253 characters'] });
    });

    it('logs a failure once, with the driver’s text, and sends only the generic sentence', async () => {
      const lines: string[] = [];
      const broken = await createTestControlPlane({ log: createLogger('error', (_level, line) => void lines.push(line)) });
      const admin = await insertUser(broken.store, 'admin');
      await broken.store.close();
      const error = await callerFor(broken, admin).environments.list().then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(TRPCError);
      const ctx = contextFor(broken, admin);
      const shape = getTRPCErrorShape({ config: appRouter._def._config, error: error as TRPCError, type: 'query', path: 'environments.list', input: undefined, ctx });
      expect(shape.message).toBe(GENERIC_ERROR_MESSAGES.INTERNAL_SERVER_ERROR);
      expect(lines).toHaveLength(1);
      expect(JSON.parse(lines[0]!)).toMatchObject({ msg: 'procedure failed', path: 'environments.list' });
      expect(lines[0]).not.toMatch(/select|Failed query/i);
      // One the procedure never saw (a subscription's stream failing) is logged by the formatter.
      const unseen = new TRPCError({ code: 'INTERNAL_SERVER_ERROR', cause: new Error('stream broke at row 7') });
      const unseenShape = getTRPCErrorShape({ config: appRouter._def._config, error: unseen, type: 'subscription', path: 'clusters.onChange', input: undefined, ctx });
      expect(unseenShape.message).toBe(GENERIC_ERROR_MESSAGES.INTERNAL_SERVER_ERROR);
      expect(lines).toHaveLength(2);
      expect(JSON.parse(lines[1]!)).toMatchObject({ msg: 'request failed', path: 'clusters.onChange', error: 'stream broke at row 7' });
      await broken.close().catch(() => undefined);
    });

    it('gives every refusal that is not ours the generic sentence for its code', () => {
      const shape = (error: TRPCError) =>
        getTRPCErrorShape({ config: appRouter._def._config, error, type: 'query', path: 'x', input: undefined, ctx: undefined });
      const cases: [TRPCError, string][] = [
        [new TRPCError({ code: 'BAD_REQUEST', cause: new RangeError('Maximum call stack size exceeded') }), 'The request is not valid'],
        [new TRPCError({ code: 'BAD_REQUEST', message: 'Unexpected token % in JSON at position 0' }), 'The request is not valid'],
        [new TRPCError({ code: 'PARSE_ERROR', message: 'Not JSON-parsable query params' }), 'The request could not be read'],
        [new TRPCError({ code: 'PAYLOAD_TOO_LARGE' }), 'The request is too large'],
        [new TRPCError({ code: 'INTERNAL_SERVER_ERROR', cause: new URIError('URI malformed') }), GENERIC_ERROR_MESSAGES.INTERNAL_SERVER_ERROR],
        [new TRPCError({ code: 'INTERNAL_SERVER_ERROR', cause: new RangeError('Invalid string length') }), GENERIC_ERROR_MESSAGES.INTERNAL_SERVER_ERROR],
        [new TRPCError({ code: 'NOT_FOUND', message: 'No procedure found on path "x"' }), 'Not found'],
        [new TRPCError({ code: 'BAD_REQUEST', message: 'x', cause: InvalidError.onField('name', 'Name is taken') }), 'Name is taken'],
      ];
      for (const [error, message] of cases) expect(shape(error).message).toBe(message);
      const zod = z.object({ a: z.array(z.string()) }).safeParse({ a: [1, 2, 3] });
      const fields = shape(new TRPCError({ code: 'BAD_REQUEST', cause: zod.error }));
      expect(fields.message).toBe(FIELDS_NEED_ATTENTION);
      // One message per distinct problem, however many items share it.
      expect(fields.data.fieldErrors).toEqual({ a: ['Invalid input: expected string, received number'] });
    });
  });

  describe('over HTTP', () => {
    it('answers a malformed JSON body with a generic 400', async () => {
      const answer = await post('auth.signIn', '{"json":{"email":');
      expectOurRefusal(answer, 400);
      expect(answer.messages).toEqual(['The request is not valid']);
    });

    it.each(['%', '%E0%A4%A', '{bad', '%7B%22json%22%3A'])('answers ?input=%s with a generic 400', async (input) => {
      const answer = await get(`/api/trpc/clusters.list?input=${input}`);
      expectOurRefusal(answer, 400);
      expect(answer.messages).toEqual(['The request is not valid']);
    });

    it('answers a malformed path with a generic 400, and an unknown procedure with a generic 404', async () => {
      expectOurRefusal(await get('/api/trpc/%'), 400);
      const unknown = await get('/api/trpc/nope.nothing');
      expectOurRefusal(unknown, 404);
      expect(unknown.messages).toEqual(['Not found']);
      const wrongMethod = await get('/api/trpc/auth.signIn');
      expectOurRefusal(wrongMethod, 405);
    });

    it('answers a large batch input with field messages, and one past the header limit without leaking', async () => {
      const input = encodeURIComponent(JSON.stringify({ 0: { json: { search: 'x'.repeat(10_000) } } }));
      const batch = await get(`/api/trpc/clusters.list?batch=1&input=${input}`);
      expectOurRefusal(batch, 400);
      expect(batch.fieldErrors).toEqual([{ search: ['Search must be at most 100 characters'] }]);
      const huge = await get(`/api/trpc/clusters.list?batch=1&input=${'x'.repeat(200_000)}`);
      expectOurRefusal(huge);
    });

    it('answers 5 MB bodies with 413, declared or streamed', async () => {
      const body = JSON.stringify({ json: { email: 'a@example.com', password: FIVE_MB } });
      expectOurRefusal(await post('auth.signIn', body), 413);
      const streamed = await post('auth.signIn', body, { chunked: true });
      expectOurRefusal(streamed, 413);
    });

    it('refuses a string just under the body limit on its field', async () => {
      const answer = await post('clusters.rotateToken', JSON.stringify({ json: { name: 'x'.repeat(900_000) } }));
      expectOurRefusal(answer, 400);
      expect(answer.fieldErrors).toEqual([{ name: ['Cluster name must be at most 63 characters'] }]);
      expect(answer.text.length).toBeLessThan(2_000);
    });

    it('answers 10,000 levels of nesting with a 400, in the input and in superjson’s meta', async () => {
      // Written out: JSON.stringify itself recurses, and would overflow here.
      const deep = `${'['.repeat(10_000)}1${']'.repeat(10_000)}`;
      const inInput = await post('clusters.updateEnvironments', `{"json":{"name":"gpu-west","environmentIds":${deep}}}`);
      expectOurRefusal(inInput, 400);
      expect(Object.keys(inInput.fieldErrors[0] ?? {})).toEqual(['environmentIds']);
      const inMeta = await post('clusters.updateEnvironments', `{"json":{"name":"gpu-west"},"meta":{"values":${deep}}}`);
      expectOurRefusal(inMeta, 400);
      expect(inMeta.messages).toEqual(['The request is not valid']);
    });

    it('answers 40,000 environment ids with a 400 and a field message', async () => {
      const body = JSON.stringify({ json: { name: 'gpu-east', provider: 'aws-eks', region: 'us-east-1', environmentIds: FORTY_THOUSAND_IDS } });
      const answer = await post('clusters.attach', body);
      expectOurRefusal(answer, 400);
      expect(answer.fieldErrors).toEqual([{ environmentIds: ['Choose at most 100 environments'] }]);
    });

    it('keeps __proto__ keys and lone surrogates harmless', async () => {
      const proto = await post('environments.create', '{"json":{"__proto__":{"polluted":true},"name":"x","color":"#000000","isProduction":false,"optimizeFor":"cost"}}');
      expect(proto.status).toBeLessThan(500);
      expect(proto.text).not.toMatch(LEAK);
      expect(Object.prototype).not.toHaveProperty('polluted');
      const surrogate = await post('environments.create', '{"json":{"name":"\\ud800","color":"#000000","isProduction":false,"optimizeFor":"cost"}}');
      expectOurRefusal(surrogate, 400);
      expect(Object.keys(surrogate.fieldErrors[0] ?? {})).toEqual(['name']);
    });

    it('never answers 5xx or foreign text to arbitrary bodies, paths and query strings', async () => {
      const paths = Object.keys(appRouter._def.procedures).filter((path) => path !== 'auth.signOut');
      const body = fc.oneof(
        fc.string({ maxLength: 200 }),
        fc.json({ maxDepth: 4 }),
        fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify({ json: value })),
        fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify({ json: value, meta: { values: value } })),
      );
      const request = fc.record({
        path: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...paths) }, fc.constantFrom('nope', 'clusters', '%', 'a,b', `${paths[0]},${paths[1]}`)),
        method: fc.constantFrom('GET', 'POST'),
        batch: fc.boolean(),
        body,
      });
      let cases = 0;
      await fc.assert(
        fc.asyncProperty(request, async ({ path, method, batch, body }) => {
          cases++;
          const query = `${batch ? 'batch=1&' : ''}input=${encodeURIComponent(body)}`;
          const answer =
            method === 'GET'
              ? await get(`/api/trpc/${path}?${query}`)
              : await send(base, { method, path: `/api/trpc/${path}${batch ? '?batch=1' : ''}`, body, headers: json() });
          expect(answer.status).toBeLessThan(500);
          expect(answer.text).not.toMatch(LEAK);
          // Refusals carry ours; a 200 may echo data, and our domain messages name what was asked for.
          for (const message of answer.messages) {
            expect(message.length).toBeLessThan(1_000);
          }
        }),
        { numRuns: 150 },
      );
      expect(Object.prototype).not.toHaveProperty('polluted');
      console.warn(`[fuzz] ${cp.store.engine}: ${cases} raw HTTP requests, no 5xx`);
    });
  });

  describe('logs', () => {
    it('log a failed query by the driver’s message, without the SQL or its parameters', async () => {
      const failure = await cp.store.db
        .select()
        .from(cp.store.tables.users)
        .where(sql`no_such_column = ${'secret-parameter'}`)
        .then(
          () => null,
          (e: unknown) => e,
        );
      const logged = errorMessage(failure);
      expect(logged).toMatch(/no_such_column/);
      expect(logged).not.toContain('secret-parameter');
      expect(logged).not.toMatch(/select/i);
    });

    it('unwrap drizzle’s DrizzleQueryError, however deep, to the driver’s message', () => {
      const driver = Object.assign(new Error('duplicate key value violates unique constraint "users_email_unique"'), { code: '23505' });
      const wrapped = new DrizzleQueryError('insert into "users" ("password_hash") values ($1)', ['scrypt$secret-hash'], driver);
      expect(String(wrapped)).toContain('secret-hash');
      expect(errorMessage(wrapped)).toBe(driver.message);
      expect(errorMessage(new DrizzleQueryError('select $1', ['x'], wrapped as unknown as Error))).toBe(driver.message);
      expect(errorMessage(new DrizzleQueryError('select $1', ['secret'], undefined as unknown as Error))).toBe('A database query failed');
    });
  });
});
