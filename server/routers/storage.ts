/**
 * Settings → Storage. Members may list (names and locations, to pick one for a repo);
 * everything else is for admins. No procedure returns credentials: create, replace and
 * update answer with the integration's view (a hint stands for the credentials).
 */
import {
  createStorageIntegrationInput,
  replaceStorageCredentialsInput,
  storageIntegrationRef,
  updateStorageIntegrationInput,
} from '@/lib/schemas/storage';
import {
  createStorageIntegration,
  deleteStorageIntegration,
  listStorageIntegrations,
  replaceStorageCredentials,
  testStorageConnection,
  updateStorageIntegration,
} from '@/server/services/storage-integrations';
import { permissionProcedure, resourceProcedure, router } from '@/server/trpc';

const byId = (input: { id: number }) => ({ type: 'storageIntegration' as const, id: input.id });

export const storageRouter = router({
  list: permissionProcedure('storage.read').query(({ ctx }) => listStorageIntegrations(ctx.cp.store, ctx.principal)),
  create: permissionProcedure('storage.manage', { creates: 'storageIntegration' })
    .input(createStorageIntegrationInput)
    .mutation(({ ctx, input }) => createStorageIntegration(ctx.cp.store, ctx.cp.secrets, ctx.actor, input)),
  update: resourceProcedure('storage.manage', 'storageIntegration', updateStorageIntegrationInput, byId).mutation(({ ctx, input }) =>
    updateStorageIntegration(ctx.cp.store, ctx.actor, input),
  ),
  replaceCredentials: resourceProcedure('storage.manage', 'storageIntegration', replaceStorageCredentialsInput, byId).mutation(
    ({ ctx, input }) => replaceStorageCredentials(ctx.cp.store, ctx.cp.secrets, ctx.actor, input),
  ),
  delete: resourceProcedure('storage.manage', 'storageIntegration', storageIntegrationRef, byId).mutation(async ({ ctx, input }) => {
    await deleteStorageIntegration(ctx.cp.store, ctx.actor, input.id);
    return { ok: true as const };
  }),
  testConnection: resourceProcedure('storage.manage', 'storageIntegration', storageIntegrationRef, byId).mutation(({ ctx, input }) =>
    testStorageConnection(ctx.cp.store, ctx.cp.storage, input.id),
  ),
});
