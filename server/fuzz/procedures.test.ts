/**
 * Property-based fuzzing of every tRPC procedure (issue 8): inputs generated from each
 * procedure's own zod schema, mixed with hostile values, called as admin, member and
 * signed out, on whichever engine this project runs. For every call:
 *   - no INTERNAL_SERVER_ERROR, no 5xx of any kind;
 *   - a refusal is a TRPCError whose answer (as the error formatter shapes it for the
 *     wire) carries one of our messages: a domain error's, field messages from our
 *     schemas, or the generic sentence for its code; never parser, V8 or driver text;
 *   - a refused call writes nothing: the row count of every table is unchanged;
 *   - nothing reaches Object.prototype.
 *
 * Seeded from FUZZ_SEED when set (a failure prints the seed and path to replay it).
 */
import { scryptSync, randomBytes } from 'node:crypto';
import { desc, getTableName, is, sql, Table } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import fc from 'fast-check';
import { getTRPCErrorShape, TRPCError } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z, ZodError } from 'zod';
import { roleHas } from '@/lib/permissions';
import { DomainError } from '@/server/errors';
import { createLogger } from '@/server/logger';
import { appRouter } from '@/server/root';
import type { Store } from '@/server/store';
import { FIELDS_NEED_ATTENTION, GENERIC_ERROR_MESSAGES, type ProcedureMeta } from '@/server/trpc';
import { routerHarness, type RouterHarness } from '@/testing/router-harness';
import { hostileValue } from './hostile';
import { inputFor, type ArbitraryOptions } from './zod-arbitrary';

interface ProcedureLike {
  _def: { meta?: ProcedureMeta; type: 'query' | 'mutation' | 'subscription'; inputs: unknown[] };
}

const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
/** Cases per procedure and caller: more where the input is parsed, fewer where access is refused first. */
const RUNS = { parsed: 60, refusedFirst: 12, noInput: 8 };
/** Hashing a password costs ~0.4 s of scrypt: procedures that may hash get fewer cases. */
const HASHING = new Set(['auth.signIn', 'users.create']);
const HASHING_RUNS = 10;
/**
 * A time budget per property, so a slow machine runs fewer cases rather than time out.
 * Checked inside the property: fast-check's own interrupt would abandon a call still in
 * flight, and its commit would land in the next property's snapshot.
 */
const PROPERTY_BUDGET_MS = 4_000;

/**
 * Not fuzzed: auth.signOut ends the calling session (it takes no input; the auth tests
 * cover it). No procedure needs a live agent today; one that did would be listed here.
 */
const SKIPPED = new Set(['auth.signOut']);

/**
 * Refusals that write by design, and the one row each may add: a sign-in that locks an
 * account tells its owner with an audit row (issue 8, finding 8).
 */
const REFUSAL_WRITES: Record<string, { table: string; action: string }> = {
  'auth.signIn': { table: 'audit_events', action: 'user.sign_in_locked' },
};

/** Text that only a parser, V8, a stack trace or a database driver would write. */
const LEAKS = [
  /Unexpected token/i,
  /is not valid JSON/i,
  /in JSON at position/i,
  /\bat Object\./,
  /\n\s+at /,
  /SQLITE_/,
  /relation "/,
  /syntax error at/i,
  /Failed query/i,
  /Maximum call stack/i,
  /Invalid string length/i,
  /URI malformed/i,
  /Cannot read propert/i,
  /is not a function/i,
  /undefined is not/i,
];

const GENERIC = new Set<string>([...Object.values(GENERIC_ERROR_MESSAGES), FIELDS_NEED_ATTENTION]);

const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, ProcedureLike>)
  .filter(([path]) => !SKIPPED.has(path))
  .sort(([a], [b]) => a.localeCompare(b));

type Role = 'admin' | 'member' | 'signed out';
type Caller = RouterHarness['asAdmin'];

