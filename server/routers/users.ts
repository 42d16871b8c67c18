import { createUserInput, setUserActiveInput, setUserRoleInput } from '@/lib/schemas/auth';
import { createUser, listUsers, setUserActive, setUserRole } from '@/server/services/users';
import { permissionProcedure, router } from '@/server/trpc';

export const usersRouter = router({
  list: permissionProcedure('user.read').query(({ ctx }) => listUsers(ctx.db)),
  create: permissionProcedure('user.manage')
    .input(createUserInput)
    .mutation(({ ctx, input }) => createUser(ctx.db, ctx.actor, input)),
  setRole: permissionProcedure('user.manage')
    .input(setUserRoleInput)
    .mutation(({ ctx, input }) => setUserRole(ctx.db, ctx.actor, input.id, input.role)),
  setActive: permissionProcedure('user.manage')
    .input(setUserActiveInput)
    .mutation(({ ctx, input }) => setUserActive(ctx.db, ctx.actor, input.id, input.active)),
});
