/**
 * Where the control plane's secret key comes from, decided once at the composition root
 * (never in a service): `FLEETDECK_SECRET_KEY` when set; otherwise, on the embedded
 * SQLite file, a key file beside the database, created with mode 0600 on first start so
 * the key travels with the data it opens. On PostgreSQL there is no file to sit beside
 * (and several replicas must share the key), so the variable is required.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, type ControlPlaneConfig } from '@/server/config';
import type { Logger } from '@/server/logger';
import { decodeSecretKey, generateSecretKey } from './secret-box';

export const SECRET_KEY_FILE = 'fleetdeck-secret.key';

export interface ResolvedSecretKey {
  key: Buffer;
  /** `env`, or the key file's path. */
  source: 'env' | { file: string; created: boolean };
  /** Something the operator should fix (a key file others can read). */
  warning?: string;
}

/** The key for `createSecretBox`, saying in the log when a key file was made or is too open. */
export function loadSecretKey(config: Pick<ControlPlaneConfig, 'secretKey' | 'database'>, log: Logger): Buffer {
  const resolved = resolveSecretKey(config);
  if (typeof resolved.source === 'object' && resolved.source.created) {
    log.info('secret key created: back it up with the database', { file: resolved.source.file });
  }
  if (resolved.warning) log.warn(resolved.warning);
  return resolved.key;
}

export function resolveSecretKey(config: Pick<ControlPlaneConfig, 'secretKey' | 'database'>): ResolvedSecretKey {
  if (config.secretKey) return { key: config.secretKey, source: 'env' };
  if (config.database.engine === 'postgres') {
    throw new ConfigError(
      'FLEETDECK_SECRET_KEY must be set when DATABASE_URL is: it seals notification channel URLs, and every replica needs the same one.\n' +
        '    Generate one with `openssl rand -base64 32` and keep it with your database credentials.',
    );
  }
  return keyFileBeside(config.database.path);
}

function keyFileBeside(databasePath: string): ResolvedSecretKey {
  const dir = path.dirname(path.resolve(databasePath));
  const file = path.join(dir, SECRET_KEY_FILE);
  fs.mkdirSync(dir, { recursive: true });
  let created = false;
  try {
    // `wx`: two processes starting at once cannot both write a key; the loser reads the winner's.
    fs.writeFileSync(file, `${generateSecretKey().toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    created = true;
  } catch (error) {
    if (!(error instanceof Error && 'code' in error && error.code === 'EEXIST')) throw error;
  }
  const key = decodeSecretKey(fs.readFileSync(file, 'utf8'));
  if (!key) {
    throw new ConfigError(`${file} does not hold a secret key (32 bytes in base64). Restore it from a backup, or set FLEETDECK_SECRET_KEY.`);
  }
  const mode = fs.statSync(file).mode & 0o777;
  const warning = mode & 0o077 ? `${file} can be read by other users (mode ${mode.toString(8)}); run chmod 600 on it` : undefined;
  return { key, source: { file, created }, warning };
}