/** A cheap scrypt hash of a password nobody generates: sign-in and password checks stay fast. */
function cheapPasswordHash(): string {
  const salt = randomBytes(16);
  const key = scryptSync('fuzz-password-not-in-any-dictionary', salt, 64, { N: 1024, r: 8, p: 1 });
  return ['scrypt', 1024, 8, 1, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** Row counts of every table, in one statement. */
async function rowCounts(store: Store): Promise<Record<string, number>> {
  const tables = (Object.values(store.tables) as PgTable[]).filter((table) => is(table, Table));
  const columns = Object.fromEntries(
    tables.map((table) => [getTableName(table), sql<number>`(select count(*) from ${table})`.mapWith(Number)]),
  );
  const [row] = await store.db.select(columns).from(store.tables.users).limit(1);
  return row ?? {};
}

/** What a refused call wrote beyond what it may (REFUSAL_WRITES), or null. */
async function unexpectedWrites(store: Store, path: string, before: Record<string, number>, after: Record<string, number>): Promise<string | null> {
  const changed = Object.keys(after).filter((table) => after[table] !== before[table]);
  if (changed.length === 0) return null;
  const allowed = REFUSAL_WRITES[path];
  if (allowed && changed.length === 1 && changed[0] === allowed.table && after[allowed.table] === (before[allowed.table] ?? 0) + 1) {
    const { auditEvents } = store.tables;
    const [newest] = await store.db.select({ action: auditEvents.action }).from(auditEvents).orderBy(desc(auditEvents.id)).limit(1);
    if (newest?.action === allowed.action) return null;
  }
  return changed.map((table) => `${table} ${before[table]} → ${after[table]}`).join(', ');
}

function describeValue(value: unknown): string {
  const text = fc.stringify(value);
  return text.length > 600 ? `${text.slice(0, 600)}… (${text.length} chars)` : text;
}

type Outcome = { ok: true } | { ok: false; error: unknown };

async function invoke(caller: Caller, path: string, input: unknown): Promise<Outcome> {
  const fn = path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], caller);
  try {
    const result = await (fn as (input: unknown) => Promise<unknown>)(input);
    // A subscription has passed its middleware and parsed its input once it returns its iterable.
    if (result && typeof result === 'object' && Symbol.asyncIterator in result) {
      await (result as AsyncIterable<unknown>)[Symbol.asyncIterator]().return?.();
    }
    return { ok: true };
  } catch (error) {
    return { ok: false, error };
  }
}

/** Why the refusal breaks a property, or null when it is a clean 4xx of ours. */
function refusalProblem(error: unknown, path: string, type: ProcedureLike['_def']['type'], input: unknown): string | null {
  if (!(error instanceof TRPCError)) return `threw ${error instanceof Error ? error.name : typeof error}, not a TRPCError`;
  const shape = getTRPCErrorShape({ config: appRouter._def._config, error, type, path, input, ctx: undefined });
  const status = shape.data.httpStatus;
  if (status >= 500) return `answered ${status} ${error.code} (cause: ${describeValue(error.cause instanceof Error ? error.cause.message : error.cause)})`;
  if (error.code === 'BAD_REQUEST' && !(error.cause instanceof ZodError) && !(error.cause instanceof DomainError)) {
    return `the input parser crashed: ${describeValue(error.cause instanceof Error ? error.cause.message : error.cause)}`;
  }
  const ours = GENERIC.has(shape.message) || (error.cause instanceof DomainError && shape.message === error.cause.message);
  if (!ours) return `message is not ours: ${describeValue(shape.message)}`;
  const wire = JSON.stringify({ message: shape.message, fieldErrors: shape.data.fieldErrors });
  const leak = LEAKS.find((pattern) => pattern.test(wire));
  if (leak) return `answer leaks ${leak}: ${describeValue(wire)}`;
  if (wire.length > 16_384) return `answer is ${wire.length} characters long`;
  return null;
}

/**
 * Where in `schema` a client could send something of unbounded size: a string, array or
 * number without a maximum, or a record whose keys have none (issue 8, finding 9).
 */
