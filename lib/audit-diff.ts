/**
 * What an audit event changed, as lines a person reads: `field: old → new`, only the
 * fields whose value differs. Nested objects are walked into (`settings.region`), so a
 * one-field edit inside a large object is one line, not the whole object twice.
 */

export type AuditSnapshot = Record<string, unknown> | null | undefined;

export interface AuditFieldChange {
  /** Dotted path of the field, e.g. `region` or `labels.gpuType`. */
  field: string;
  kind: 'added' | 'removed' | 'changed';
  /** The value before, as text; absent when the field was added. */
  before?: string;
  /** The value after, as text; absent when the field was removed. */
  after?: string;
}

/** Nesting deeper than this is shown as one JSON value: audit snapshots are shallow, and this bounds the walk. */
const MAX_DEPTH = 3;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/** A value as text: strings as they are, lists comma-separated, empty as "—". */
export function formatAuditValue(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'string') return value === '' ? '""' : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) {
    if (value.length === 0) return '(none)';
    return value.every((item) => typeof item !== 'object' || item === null) ? value.map(formatAuditValue).join(', ') : JSON.stringify(value);
  }
  // A flat object (an addon map, label keys) reads as "key: value" pairs; deeper ones stay JSON.
  if (isPlainObject(value) && Object.values(value).every((item) => typeof item !== 'object' || item === null)) {
    const entries = Object.entries(value);
    return entries.length === 0 ? '(none)' : entries.map(([key, item]) => `${key}: ${formatAuditValue(item)}`).join(', ');
  }
  return JSON.stringify(value);
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function walk(before: AuditSnapshot, after: AuditSnapshot, prefix: string, depth: number, out: AuditFieldChange[]): void {
  const keys = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])];
  for (const key of keys) {
    const field = prefix ? `${prefix}.${key}` : key;
    const hadBefore = before != null && Object.hasOwn(before, key);
    const hasAfter = after != null && Object.hasOwn(after, key);
    const old = hadBefore ? before[key] : undefined;
    const now = hasAfter ? after[key] : undefined;
    if (hadBefore && hasAfter && same(old, now)) continue;
    if (hadBefore && hasAfter && isPlainObject(old) && isPlainObject(now) && depth < MAX_DEPTH) {
      walk(old, now, field, depth + 1, out);
      continue;
    }
    if (!hadBefore) out.push({ field, kind: 'added', after: formatAuditValue(now) });
    else if (!hasAfter) out.push({ field, kind: 'removed', before: formatAuditValue(old) });
    else out.push({ field, kind: 'changed', before: formatAuditValue(old), after: formatAuditValue(now) });
  }
}

/**
 * The changed fields between two snapshots, in the order they first appear. A create
 * (no `before`) lists every field as added; a delete (no `after`) lists every field as
 * removed; fields equal on both sides are left out.
 */
export function auditDiff(before: AuditSnapshot, after: AuditSnapshot): AuditFieldChange[] {
  const out: AuditFieldChange[] = [];
  walk(before ?? null, after ?? null, '', 0, out);
  return out;
}

/** Past this many characters a value is folded, with the rest one click away. */
export const FOLD_AT = 80;

/** The first `limit` characters of `text` and whether anything was left out. */
export function foldValue(text: string, limit = FOLD_AT): { shown: string; folded: boolean } {
  if (text.length <= limit) return { shown: text, folded: false };
  return { shown: `${text.slice(0, limit)}…`, folded: true };
}
