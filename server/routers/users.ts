import { createUserInput, setUserActiveInput, setUserRoleInput } from '@/lib/schemas/auth';
import { createUser, listUsers, setUserActive, setUserRole } from '@/server/services/users';
import { permissionProcedure, resourceProcedure, router } from '@/server/trpc';

export const usersRouter = router({
  list: permissionProcedure('user.read').query(({ ctx }) => listUsers(ctx.cp.store, ctx.principal)),
  create: permissionProcedure('user.manage', { creates: 'user' })
    .input(createUserInput)
    .mutation(({ ctx, input }) => createUser(ctx.cp.store, ctx.actor, input)),
  setRole: resourceProcedure('user.manage', 'user', setUserRoleInput, (input) => ({ type: 'user', id: input.id })).mutation(
    ({ ctx, input }) => setUserRole(ctx.cp.store, ctx.actor, input.id, input.role),
  ),
  setActive: resourceProcedure('user.manage', 'user', setUserActiveInput, (input) => ({ type: 'user', id: input.id })).mutation(
    ({ ctx, input }) => setUserActive(ctx.cp.store, ctx.actor, input.id, input.active),
  ),
});