function unboundedParts(schema: z.core.$ZodType, at: string): string[] {
  const hasMax = schema._zod.def.checks?.some(
    (check) => check instanceof z.core.$ZodCheckMaxLength || check instanceof z.core.$ZodCheckLengthEquals || check instanceof z.core.$ZodCheckLessThan,
  );
  const type = schema._zod.def.type;
  if (type === 'string' || type === 'array' || type === 'number') {
    const own = hasMax ? [] : [`${at} (${type})`];
    return schema instanceof z.ZodArray ? [...own, ...unboundedParts(schema.element, `${at}[]`)] : own;
  }
  if (schema instanceof z.ZodObject) {
    // Unknown keys are stripped; a loose or catch-all object would pass them (and `__proto__`) on.
    const catchall = schema._zod.def.catchall;
    const loose = catchall !== undefined && !(catchall instanceof z.ZodNever) ? [`${at} (keeps unknown keys)`] : [];
    return [...loose, ...Object.entries(schema.shape as Record<string, z.core.$ZodType>).flatMap(([key, field]) => unboundedParts(field, `${at}.${key}`))];
  }
  if (schema instanceof z.ZodRecord) return [...unboundedParts(schema.keyType, `${at}{key}`), ...unboundedParts(schema.valueType, `${at}{}`)];
  if (schema instanceof z.ZodUnion) return (schema.options as z.core.$ZodType[]).flatMap((option) => unboundedParts(option, at));
  if (schema instanceof z.ZodPipe) return schema.in instanceof z.ZodTransform ? unboundedParts(schema.out, at) : unboundedParts(schema.in, at);
  if (schema instanceof z.ZodOptional || schema instanceof z.ZodNullable || schema instanceof z.ZodDefault || schema instanceof z.ZodPrefault) {
    return unboundedParts(schema._zod.def.innerType, at);
  }
  return [];
}

describe('every input has a size limit and drops unknown keys', () => {
  it.each(procedures.filter(([, procedure]) => procedure._def.inputs.length > 0))('%s bounds every string, array and number', (path, procedure) => {
    expect(procedure._def.inputs.flatMap((schema) => unboundedParts(schema as z.core.$ZodType, path))).toEqual([]);
  });

  it('sees an unbounded part when there is one', () => {
    const schema = z.object({ a: z.string().max(3), b: z.array(z.string()).max(2), c: z.record(z.string(), z.boolean()), d: z.number().int() });
    expect(unboundedParts(schema, 'x')).toEqual(['x.b[] (string)', 'x.c{key} (string)', 'x.d (number)']);
    expect(unboundedParts(z.looseObject({ a: z.string().max(1) }), 'y')).toEqual(['y (keeps unknown keys)']);
    expect(unboundedParts(z.strictObject({ a: z.string().max(1) }), 'y')).toEqual([]);
  });
});

