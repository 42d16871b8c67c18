/**
 * Values an attacker sends instead of what a form would: huge, deep, of the wrong type,
 * or built to trip a parser or an object's prototype. Built once; the fuzz suites in
 * this folder mix them into generated inputs at every level.
 */
import fc from 'fast-check';

/** Nested `depth` arrays deep, built without recursion. */
export function nestedArrays(depth: number, leaf: unknown = 1): unknown {
  let value: unknown = leaf;
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

/** Nested `depth` objects deep under `key`, built without recursion. */
export function nestedObjects(depth: number, key = 'a'): unknown {
  let value: unknown = {};
  for (let i = 0; i < depth; i++) value = { [key]: value };
  return value;
}

export const FIVE_MB = 'a'.repeat(5 * 1024 * 1024);
const HUNDRED_KB = 'x'.repeat(100 * 1024);
/** The probe's 40,000 environment ids, which once gave a 500. */
export const FORTY_THOUSAND_IDS = Array.from({ length: 40_000 }, (_, i) => i + 1);
const HUGE_STRINGS = Array.from({ length: 100_000 }, () => 'x');
const DEEP_ARRAYS = nestedArrays(10_000);
const DEEP_OBJECTS = nestedObjects(10_000);

/** Own `__proto__` and `constructor` keys, as JSON.parse makes them (assignment would not). */
const PROTOTYPE_KEYS: unknown = JSON.parse('{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"name":"x"}');

const HOSTILE_STRINGS = [
  '',
  ' ',
  '\u0000',
  '\uD800',
  'a\uDFFFb',
  '\uFEFF\u202Eevil',
  '%',
  '%E0%A4%A',
  '\\',
  '"',
  "'; drop table users; --",
  '${7*7}',
  '<script>alert(1)</script>',
  '../../etc/passwd',
  'NaN',
  'null',
  '__proto__',
  '１２３',
  'e\u0301',
  '🚀'.repeat(64),
  HUNDRED_KB,
  FIVE_MB,
];

const HOSTILE_NUMBERS = [NaN, -0, Infinity, -Infinity, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 2, 2 ** 31, 2 ** 31 - 1, -1, 0, 1.5, 1e308, -1e308, Number.MIN_VALUE];

const HOSTILE_STRUCTURES: unknown[] = [
  null,
  undefined,
  true,
  {},
  [],
  [null],
  PROTOTYPE_KEYS,
  FORTY_THOUSAND_IDS,
  HUGE_STRINGS,
  DEEP_ARRAYS,
  DEEP_OBJECTS,
  Object.create(null),
  new Date(NaN),
  new Map([['a', 1]]),
  new Set([1]),
  10n ** 30n,
  Symbol('hostile'),
];

/** One hostile value: a known-bad constant, or anything fast-check makes. */
export function hostileValue(): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
    { weight: 2, arbitrary: fc.constantFrom(...HOSTILE_NUMBERS) },
    { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_STRUCTURES) },
    { weight: 2, arbitrary: fc.anything({ maxDepth: 3, withBigInt: true, withDate: true, withNullPrototype: true, withMap: true, withSet: true, withTypedArray: true, withSparseArray: true }) },
  );
}
