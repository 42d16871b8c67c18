/**
 * What an entry point checks before it builds, migrates or sweeps anything (issue 9,
 * finding 1): the database is ours alone (instance lock) and the port is free. A second
 * `npm run demo` or `npm start` stops here with a clear message and has written nothing.
 */
import type { ControlPlaneConfig } from '@/server/config';
import { assertPortFree } from '@/server/http/server';
import { acquireInstanceLock, type InstanceLock } from '@/server/instance-lock';

export async function claimInstance(config: Pick<ControlPlaneConfig, 'database' | 'hostname' | 'port'>): Promise<InstanceLock> {
  const lock = await acquireInstanceLock(config.database);
  try {
    await assertPortFree(config.hostname, config.port);
  } catch (error) {
    await lock.release();
    throw error;
  }
  return lock;
}
