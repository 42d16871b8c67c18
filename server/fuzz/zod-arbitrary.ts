/**
 * fast-check arbitraries from zod schemas, for the fuzz suites in this folder only.
 *
 * `inputFor(schema)` mixes three kinds of input: plausible ones (within the schema's
 * lengths, bounds and patterns, often naming what the store holds, so they reach the
 * service), mixed ones (plausible, with the odd field past a limit, of the wrong type,
 * carrying a NUL or a lone surrogate, or with `__proto__` keys), and wholly hostile ones.
 */
import fc from 'fast-check';
import { z } from 'zod';
import { hostileValue } from './hostile';

export interface ArbitraryOptions {
  /** Strings worth trying in any string field: names, emails and keys that exist in the store. */
  dictionary: readonly string[];
}

type Mode = 'plausible' | 'mixed';
interface Context extends ArbitraryOptions {
  mode: Mode;
}
type Weighted = { weight: number; arbitrary: fc.Arbitrary<unknown> };

/** In mixed inputs, how often one node is replaced by a hostile value. */
const HOSTILE_WEIGHT = 1;
const NODE_WEIGHT = 12;
/** Generated collections stay small; the hostile values bring the huge ones. */
const MAX_GENERATED_ITEMS = 6;
const MAX_GENERATED_STRING = 40;
const ODD_CHARACTERS = ['\u0000', '\uD800', '\uDFFF', '\u202E', '\r\n', '%00'];
const EXTRA_KEY = fc.oneof(fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty'), fc.string({ maxLength: 12 }));

function checksOf(schema: z.core.$ZodType): readonly z.core.$ZodCheck[] {
  return schema._zod.def.checks ?? [];
}

function lengthBounds(schema: z.core.$ZodType): { min: number; max: number | null } {
  let min = 0;
  let max: number | null = null;
  for (const check of checksOf(schema)) {
    if (check instanceof z.core.$ZodCheckMinLength) min = Math.max(min, check._zod.def.minimum);
    if (check instanceof z.core.$ZodCheckMaxLength) max = Math.min(max ?? Infinity, check._zod.def.maximum);
    if (check instanceof z.core.$ZodCheckLengthEquals) min = max = check._zod.def.length;
  }
  return { min, max };
}

function patternsOf(schema: z.core.$ZodType): RegExp[] {
  const patterns = checksOf(schema).flatMap((check) => (check instanceof z.core.$ZodCheckRegex ? [check._zod.def.pattern] : []));
  const own = (schema._zod.def as { pattern?: unknown }).pattern;
  if (own instanceof RegExp) patterns.push(own);
  return patterns;
}

function stringArbitrary(schema: z.core.$ZodType, context: Context): fc.Arbitrary<unknown> {
  const { min, max } = lengthBounds(schema);
  const format = (schema._zod.def as { format?: unknown }).format;
  const upper = Math.min(max ?? MAX_GENERATED_STRING, MAX_GENERATED_STRING);
  const passes = (value: string) => z.safeParse(schema, value).success;
  const valid = context.dictionary.filter(passes);
  // Generated text that misses a rule becomes a valid known value, when there is one.
  const keepValid = (value: string) => (valid.length === 0 || passes(value) ? value : (valid[value.length % valid.length] ?? value));
  const generated: Weighted[] = [];
  if (format === 'email') generated.push({ weight: 4, arbitrary: fc.emailAddress() });
  if (format === 'url') generated.push({ weight: 4, arbitrary: fc.webUrl() });
  if (format !== 'email') {
    for (const pattern of patternsOf(schema)) {
      generated.push({ weight: 3, arbitrary: fc.stringMatching(pattern).map((s) => s.slice(0, max ?? MAX_GENERATED_STRING)) });
    }
  }
  generated.push({ weight: 2, arbitrary: fc.string({ minLength: Math.min(min, upper), maxLength: upper }) });
  if (context.mode === 'plausible') {
    const choices: Weighted[] = generated.map(({ weight, arbitrary }) => ({ weight, arbitrary: arbitrary.map((s) => keepValid(s as string)) }));
    if (valid.length > 0) choices.push({ weight: 4, arbitrary: fc.constantFrom(...valid) });
    return fc.oneof(...choices);
  }
  const choices: Weighted[] = [
    ...generated,
    { weight: 3, arbitrary: fc.constantFrom(...context.dictionary) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 8 }) },
    // A plausible value with a character a database or an encoder may choke on.
    {
      weight: 2,
      arbitrary: fc.tuple(fc.constantFrom(...context.dictionary), fc.constantFrom(...ODD_CHARACTERS)).map(([text, odd]) => text + odd),
    },
  ];
  // Right at the limit and one past it: the edge a size check must hold.
  if (max !== null) choices.push({ weight: 1, arbitrary: fc.constantFrom('a'.repeat(max), 'a'.repeat(max + 1), ' '.repeat(max + 1)) });
  return fc.oneof(...choices);
}

