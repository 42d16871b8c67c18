/**
 * What a migrated database really holds, read back from the engine's own catalogue and
 * reduced to one engine-neutral shape, so db/schema-drift.test.ts can compare the
 * SQLite and the PostgreSQL migrations.
 *
 * SQLite does not record a column's logical type (a boolean, an instant and an integer
 * are all `integer`; JSON is `text`), so on SQLite the logical type comes from how
 * db/schema/sqlite.ts reads the column, checked against the stored type affinity.
 */
import type Database from 'better-sqlite3';
import { is } from 'drizzle-orm';
import { getTableConfig, SQLiteTable } from 'drizzle-orm/sqlite-core';
import type pg from 'pg';
import * as sqliteTables from '@/db/schema/sqlite';

export interface ColumnShape {
  /** integer, text, boolean, timestamp (to the second), json; anything else as found. */
  type: string;
  notNull: boolean;
  /** Normalised: `now`, `autoincrement`, a JSON literal, or the raw text when unknown. */
  default: string | null;
}

export interface IndexShape {
  unique: boolean;
  partial: boolean;
  columns: string[];
}

export interface ForeignKeyShape {
  target: string;
  targetColumns: string[];
  onDelete: string;
  onUpdate: string;
}

export interface TriggerShape {
  timing: string;
  events: string[];
  /** `row` or `statement`. */
  level: string;
  /** The message the trigger refuses the statement with, if it does. */
  raises: string | null;
}

export interface TableShape {
  columns: Record<string, ColumnShape>;
  primaryKey: string[];
  indexes: Record<string, IndexShape>;
  /** Keyed by the referencing columns, e.g. `cluster_id` or `cluster_id,name`. */
  foreignKeys: Record<string, ForeignKeyShape>;
  checks: string[];
  triggers: Record<string, TriggerShape>;
}

export type SchemaShape = Record<string, TableShape>;

// ── Comparing ───────────────────────────────────────────────────────────────

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Every place two shapes disagree, one line each, e.g.
 * `clusters.indexes.clusters_status_idx: only in sqlite`. Empty when they are the same.
 */
export function schemaDifferences(left: SchemaShape, right: SchemaShape, names: [string, string] = ['sqlite', 'postgres']): string[] {
  const differences: string[] = [];
  const walk = (a: unknown, b: unknown, at: string) => {
    if (isRecord(a) && isRecord(b)) {
      for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
        const where = at ? `${at}.${key}` : key;
        if (!(key in b)) differences.push(`${where}: only in ${names[0]}`);
        else if (!(key in a)) differences.push(`${where}: only in ${names[1]}`);
        else walk(a[key], b[key], where);
      }
      return;
    }
    const [textA, textB] = [JSON.stringify(a), JSON.stringify(b)];
    if (textA !== textB) differences.push(`${at}: ${names[0]} ${textA}, ${names[1]} ${textB}`);
  };
  walk(left, right, '');
  return differences;
}

// ── Normalising ─────────────────────────────────────────────────────────────

/** A literal without PostgreSQL's cast and SQLite's parentheses, quotes undone. */
function literal(raw: string): string {
  let text = raw.trim();
  while (text.startsWith('(') && text.endsWith(')')) text = text.slice(1, -1).trim();
  text = text.replace(/::[a-z ]+(\[\])?$/i, '');
  if (text.startsWith("'") && text.endsWith("'")) return text.slice(1, -1).replaceAll("''", "'");
  return text;
}

function normaliseDefault(raw: string | null, type: string): string | null {
  if (raw === null) return null;
  const text = literal(raw);
  if (type === 'timestamp') {
    // SQLite's `unixepoch()` counts whole seconds, as PostgreSQL's truncated now() does.
    if (/^unixepoch\(\)$/i.test(text) || /^date_trunc\('second'(::text)?, *now\(\)\)$/i.test(text)) return 'now';
    return text;
  }
  if (type === 'boolean') {
    if (text === '1' || text.toLowerCase() === 'true') return 'true';
    if (text === '0' || text.toLowerCase() === 'false') return 'false';
    return text;
  }
  if (type === 'json') {
    try {
      return JSON.stringify(JSON.parse(text));
    } catch {
      return text;
    }
  }
  if (type === 'integer') return /^-?\d+$/.test(text) ? String(Number(text)) : text;
  return JSON.stringify(text);
}

