import { createUserInput, setUserActiveInput, setUserRoleInput } from '@/lib/schemas/auth';
import { userProfileInput } from '@/lib/schemas/user-profile';
import { getUserProfile } from '@/server/services/user-profile';
import { createUser, listUsers, setUserActive, setUserRole } from '@/server/services/users';
import { permissionProcedure, resourceProcedure, router } from '@/server/trpc';

export const usersRouter = router({
  list: permissionProcedure('user.read').query(({ ctx }) => listUsers(ctx.cp.store, ctx.principal)),
  /** A user's page: admins open anyone's, a member only their own (authorize's rule on `user`). */
  profile: resourceProcedure('user.profile.read', 'user', userProfileInput, (input) => ({ type: 'user', id: input.id })).query(({ ctx, input }) =>
    getUserProfile(ctx.cp.store, input.id),
  ),
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