function numberArbitrary(schema: z.ZodNumber, context: Context): fc.Arbitrary<unknown> {
  const low = Math.max(schema.minValue ?? -1e9, -Number.MAX_SAFE_INTEGER);
  const high = Math.min(schema.maxValue ?? 1e9, Number.MAX_SAFE_INTEGER);
  if (!schema.isInt) return fc.oneof(fc.double({ min: low, max: high, noNaN: true }), fc.constantFrom(low, high));
  const min = Math.ceil(low);
  const max = Math.floor(high);
  // Small ids and pages name rows that exist.
  const small = fc.integer({ min: Math.max(min, 1), max: Math.min(max, Math.max(min, 1) + 8) });
  if (context.mode === 'plausible') return small;
  return fc.oneof(
    { weight: 4, arbitrary: small },
    { weight: 2, arbitrary: fc.integer({ min, max }) },
    { weight: 1, arbitrary: fc.constantFrom(min, max, min - 1, max + 1) },
  );
}

function arrayArbitrary(schema: z.ZodArray, context: Context): fc.Arbitrary<unknown> {
  const element = arbitraryFor(schema.element, context);
  const { min, max } = lengthBounds(schema);
  const upper = Math.min(max ?? MAX_GENERATED_ITEMS, MAX_GENERATED_ITEMS);
  const within = fc.array(element, { minLength: Math.min(min, upper), maxLength: Math.max(upper, min) });
  if (context.mode === 'plausible' || max === null) return within;
  // One past the limit, of plausible elements: refused by the size check, not by an element.
  const plausibleElement = arbitraryFor(schema.element, { ...context, mode: 'plausible' });
  return fc.oneof({ weight: 6, arbitrary: within }, { weight: 1, arbitrary: fc.array(plausibleElement, { minLength: max + 1, maxLength: max + 1 }) });
}

/** An own property, even for `__proto__`, which plain assignment would treat as the prototype. */
function withOwnKeys(value: Record<string, unknown>, extra: [string, unknown][]): Record<string, unknown> {
  const copy = { ...value };
  for (const [key, item] of extra) Object.defineProperty(copy, key, { value: item, enumerable: true, writable: true, configurable: true });
  return copy;
}

function objectArbitrary(schema: z.ZodObject, context: Context): fc.Arbitrary<unknown> {
  const shape = schema.shape as Record<string, z.core.$ZodType>;
  const fields = Object.fromEntries(Object.entries(shape).map(([key, field]) => [key, arbitraryFor(field, context)]));
  const requiredKeys = Object.entries(shape)
    .filter(([, field]) => field._zod.optin !== 'optional')
    .map(([key]) => key);
  const plain = fc.record(fields, { requiredKeys });
  if (context.mode === 'plausible') return plain;
  // Keys the schema does not know, the prototype's among them: stripped, never merged.
  const extra = fc.array(fc.tuple(EXTRA_KEY, hostileValue()), { minLength: 1, maxLength: 3 });
  return fc.oneof(
    { weight: 5, arbitrary: plain },
    { weight: 1, arbitrary: fc.tuple(plain, extra).map(([value, keys]) => withOwnKeys(value as Record<string, unknown>, keys)) },
  );
}