function action(raw: string): string {
  return raw.toLowerCase().replaceAll('_', ' ');
}

function addForeignKey(table: TableShape, columns: string[], key: ForeignKeyShape): void {
  let name = columns.join();
  // Two keys on the same columns are kept apart rather than one hiding the other.
  while (name in table.foreignKeys) name += "'";
  table.foreignKeys[name] = key;
}

function emptyTable(): TableShape {
  return { columns: {}, primaryKey: [], indexes: {}, foreignKeys: {}, checks: [], triggers: {} };
}

// ── SQLite ──────────────────────────────────────────────────────────────────

/** How db/schema/sqlite.ts reads each column: table → column → logical type. */
function sqliteLogicalTypes(): Map<string, Map<string, string>> {
  const types = new Map<string, Map<string, string>>();
  for (const table of Object.values(sqliteTables)) {
    if (!is(table, SQLiteTable)) continue;
    const config = getTableConfig(table);
    const columns = new Map<string, string>();
    for (const column of config.columns) {
      const mode = 'mode' in column ? String(column.mode) : '';
      const logical: Record<string, string> = {
        SQLiteInteger: 'integer',
        SQLiteBoolean: 'boolean',
        SQLiteTimestamp: mode === 'timestamp' ? 'timestamp' : `timestamp (${mode})`,
        SQLiteText: 'text',
        SQLiteTextJson: 'json',
      };
      columns.set(column.name, logical[column.columnType] ?? column.columnType);
    }
    types.set(config.name, columns);
  }
  return types;
}

/** The storage SQLite gives a declared type (its "type affinity" rules, simplified). */
function affinity(declared: string): string {
  const type = declared.toUpperCase();
  if (type.includes('INT')) return 'integer';
  if (/CHAR|CLOB|TEXT/.test(type)) return 'text';
  return type.toLowerCase() || 'blob';
}

const STORED_AS: Record<string, string> = { integer: 'integer', boolean: 'integer', timestamp: 'integer', text: 'text', json: 'text' };

interface SqliteColumn {
  name: string;
  type: string;
  notnull: number;
  dflt_value: string | null;
  pk: number;
}

