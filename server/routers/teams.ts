/**
 * Teams: everyone signed in reads them; admins create, rename and delete them; a team's
 * managers (and admins) change its members. Thin: `authorize` decides per team, the
 * services in server/services/teams do the work.
 */
import {
  addTeamMemberInput,
  createTeamInput,
  deleteTeamInput,
  removeTeamMemberInput,
  setTeamMemberRoleInput,
  teamIdInput,
  teamMemberCandidatesInput,
  updateTeamInput,
} from '@/lib/schemas/team';
import { addTeamMember, removeTeamMember, setTeamMemberRole } from '@/server/services/teams/members';
import { createTeam, deleteTeam, updateTeam } from '@/server/services/teams/mutations';
import { getTeam, listMemberCandidates, listTeams } from '@/server/services/teams/queries';
import { permissionProcedure, resourceProcedure, router } from '@/server/trpc';

const byId = (input: { id: number }) => ({ type: 'team' as const, id: input.id });
const byTeamId = (input: { teamId: number }) => ({ type: 'team' as const, id: input.teamId });

export const teamsRouter = router({
  /** Every team, with its member count and managers. */
  list: permissionProcedure('team.read').query(({ ctx }) => listTeams(ctx.cp.store, ctx.principal)),

  /** One team's page: its members and the workspace roles it holds. */
  get: resourceProcedure('team.read', 'team', teamIdInput, byId).query(({ ctx, input }) => getTeam(ctx.cp.store, ctx.principal, input.id)),

  create: permissionProcedure('team.manage', { creates: 'team' })
    .input(createTeamInput)
    .mutation(({ ctx, input }) => createTeam(ctx.cp.store, ctx.actor, input)),

  /** Name and description. */
  update: resourceProcedure('team.manage', 'team', updateTeamInput, byId).mutation(({ ctx, input }) => updateTeam(ctx.cp.store, ctx.actor, input)),

  /** Needs the team's name typed; refused while the team is an ML repo's last admin. */
  delete: resourceProcedure('team.manage', 'team', deleteTeamInput, byId).mutation(({ ctx, input }) => deleteTeam(ctx.cp.store, ctx.actor, input)),

  /** Whom the add-member picker offers: active users not in the team (names and emails, at most 20). */
  memberCandidates: resourceProcedure('team.members.manage', 'team', teamMemberCandidatesInput, byTeamId).query(({ ctx, input }) =>
    listMemberCandidates(ctx.cp.store, input.teamId, input.search),
  ),

  addMember: resourceProcedure('team.members.manage', 'team', addTeamMemberInput, byTeamId).mutation(({ ctx, input }) =>
    addTeamMember(ctx.cp.store, ctx.actor, input),
  ),

  removeMember: resourceProcedure('team.members.manage', 'team', removeTeamMemberInput, byTeamId).mutation(({ ctx, input }) =>
    removeTeamMember(ctx.cp.store, ctx.actor, ctx.user, input),
  ),

  /** manager ↔ member. */
  setMemberRole: resourceProcedure('team.members.manage', 'team', setTeamMemberRoleInput, byTeamId).mutation(({ ctx, input }) =>
    setTeamMemberRole(ctx.cp.store, ctx.actor, ctx.user, input),
  ),
});
