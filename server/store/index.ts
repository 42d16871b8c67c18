/**
 * The data layer: `openStore` picks the engine from the configuration, and everything
 * else sees only the `Store` interface.
 */
import { openPostgresStore } from './postgres';
import { openSqliteStore } from './sqlite';
import type { Store } from './types';

export { tablesOf, type Db, type Engine, type Store } from './types';
export { constraintError } from './constraint-errors';

export type DatabaseConfig = { engine: 'sqlite'; path: string } | { engine: 'postgres'; url: string; poolSize?: number };

export async function openStore(config: DatabaseConfig): Promise<Store> {
  return config.engine === 'postgres' ? openPostgresStore(config) : openSqliteStore(config.path);
}
