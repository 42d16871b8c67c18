/**
 * Both engines must hold the same tables, columns, defaults, indexes, foreign keys and
 * audit triggers. This migrates a fresh SQLite file and a fresh PostgreSQL database with
 * the committed migrations, reads both back from their catalogues and compares them.
 * (db/schema/index.ts checks the declarations at compile time; this checks the
 * migrations, which are what production runs.) Runs in the postgres project.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { drizzle as sqliteDrizzle } from 'drizzle-orm/better-sqlite3';
import { migrate as migrateSqlite } from 'drizzle-orm/better-sqlite3/migrator';
import { drizzle as postgresDrizzle } from 'drizzle-orm/node-postgres';
import { migrate as migratePostgres } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '@/testing/postgres-server';
import { introspectPostgres, introspectSqlite, schemaDifferences, type SchemaShape } from '@/testing/schema-shape';

const MIGRATIONS = path.join(import.meta.dirname, 'migrations');

function migratedSqlite(): SchemaShape {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleetdeck-drift-'));
  const connection = new Database(path.join(dir, 'drift.db'));
  try {
    migrateSqlite(sqliteDrizzle(connection), { migrationsFolder: path.join(MIGRATIONS, 'sqlite') });
    return introspectSqlite(connection);
  } finally {
    connection.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function migratedPostgres(): Promise<SchemaShape> {
  const serverUrl = process.env.FLEETDECK_TEST_POSTGRES_URL;
  if (!serverUrl) throw new Error('The schema drift test runs in the postgres project: npx vitest run --project postgres db');
  const url = await createTestDatabase(serverUrl, `fd_drift_${process.pid}_${Date.now().toString(36)}`);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await migratePostgres(postgresDrizzle(client), { migrationsFolder: path.join(MIGRATIONS, 'postgres') });
    return await introspectPostgres(client);
  } finally {
    await client.end();
  }
}

let sqlite: SchemaShape;
let postgres: SchemaShape;

beforeAll(async () => {
  sqlite = migratedSqlite();
  postgres = await migratedPostgres();
});

describe('migrated schemas', () => {
  it('are the same on SQLite and PostgreSQL', () => {
    expect(schemaDifferences(sqlite, postgres)).toEqual([]);
  });

  it('were read in full (an empty introspection would agree with anything)', () => {
    expect(Object.keys(sqlite)).toContain('audit_events');
    const clusters = sqlite.clusters;
    expect(clusters?.columns.created_at).toEqual({ type: 'timestamp', notNull: true, default: 'now' });
    expect(clusters?.columns.addons).toEqual({ type: 'json', notNull: true, default: '{}' });
    expect(clusters?.columns.id).toEqual({ type: 'integer', notNull: true, default: 'autoincrement' });
    expect(clusters?.indexes.clusters_name_unique).toEqual({ unique: true, partial: false, columns: ['name'] });
    expect(sqlite.environments?.columns.is_production).toEqual({ type: 'boolean', notNull: true, default: 'false' });
    expect(sqlite.cluster_nodes?.primaryKey).toEqual(['cluster_id', 'name']);
    expect(sqlite.workspaces?.foreignKeys.cluster_id).toEqual({
      target: 'clusters',
      targetColumns: ['id'],
      onDelete: 'restrict',
      onUpdate: 'no action',
    });
    expect(sqlite.workspaces?.checks).toEqual(['workspaces_name_len']);
    expect(postgres.audit_events?.triggers).toEqual({
      audit_events_no_update: { timing: 'before', events: ['update'], level: 'row', raises: 'audit_events is append-only' },
      audit_events_no_delete: { timing: 'before', events: ['delete'], level: 'row', raises: 'audit_events is append-only' },
    });
  });
});

describe('the comparison', () => {
  /** A copy of the PostgreSQL shape with one thing changed. */
  function doctored(change: (shape: SchemaShape) => void): SchemaShape {
    const copy = structuredClone(postgres);
    change(copy);
    return copy;
  }

  it('reports a missing index', () => {
    const drifted = doctored((shape) => {
      if (shape.clusters) delete shape.clusters.indexes.clusters_status_idx;
    });
    expect(schemaDifferences(sqlite, drifted)).toEqual(['clusters.indexes.clusters_status_idx: only in sqlite']);
  });

  it('reports a different default, nullability and type', () => {
    const drifted = doctored((shape) => {
      const columns = shape.clusters?.columns;
      if (!columns?.status || !columns.node_count || !columns.last_seen_at) throw new Error('fixture changed');
      columns.status.default = '"connected"';
      columns.node_count.notNull = true;
      columns.last_seen_at.type = 'timestamptz(6)';
    });
    expect(schemaDifferences(sqlite, drifted)).toEqual([
      'clusters.columns.last_seen_at.type: sqlite "timestamp", postgres "timestamptz(6)"',
      'clusters.columns.node_count.notNull: sqlite false, postgres true',
      'clusters.columns.status.default: sqlite "\\"awaiting_agent\\"", postgres "\\"connected\\""',
    ]);
  });

  it('reports a foreign key whose delete rule differs, and a missing trigger', () => {
    const drifted = doctored((shape) => {
      const key = shape.workspaces?.foreignKeys.cluster_id;
      if (!key || !shape.audit_events) throw new Error('fixture changed');
      key.onDelete = 'cascade';
      delete shape.audit_events.triggers.audit_events_no_delete;
    });
    expect(schemaDifferences(sqlite, drifted)).toEqual([
      'audit_events.triggers.audit_events_no_delete: only in sqlite',
      'workspaces.foreignKeys.cluster_id.onDelete: sqlite "restrict", postgres "cascade"',
    ]);
  });

  it('reports a table only one engine has', () => {
    const drifted = doctored((shape) => {
      shape.api_tokens = { columns: {}, primaryKey: [], indexes: {}, foreignKeys: {}, checks: [], triggers: {} };
    });
    expect(schemaDifferences(sqlite, drifted)).toEqual(['api_tokens: only in postgres']);
  });
});
