import {
  environmentIdInput,
  environmentInput,
  updateEnvironmentInput,
} from '@/lib/schemas/environment';
import {
  createEnvironment,
  deleteEnvironment,
  listEnvironments,
  updateEnvironment,
} from '@/server/services/environments';
import { permissionProcedure, router } from '@/server/trpc';

export const environmentsRouter = router({
  list: permissionProcedure('environment.read').query(({ ctx }) => listEnvironments(ctx.db)),
  create: permissionProcedure('environment.manage')
    .input(environmentInput)
    .mutation(({ ctx, input }) => createEnvironment(ctx.db, ctx.actor, input)),
  update: permissionProcedure('environment.manage')
    .input(updateEnvironmentInput)
    .mutation(({ ctx, input }) => updateEnvironment(ctx.db, ctx.actor, input)),
  delete: permissionProcedure('environment.manage')
    .input(environmentIdInput)
    .mutation(({ ctx, input }) => {
      deleteEnvironment(ctx.db, ctx.actor, input.id);
      return { ok: true as const };
    }),
});
