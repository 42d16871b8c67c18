/**
 * What every driver shares: keys relative to the root, and the connection test (write,
 * read back, delete a probe object under the prefix), so each kind reports the same
 * steps in the same words.
 */
import { randomBytes } from 'node:crypto';
import type { ConnectionTestResult, ProbeStepResult } from '@/lib/storage';
import { StorageError } from './types';

/** `key` under the root's `prefix`; refuses keys that would climb out of it. */
export function keyUnderRoot(prefix: string, key: string): string {
  if (key.startsWith('/') || key.split('/').some((segment) => segment === '..' || segment === '.')) {
    throw new StorageError('That path is not under the storage root', 'invalid');
  }
  return prefix ? `${prefix}/${key}` : key;
}

/** A listing prefix under the root: '' lists the root itself; otherwise it ends in '/'. */
export function listingPrefix(prefix: string, folder: string): string {
  const relative = folder.replace(/^\/+/, '');
  const normalised = relative === '' || relative.endsWith('/') ? relative : `${relative}/`;
  if (normalised) keyUnderRoot(prefix, normalised.slice(0, -1));
  const root = prefix ? `${prefix}/` : '';
  return `${root}${normalised}`;
}

/** A full key back to one relative to the root. */
export function keyRelativeToRoot(prefix: string, fullKey: string): string {
  const root = prefix ? `${prefix}/` : '';
  return fullKey.startsWith(root) ? fullKey.slice(root.length) : fullKey;
}

export interface ProbeOperations {
  write(key: string, body: Buffer): Promise<void>;
  read(key: string): Promise<Buffer>;
  remove(key: string): Promise<void>;
}

function failure(error: unknown): string {
  return error instanceof StorageError ? error.message : 'The storage call failed for an unknown reason';
}

/** The probe's name under the root: hidden-looking, and unique so two tests never collide. */
export function probeKey(): string {
  return `.fleetdeck-probe-${randomBytes(8).toString('hex')}`;
}

/**
 * Writes, reads back and deletes a probe object; never throws. A step that cannot run
 * (read and delete after a failed write) is left out: the result lists what was tried.
 * After a successful write the delete always runs, so a failed read leaves nothing behind.
 */
export async function runConnectionTest(ops: ProbeOperations, now: () => Date = () => new Date()): Promise<ConnectionTestResult> {
  const key = probeKey();
  const body = Buffer.from(`Fleetdeck connection test ${now().toISOString()}\n`);
  const steps: ProbeStepResult[] = [];
  try {
    await ops.write(key, body);
    steps.push({ step: 'write', ok: true, message: `Wrote ${key}` });
  } catch (error) {
    steps.push({ step: 'write', ok: false, message: failure(error) });
    return { ok: false, steps, at: now().toISOString() };
  }
  try {
    const read = await ops.read(key);
    steps.push(
      read.equals(body)
        ? { step: 'read', ok: true, message: `Read ${key} back (${body.length} bytes)` }
        : { step: 'read', ok: false, message: 'The object read back differs from what was written' },
    );
  } catch (error) {
    steps.push({ step: 'read', ok: false, message: failure(error) });
  }
  try {
    await ops.remove(key);
    steps.push({ step: 'delete', ok: true, message: `Deleted ${key}` });
  } catch (error) {
    steps.push({ step: 'delete', ok: false, message: failure(error) });
  }
  return { ok: steps.every((s) => s.ok), steps, at: now().toISOString() };
}
