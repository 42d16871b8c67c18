/**
 * Every string a form or a procedure takes has a maximum, and past it the answer is a
 * short message, never the value echoed back (a 10,000-character URL once was). The
 * suite walks every exported object schema of every module in lib/schemas, so a new
 * schema is checked without being listed here.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MAX_QUOTED, quoted } from '@/lib/schemas/limits';

const HUGE = 10_000;
/** A message longer than this is not "what is wrong and the limit". */
const MAX_MESSAGE = 200;

const modules = import.meta.glob<Record<string, unknown>>(['./*.ts', '!./*.test.ts'], { eager: true });

type AnySchema = z.core.$ZodType;

function defOf(schema: AnySchema): { type: string; [key: string]: unknown } {
  return schema._zod.def as unknown as { type: string; [key: string]: unknown };
}

/** The schema under optional/default/nullable/pipe wrappers: what the value meets first. */
function unwrap(schema: AnySchema): AnySchema {
  let current = schema;
  for (;;) {
    const def = defOf(current);
    if (['optional', 'default', 'nullable', 'prefault', 'readonly', 'catch', 'nonoptional'].includes(def.type)) current = def.innerType as AnySchema;
    else if (def.type === 'pipe') current = def.in as AnySchema;
    else return current;
  }
}

function objectShape(schema: AnySchema): Record<string, AnySchema> | null {
  const inner = unwrap(schema);
  const def = defOf(inner);
  return def.type === 'object' ? (def.shape as Record<string, AnySchema>) : null;
}

/** A value made of `text` in the shape `field` takes (a string, or a list of one string). */
function hugeValueFor(field: AnySchema, text: string): unknown | undefined {
  const inner = unwrap(field);
  const def = defOf(inner);
  if (def.type === 'string') return text;
  if (def.type === 'array' && defOf(unwrap(def.element as AnySchema)).type === 'string') return [text];
  return undefined;
}

interface Case {
  schema: string;
  field: string;
  parse: (input: unknown) => z.ZodSafeParseResult<unknown>;
  value: unknown;
}

function casesFor(text: string): Case[] {
  const cases: Case[] = [];
  for (const [file, exports] of Object.entries(modules)) {
    for (const [exportName, exported] of Object.entries(exports)) {
      if (!(exported instanceof z.ZodType)) continue;
      const shape = objectShape(exported);
      if (!shape) continue;
      for (const [field, fieldSchema] of Object.entries(shape)) {
        const value = hugeValueFor(fieldSchema, text);
        if (value === undefined) continue;
        cases.push({ schema: `${file.slice(2)}:${exportName}`, field, parse: (input) => exported.safeParse(input), value });
      }
    }
  }
  return cases;
}

/** What is wrong with how `parse` answers `input`, which holds an over-long `field`; empty when nothing. */
function longInputProblems(parse: Case['parse'], field: string, input: unknown): string[] {
  const result = parse(input);
  if (result.success) return ['accepted'];
  const problems: string[] = [];
  if (!result.error.issues.some((issue) => issue.path[0] === field)) problems.push(`no message on ${field}`);
  for (const issue of result.error.issues) {
    if (issue.message.length >= MAX_MESSAGE) problems.push(`a ${issue.message.length}-character message`);
    else if (issue.message.includes('a'.repeat(MAX_QUOTED + 1))) problems.push('the value echoed');
  }
  return problems;
}

describe('the check itself', () => {
  it('catches an unbounded field and a message that echoes the value', () => {
    const unbounded = z.object({ url: z.string() });
    expect(longInputProblems((i) => unbounded.safeParse(i), 'url', { url: 'a'.repeat(HUGE) })).toEqual(['accepted']);
    const echoing = z.object({ url: z.string().refine(() => false, { error: (issue) => `Bad URL ${String(issue.input)}` }) });
    expect(longInputProblems((i) => echoing.safeParse(i), 'url', { url: 'a'.repeat(HUGE) })).toEqual(['a 10008-character message']);
  });
});

describe('every string field of every exported input schema', () => {
  const cases = casesFor('a'.repeat(HUGE));

  it('finds the schemas to check', () => {
    const names = new Set(cases.map((c) => c.schema));
    // The forms' schemas at least: attach, environment, user, password, sign-in.
    for (const name of ['cluster.ts:attachClusterInput', 'environment.ts:environmentInput', 'auth.ts:createUserInput', 'auth.ts:changePasswordInput', 'auth.ts:signInInput']) {
      expect(names).toContain(name);
    }
  });

  it.each(cases.map((c) => [`${c.schema} .${c.field}`, c] as const))('%s refuses 10,000 characters with a short message', (_name, c) => {
    expect(longInputProblems(c.parse, c.field, { [c.field]: c.value })).toEqual([]);
  });
});

describe('quoted', () => {
  it('quotes short values whole and cuts long ones', () => {
    expect(quoted('abc')).toBe('"abc"');
    const long = quoted('x'.repeat(500));
    expect(long.length).toBeLessThanOrEqual(MAX_QUOTED + 2);
    expect(long.endsWith('…"')).toBe(true);
  });
});
