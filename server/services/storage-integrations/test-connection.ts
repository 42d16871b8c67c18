/**
 * "Test connection": the driver writes, reads back and deletes a probe object under the
 * root, and the result is stored as the integration's last test. The storage is talked
 * to outside any transaction (it takes seconds); the result is stored only if the
 * credentials are still the ones tested, so a test racing a replacement never labels
 * the new credentials with the old ones' outcome.
 */
import { and, eq } from 'drizzle-orm';
import type { ConnectionTestResult } from '@/lib/storage';
import { NotFoundError } from '@/server/errors';
import type { StorageConnector } from '@/server/storage';
import { StorageError } from '@/server/storage/types';
import { type Store, tablesOf } from '@/server/store';
import { loadStorageIntegrationRow } from './integrations';

export async function testStorageConnection(
  store: Store,
  storage: StorageConnector,
  id: number,
  now: () => Date = () => new Date(),
): Promise<ConnectionTestResult> {
  const row = await loadStorageIntegrationRow(store, id);
  let result: ConnectionTestResult;
  try {
    result = await storage.driverFor(row).testConnection();
  } catch (error) {
    // The driver could not be built (credentials unusable): the write step never ran.
    const message = error instanceof StorageError ? error.message : 'The storage client could not be set up';
    result = { ok: false, steps: [{ step: 'write', ok: false, message }], at: now().toISOString() };
  }
  const stored = await store.transaction(async (tx) => {
    const { storageIntegrations } = tablesOf(tx);
    return tx
      .update(storageIntegrations)
      .set({ lastTest: result })
      .where(and(eq(storageIntegrations.id, id), eq(storageIntegrations.credentialsSealed, row.credentialsSealed)))
      .returning({ id: storageIntegrations.id });
  });
  if (stored.length === 0) {
    // Deleted meanwhile: say so. Credentials replaced meanwhile: the result still answers the question asked.
    const { storageIntegrations } = store.tables;
    const [still] = await store.db.select({ id: storageIntegrations.id }).from(storageIntegrations).where(eq(storageIntegrations.id, id)).limit(1);
    if (!still) throw new NotFoundError('That storage integration was deleted during the test');
  }
  return result;
}