export function introspectSqlite(connection: Database.Database): SchemaShape {
  const logicalTypes = sqliteLogicalTypes();
  const shape: SchemaShape = {};
  const tables = connection
    .prepare(
      "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '__drizzle%' ORDER BY name",
    )
    .all() as { name: string; sql: string }[];

  for (const { name: tableName, sql: createSql } of tables) {
    const table = emptyTable();
    shape[tableName] = table;
    const columns = connection.prepare(`PRAGMA table_info("${tableName}")`).all() as SqliteColumn[];
    const autoincrement = /\bAUTOINCREMENT\b/i.test(createSql);
    for (const column of columns) {
      const declared = logicalTypes.get(tableName)?.get(column.name);
      const stored = affinity(column.type);
      const type = declared === undefined ? `undeclared ${stored}` : STORED_AS[declared] === stored ? declared : `${declared} stored as ${stored}`;
      const rowid = column.pk > 0 && autoincrement && stored === 'integer';
      table.columns[column.name] = {
        type,
        // An INTEGER PRIMARY KEY is never null even when not declared NOT NULL.
        notNull: column.notnull === 1 || column.pk > 0,
        default: rowid ? 'autoincrement' : normaliseDefault(column.dflt_value, type),
      };
    }
    table.primaryKey = columns
      .filter((column) => column.pk > 0)
      .sort((a, b) => a.pk - b.pk)
      .map((column) => column.name);

    const indexes = connection.prepare(`PRAGMA index_list("${tableName}")`).all() as {
      name: string;
      unique: number;
      origin: string;
      partial: number;
    }[];
    for (const index of indexes) {
      if (index.origin === 'pk') continue;
      const indexColumns = (connection.prepare(`PRAGMA index_info("${index.name}")`).all() as { seqno: number; name: string }[])
        .sort((a, b) => a.seqno - b.seqno)
        .map((column) => column.name);
      table.indexes[index.name] = { unique: index.unique === 1, partial: index.partial === 1, columns: indexColumns };
    }

    const keys = connection.prepare(`PRAGMA foreign_key_list("${tableName}")`).all() as {
      id: number;
      seq: number;
      table: string;
      from: string;
      to: string | null;
      on_update: string;
      on_delete: string;
    }[];
    const byId = new Map<number, typeof keys>();
    for (const key of keys) byId.set(key.id, [...(byId.get(key.id) ?? []), key]);
    for (const parts of byId.values()) {
      const ordered = parts.sort((a, b) => a.seq - b.seq);
      const first = ordered[0] as (typeof keys)[number];
      addForeignKey(
        table,
        ordered.map((part) => part.from),
        {
          target: first.table,
          targetColumns: ordered.map((part) => part.to ?? '(primary key)'),
          onDelete: action(first.on_delete),
          onUpdate: action(first.on_update),
        },
      );
    }
    table.checks = [...createSql.matchAll(/CONSTRAINT\s+["`]?(\w+)["`]?\s+CHECK\b/gi)].map((match) => match[1] ?? '').sort();
  }

  const triggers = connection.prepare("SELECT name, tbl_name AS tableName, sql FROM sqlite_master WHERE type = 'trigger'").all() as {
    name: string;
    tableName: string;
    sql: string;
  }[];
  for (const trigger of triggers) {
    const header = /CREATE\s+TRIGGER\s+(?:IF\s+NOT\s+EXISTS\s+)?\S+\s+(BEFORE|AFTER|INSTEAD\s+OF)?\s*(DELETE|INSERT|UPDATE)\b/i.exec(trigger.sql);
    const raises = /RAISE\s*\(\s*(?:ABORT|FAIL|ROLLBACK)\s*,\s*'((?:[^']|'')*)'\s*\)/i.exec(trigger.sql);
    (shape[trigger.tableName] ??= emptyTable()).triggers[trigger.name] = {
      timing: (header?.[1] ?? 'before').toLowerCase().replace(/\s+/g, ' '),
      events: [(header?.[2] ?? '?').toLowerCase()],
      // SQLite has only row-level triggers.
      level: 'row',
      raises: raises?.[1]?.replaceAll("''", "'") ?? null,
    };
  }
  return shape;
}

// ── PostgreSQL ──────────────────────────────────────────────────────────────

function postgresType(column: { udt_name: string; datetime_precision: number | null }): string {
  switch (column.udt_name) {
    case 'int2':
    case 'int4':
    case 'int8':
      return 'integer';
    case 'text':
      return 'text';
    case 'bool':
      return 'boolean';
    case 'jsonb':
      return 'json';
    case 'timestamptz':
      // SQLite keeps whole seconds; so must PostgreSQL.
      return column.datetime_precision === 0 ? 'timestamp' : `timestamptz(${column.datetime_precision})`;
    default:
      return column.udt_name;
  }
}

const POSTGRES_ACTIONS: Record<string, string> = { a: 'no action', r: 'restrict', c: 'cascade', n: 'set null', d: 'set default' };

/** Column names of `relation` at the positions of `keys`, in order. */
const COLUMN_NAMES = (keys: string, relation: string) => `
  ARRAY(SELECT a.attname::text FROM unnest(${keys}) WITH ORDINALITY AS k(attnum, position)
        JOIN pg_attribute a ON a.attrelid = ${relation} AND a.attnum = k.attnum ORDER BY k.position)`;

export async function introspectPostgres(client: pg.ClientBase, schema = 'public'): Promise<SchemaShape> {
  const shape: SchemaShape = {};
  const tables = await client.query<{ table_name: string }>(
    "SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE'",
    [schema],
  );
  for (const { table_name } of tables.rows) shape[table_name] = emptyTable();
  const tableOf = (name: string) => (shape[name] ??= emptyTable());

  const columns = await client.query<{
    table_name: string;
    column_name: string;
    is_nullable: string;
    column_default: string | null;
    is_identity: string;
    udt_name: string;
    datetime_precision: number | null;
  }>(
    `SELECT table_name, column_name, is_nullable, column_default, is_identity, udt_name, datetime_precision
     FROM information_schema.columns WHERE table_schema = $1`,
    [schema],
  );
  for (const column of columns.rows) {
    const type = postgresType(column);
    tableOf(column.table_name).columns[column.column_name] = {
      type,
      notNull: column.is_nullable === 'NO',
      default: column.is_identity === 'YES' ? 'autoincrement' : normaliseDefault(column.column_default, type),
    };
  }

  const indexes = await client.query<{ table: string; name: string; unique: boolean; primary: boolean; partial: boolean; columns: string[] }>(
    `SELECT t.relname AS table, i.relname AS name, x.indisunique AS unique, x.indisprimary AS primary,
            x.indpred IS NOT NULL AS partial, ${COLUMN_NAMES('x.indkey::int2[]', 't.oid')} AS columns
     FROM pg_index x
     JOIN pg_class i ON i.oid = x.indexrelid
     JOIN pg_class t ON t.oid = x.indrelid
     JOIN pg_namespace n ON n.oid = t.relnamespace
     WHERE n.nspname = $1`,
    [schema],
  );
  for (const index of indexes.rows) {
    if (index.primary) tableOf(index.table).primaryKey = index.columns;
    else tableOf(index.table).indexes[index.name] = { unique: index.unique, partial: index.partial, columns: index.columns };
  }

  const constraints = await client.query<{
    table: string;
    name: string;
    type: string;
    target: string | null;
    on_delete: string;
    on_update: string;
    columns: string[];
    target_columns: string[];
  }>(
    `SELECT t.relname AS table, c.conname AS name, c.contype AS type, target.relname AS target,
            c.confdeltype AS on_delete, c.confupdtype AS on_update,
            ${COLUMN_NAMES('c.conkey', 'c.conrelid')} AS columns,
            ${COLUMN_NAMES('c.confkey', 'c.confrelid')} AS target_columns
     FROM pg_constraint c
     JOIN pg_class t ON t.oid = c.conrelid
     JOIN pg_namespace n ON n.oid = t.relnamespace
     LEFT JOIN pg_class target ON target.oid = c.confrelid
     WHERE n.nspname = $1 AND c.contype IN ('f', 'c')`,
    [schema],
  );
  for (const constraint of constraints.rows) {
    const table = tableOf(constraint.table);
    if (constraint.type === 'c') {
      table.checks.push(constraint.name);
      continue;
    }
    addForeignKey(table, constraint.columns, {
      target: constraint.target ?? '?',
      targetColumns: constraint.target_columns,
      onDelete: POSTGRES_ACTIONS[constraint.on_delete] ?? constraint.on_delete,
      onUpdate: POSTGRES_ACTIONS[constraint.on_update] ?? constraint.on_update,
    });
  }
  for (const table of Object.values(shape)) table.checks.sort();

  const triggers = await client.query<{ table: string; name: string; type: number; source: string }>(
    `SELECT c.relname AS table, t.tgname AS name, t.tgtype AS type, p.prosrc AS source
     FROM pg_trigger t
     JOIN pg_class c ON c.oid = t.tgrelid
     JOIN pg_namespace n ON n.oid = c.relnamespace
     JOIN pg_proc p ON p.oid = t.tgfoid
     WHERE n.nspname = $1 AND NOT t.tgisinternal`,
    [schema],
  );
  for (const trigger of triggers.rows) {
    // pg_trigger.tgtype bits: 1 row, 2 before, 4 insert, 8 delete, 16 update, 32 truncate, 64 instead of.
    const bits = trigger.type;
    const events = (
      [
        [4, 'insert'],
        [8, 'delete'],
        [16, 'update'],
        [32, 'truncate'],
      ] as const
    )
      .filter(([bit]) => bits & bit)
      .map(([, event]) => event);
    const raises = /RAISE\s+EXCEPTION\s+'((?:[^']|'')*)'/i.exec(trigger.source);
    tableOf(trigger.table).triggers[trigger.name] = {
      timing: bits & 64 ? 'instead of' : bits & 2 ? 'before' : 'after',
      events: events.sort(),
      level: bits & 1 ? 'row' : 'statement',
      raises: raises?.[1]?.replaceAll("''", "'") ?? null,
    };
  }
  return shape;
}