describe('fuzzing every procedure', () => {
  let h: RouterHarness;
  let options: ArbitraryOptions;
  const started = performance.now();
  /** The server's error log: a 5xx's real cause is logged there, never sent. */
  const errorLines: string[] = [];
  const tally = { cases: 0, answered: 0, refused: 0, serverErrors: 0, byCode: {} as Record<string, number> };

  beforeAll(async () => {
    h = await routerHarness({ log: createLogger('error', (_level, line) => void errorLines.push(line)) });
    const { users } = h.store.tables;
    await h.store.transaction((tx) => tx.update(users).set({ passwordHash: cheapPasswordHash() }).where(sql`true`));
    const envs = await Promise.all(
      (['dev', 'prod'] as const).map((name) =>
        h.asAdmin.environments.create({ name, color: '#22c55e', isProduction: name === 'prod', optimizeFor: 'cost' }),
      ),
    );
    for (const name of ['gpu-west', 'gpu-east']) {
      await h.asAdmin.clusters.attach({ name, provider: 'aws-eks', region: 'us-east-1', environmentIds: envs.map((env) => env.id) });
    }
    options = {
      dictionary: [
        'gpu-west',
        'gpu-east',
        'dev',
        'prod',
        'admin@example.com',
        'member@example.com',
        'fleetdeck.io/node-pool',
        'nvidia.com/gpu.product',
        '*.apps.example.com',
        'us-east-1',
        'aws-eks',
        'karpenter',
        'keda',
        'cluster',
        'user',
        '#0ea5e9',
        'http://prometheus.monitoring:9090',
        'a-long-enough-password',
      ],
    };
  });

  afterAll(async () => {
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const codes = Object.entries(tally.byCode)
      .map(([code, n]) => `${code} ${n}`)
      .join(', ');
    console.warn(
      `[fuzz] ${h?.store.engine}: ${tally.cases} cases over ${procedures.length} procedures × 3 callers in ${seconds} s; ` +
        `${tally.answered} answered, ${tally.refused} refused (${codes}); 5xx: ${tally.serverErrors}; seed ${SEED}`,
    );
    await h?.cp.close();
  });

  it('finds the procedures, each with at most one input schema', () => {
    expect(procedures.length).toBeGreaterThan(15);
    for (const [path, procedure] of procedures) {
      expect(procedure._def.inputs.length, path).toBeLessThanOrEqual(1);
      for (const schema of procedure._def.inputs) expect(schema, path).toBeInstanceOf(z.ZodType);
    }
  });

  const callers: Role[] = ['admin', 'member', 'signed out'];
  for (const [path, procedure] of procedures) {
    const { type, inputs, meta } = procedure._def;
    for (const role of callers) {
      it(`${path} as ${role}`, async () => {
        const caller = role === 'admin' ? h.asAdmin : role === 'member' ? h.asMember : h.anonymous;
        const schema = inputs[0] as z.ZodType | undefined;
        const input = schema ? inputFor(schema, options) : hostileValue();
        const access = meta?.access;
        const refusedFirst =
          access !== undefined &&
          access !== 'public' &&
          (role === 'signed out' || (role === 'member' && access !== 'authenticated' && !roleHas('member', access)));
        const numRuns = !schema ? RUNS.noInput : HASHING.has(path) ? HASHING_RUNS : refusedFirst ? RUNS.refusedFirst : RUNS.parsed;

        const fuzzCase = async (value: unknown) => {
          const before = await rowCounts(h.store);
          const outcome = await invoke(caller, path, value);
          expect(Object.prototype).not.toHaveProperty('polluted');
          if (outcome.ok) {
            tally.answered++;
            return;
          }
          tally.refused++;
          const code = outcome.error instanceof TRPCError ? outcome.error.code : 'NOT_A_TRPC_ERROR';
          tally.byCode[code] = (tally.byCode[code] ?? 0) + 1;
          const problem = refusalProblem(outcome.error, path, type, value);
          if (problem?.startsWith('answered 5')) tally.serverErrors++;
          if (problem) throw new Error(`${path} as ${role}: ${problem}; last logged error: ${errorLines.at(-1)?.slice(0, 600) ?? 'none'}`);
          const after = await rowCounts(h.store);
          const wrote = await unexpectedWrites(h.store, path, before, after);
          if (wrote) throw new Error(`${path} as ${role}: a refused call (${code}) wrote rows: ${wrote}`);
        };

        let deadline = performance.now() + PROPERTY_BUDGET_MS;
        const property = fc.asyncProperty(input, async (value) => {
          if (performance.now() > deadline) return;
          tally.cases++;
          try {
            await fuzzCase(value);
          } catch (error) {
            // Shrinking gets all the time it needs.
            deadline = Infinity;
            throw error;
          }
        });
        const result = await fc.check(property, { numRuns, seed: SEED });
        if (result.failed) {
          const cause = result.errorInstance instanceof Error ? result.errorInstance.message : (fc.defaultReportMessage(result) ?? 'failed').slice(0, 2_000);
          throw new Error(
            `${cause}\n  input: ${describeValue(result.counterexample?.[0])}\n  replay: FUZZ_SEED=${result.seed} (path ${result.counterexamplePath})`,
          );
        }
      }, 30_000);
    }
  }
});