function recordArbitrary(schema: z.ZodRecord, context: Context): fc.Arbitrary<unknown> {
  const plausibleKey = arbitraryFor(schema.keyType, context).filter((key): key is string => typeof key === 'string');
  const key = context.mode === 'plausible' ? plausibleKey : fc.oneof(plausibleKey, EXTRA_KEY);
  const entries = fc.array(fc.tuple(key, arbitraryFor(schema.valueType, context)), { maxLength: MAX_GENERATED_ITEMS });
  return entries.map((pairs) => withOwnKeys({}, pairs));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nodeArbitrary(schema: z.core.$ZodType, context: Context): fc.Arbitrary<unknown> {
  const inner = (of: z.core.$ZodType) => arbitraryFor(of, context);
  if (schema._zod.def.type === 'string') return stringArbitrary(schema, context);
  if (schema instanceof z.ZodNumber) return numberArbitrary(schema, context);
  if (schema instanceof z.ZodBoolean) return fc.boolean();
  if (schema instanceof z.ZodEnum) return fc.constantFrom(...(schema.options as (string | number)[]));
  if (schema instanceof z.ZodLiteral) return fc.constantFrom(...schema.values);
  if (schema instanceof z.ZodArray) return arrayArbitrary(schema, context);
  if (schema instanceof z.ZodObject) return objectArbitrary(schema, context);
  if (schema instanceof z.ZodRecord) return recordArbitrary(schema, context);
  if (schema instanceof z.ZodUnion) return fc.oneof(...(schema.options as z.core.$ZodType[]).map(inner));
  if (schema instanceof z.ZodOptional) return fc.option(inner(schema.unwrap()), { nil: undefined, freq: 4 });
  if (schema instanceof z.ZodNullable) return fc.option(inner(schema.unwrap()), { nil: null, freq: 4 });
  if (schema instanceof z.ZodDefault || schema instanceof z.ZodPrefault || schema instanceof z.ZodReadonly || schema instanceof z.ZodCatch) {
    return fc.option(inner(schema._zod.def.innerType), { nil: undefined, freq: 4 });
  }
  if (schema instanceof z.ZodPipe) {
    // A transform's output is not an input anyone sends: generate for what it reads.
    return fc.oneof(...[schema.in, schema.out].filter((side) => !(side instanceof z.ZodTransform)).map(inner));
  }
  if (schema instanceof z.ZodIntersection) {
    return fc
      .tuple(inner(schema._zod.def.left), inner(schema._zod.def.right))
      .map(([left, right]) => (isPlainObject(left) && isPlainObject(right) ? { ...left, ...right } : left));
  }
  if (schema instanceof z.ZodTuple) return fc.tuple(...schema._zod.def.items.map(inner));
  if (schema instanceof z.ZodLazy) return inner(schema._zod.def.getter());
  if (schema instanceof z.ZodNull) return fc.constant(null);
  if (schema instanceof z.ZodUndefined) return fc.constant(undefined);
  // A transform, refine-only custom schema or a kind added later: every value is fair.
  return fc.anything();
}

const built = new Map<string, WeakMap<z.core.$ZodType, fc.Arbitrary<unknown>>>();

/** Values for one schema node, memoised per dictionary and mode. */
function arbitraryFor(schema: z.core.$ZodType, context: Context): fc.Arbitrary<unknown> {
  const cacheKey = `${context.mode}\u0000${context.dictionary.join('\u0000')}`;
  let forContext = built.get(cacheKey);
  if (!forContext) built.set(cacheKey, (forContext = new WeakMap()));
  const known = forContext.get(schema);
  if (known) return known;
  // Built on first use, so a schema that refers to itself does not recurse here for ever.
  let node: fc.Arbitrary<unknown> | undefined;
  const lazy = fc.constant(null).chain(() => (node ??= nodeArbitrary(schema, context)));
  const arbitrary =
    context.mode === 'plausible' ? lazy : fc.oneof({ weight: NODE_WEIGHT, arbitrary: lazy }, { weight: HOSTILE_WEIGHT, arbitrary: hostileValue() });
  forContext.set(schema, arbitrary);
  return arbitrary;
}

/** Inputs for a procedure whose input is `schema`: plausible, mixed, or wholly hostile. */
export function inputFor(schema: z.core.$ZodType, options: ArbitraryOptions): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 5, arbitrary: arbitraryFor(schema, { ...options, mode: 'plausible' }) },
    { weight: 4, arbitrary: arbitraryFor(schema, { ...options, mode: 'mixed' }) },
    { weight: 1, arbitrary: hostileValue() },
  );
}
