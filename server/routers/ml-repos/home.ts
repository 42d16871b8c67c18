/**
 * The team leads' home (`/` for a team manager): the repos they administer and the grants
 * on them expiring soon. Everyone may ask; the answer holds only the caller's own repos.
 */
import { teamLeadHome } from '@/server/services/ml-repos/home';
import { permissionProcedure, router } from '@/server/trpc';

export const homeRouter = router({
  teamLead: permissionProcedure('mlRepo.read').query(({ ctx }) => teamLeadHome(ctx.cp.store, ctx.user)),
});
