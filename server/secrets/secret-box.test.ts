import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '@/server/config';
import { createSecretBox, decodeSecretKey, generateSecretKey, SecretBoxError } from './secret-box';
import { resolveSecretKey, SECRET_KEY_FILE } from './secret-key';

const URL = 'https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXXXXXXXXXX';
const PURPOSE = 'notification-channel.url';

describe('secret box', () => {
  const box = createSecretBox(generateSecretKey());

  it('when a URL is sealed, then the stored value is versioned, holds no part of it, and opens back to it', () => {
    const sealed = box.seal(URL, PURPOSE);
    expect(sealed.startsWith('v1:')).toBe(true);
    expect(sealed).not.toContain('hooks.slack.com');
    expect(sealed).not.toContain('XXXXXXXX');
    expect(box.open(sealed, PURPOSE)).toBe(URL);
  });

  it('when the same URL is sealed twice, then the two values differ (a random nonce each)', () => {
    expect(box.seal(URL, PURPOSE)).not.toBe(box.seal(URL, PURPOSE));
  });

  it('when any byte of a sealed value is changed, then it does not open', () => {
    const sealed = box.seal(URL, PURPOSE);
    const raw = Buffer.from(sealed.slice(3), 'base64url');
    for (const at of [0, 12, raw.length - 1]) {
      const altered = Buffer.from(raw);
      altered[at] = (altered[at] ?? 0) ^ 0x01;
      expect(() => box.open(`v1:${altered.toString('base64url')}`, PURPOSE)).toThrow(SecretBoxError);
    }
    expect(() => box.open('v2:' + sealed.slice(3), PURPOSE)).toThrow(SecretBoxError);
    expect(() => box.open('v1:', PURPOSE)).toThrow(SecretBoxError);
  });

  it('when opened with another key, then it fails without revealing anything', () => {
    const sealed = box.seal(URL, PURPOSE);
    const other = createSecretBox(generateSecretKey());
    let message = '';
    try {
      other.open(sealed, PURPOSE);
    } catch (error) {
      expect(error).toBeInstanceOf(SecretBoxError);
      message = (error as Error).message;
    }
    expect(message).toMatch(/could not be opened/);
    expect(message).not.toContain('hooks');
  });

  it('reads keys only as 32 bytes of base64', () => {
    const key = generateSecretKey();
    expect(decodeSecretKey(key.toString('base64'))?.equals(key)).toBe(true);
    expect(decodeSecretKey(`  ${key.toString('base64')}\n`)?.equals(key)).toBe(true);
    expect(decodeSecretKey(generateSecretKey().subarray(0, 16).toString('base64'))).toBeNull();
    expect(decodeSecretKey('not a key')).toBeNull();
  });
});

describe('secret key at start', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });
  const tempDir = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleetdeck-key-'));
    dirs.push(dir);
    return dir;
  };

  it('when FLEETDECK_SECRET_KEY is set, then it is the key and no file is written', () => {
    const dir = tempDir();
    const key = generateSecretKey();
    const config = loadConfig({ DATABASE_PATH: path.join(dir, 'f.db'), FLEETDECK_SECRET_KEY: key.toString('base64') });
    expect(resolveSecretKey(config).key.equals(key)).toBe(true);
    expect(fs.existsSync(path.join(dir, SECRET_KEY_FILE))).toBe(false);
  });

  it('when FLEETDECK_SECRET_KEY is not a key, then the configuration is refused naming the variable', () => {
    expect(() => loadConfig({ FLEETDECK_SECRET_KEY: 'short' })).toThrow(/FLEETDECK_SECRET_KEY must be 32 random bytes in base64/);
  });

  it('when SQLite starts without a key, then a 0600 key file is made beside the database and reused on the next start', () => {
    const dir = tempDir();
    const config = loadConfig({ DATABASE_PATH: path.join(dir, 'data', 'f.db') });
    const first = resolveSecretKey(config);
    const file = path.join(dir, 'data', SECRET_KEY_FILE);
    expect(first.source).toEqual({ file, created: true });
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const second = resolveSecretKey(config);
    expect(second.source).toEqual({ file, created: false });
    expect(second.key.equals(first.key)).toBe(true);
  });

  it('when the key file is readable by others or damaged, then start says so', () => {
    const dir = tempDir();
    const config = loadConfig({ DATABASE_PATH: path.join(dir, 'f.db') });
    resolveSecretKey(config);
    const file = path.join(dir, SECRET_KEY_FILE);
    fs.chmodSync(file, 0o644);
    expect(resolveSecretKey(config).warning).toMatch(/chmod 600/);
    fs.writeFileSync(file, 'garbage');
    expect(() => resolveSecretKey(config)).toThrow(ConfigError);
  });

  it('when PostgreSQL starts without FLEETDECK_SECRET_KEY, then it refuses with what to do', () => {
    // Refused while reading the configuration, before anything is built or opened…
    expect(() => loadConfig({ DATABASE_URL: 'postgres://fleetdeck@db.internal/fleetdeck' })).toThrow(
      /FLEETDECK_SECRET_KEY must be set when DATABASE_URL is[\s\S]*openssl rand -base64 32/,
    );
    // …and by the key's resolver for callers that build a configuration by hand.
    const config = { database: { engine: 'postgres', url: 'postgres://fleetdeck@db.internal/fleetdeck', poolSize: 10 }, secretKey: undefined } as const;
    expect(() => resolveSecretKey(config)).toThrow(ConfigError);
    expect(() => resolveSecretKey(config)).toThrow(/FLEETDECK_SECRET_KEY must be set when DATABASE_URL is[\s\S]*openssl rand -base64 32/);
  });
});
