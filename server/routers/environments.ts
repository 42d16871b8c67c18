import { deleteEnvironmentInput, environmentInput, updateEnvironmentInput } from '@/lib/schemas/environment';
import {
  createEnvironment,
  deleteEnvironment,
  listEnvironments,
  updateEnvironment,
} from '@/server/services/environments';
import { permissionProcedure, resourceProcedure, router } from '@/server/trpc';

export const environmentsRouter = router({
  list: permissionProcedure('environment.read').query(({ ctx }) => listEnvironments(ctx.cp.store, ctx.principal)),
  create: permissionProcedure('environment.manage', { creates: 'environment' })
    .input(environmentInput)
    .mutation(({ ctx, input }) => createEnvironment(ctx.cp.store, ctx.actor, input)),
  update: resourceProcedure('environment.manage', 'environment', updateEnvironmentInput, (input) => ({
    type: 'environment',
    id: input.id,
  })).mutation(({ ctx, input }) => updateEnvironment(ctx.cp.store, ctx.actor, input)),
  delete: resourceProcedure('environment.manage', 'environment', deleteEnvironmentInput, (input) => ({
    type: 'environment',
    id: input.id,
  })).mutation(async ({ ctx, input }) => {
    await deleteEnvironment(ctx.cp.store, ctx.actor, input.id, input.confirmName);
    return { ok: true as const };
  }),
});
