/**
 * Team inputs, shared by the team forms and the teams router: one schema drives both
 * the browser's checks and the server's parse.
 */
import { z } from 'zod';
import { MAX_DISPLAY_NAME, recordId, withoutNul } from '@/lib/schemas/limits';
import { TEAM_MEMBER_ROLES } from '@/lib/teams';

export const MIN_TEAM_NAME = 2;
export const MAX_TEAM_NAME = 64;
export const MAX_TEAM_DESCRIPTION = 500;
/** The rule in words, for the form's hint. */
export const TEAM_NAME_RULE = `${MIN_TEAM_NAME}–${MAX_TEAM_NAME} characters: lower-case letters, digits and "-", starting with a letter, e.g. ml-research. Unique.`;

/** A team name is shown in grants and paths ("via team ml-research"): a short slug reads the same everywhere. */
export const teamName = z
  .string()
  .trim()
  .min(MIN_TEAM_NAME, `Team name must be at least ${MIN_TEAM_NAME} characters`)
  .max(MAX_TEAM_NAME, `Team name must be at most ${MAX_TEAM_NAME} characters`)
  .regex(/^[a-z]/, 'Team name must start with a lower-case letter')
  .regex(/^[a-z0-9-]*$/, 'Use only lower-case letters, digits and "-"');

export const teamDescription = withoutNul(
  z.string().trim().max(MAX_TEAM_DESCRIPTION, `Description must be at most ${MAX_TEAM_DESCRIPTION} characters`),
);

export const teamMemberRole = z.enum(TEAM_MEMBER_ROLES, 'Choose manager or member');

// ── Procedure inputs ────────────────────────────────────────────────────────

export const createTeamInput = z.object({ name: teamName, description: teamDescription.default('') });
export type CreateTeamFormValues = z.input<typeof createTeamInput>;
export type CreateTeamInput = z.output<typeof createTeamInput>;

export const updateTeamInput = createTeamInput.extend({ id: recordId });
export type UpdateTeamInput = z.output<typeof updateTeamInput>;

export const teamIdInput = z.object({ id: recordId });

/** Deleting a team asks for its name to be typed (the server checks it too). */
export const deleteTeamInput = teamIdInput.extend({
  confirmName: z.string().trim().max(MAX_TEAM_NAME, 'Type the team name exactly to confirm'),
});
export type DeleteTeamInput = z.infer<typeof deleteTeamInput>;

/** `teamId` is the team (the resource its managers act on). */
export const addTeamMemberInput = z.object({ teamId: recordId, userId: recordId, role: teamMemberRole.default('member') });
export type AddTeamMemberFormValues = z.input<typeof addTeamMemberInput>;
export type AddTeamMemberInput = z.output<typeof addTeamMemberInput>;

export const removeTeamMemberInput = z.object({ teamId: recordId, userId: recordId });
export type RemoveTeamMemberInput = z.infer<typeof removeTeamMemberInput>;

export const setTeamMemberRoleInput = z.object({ teamId: recordId, userId: recordId, role: teamMemberRole });
export type SetTeamMemberRoleInput = z.infer<typeof setTeamMemberRoleInput>;

/** How many people the add-member picker offers at once: type to narrow. */
export const MAX_MEMBER_CANDIDATES = 20;

export const teamMemberCandidatesInput = z.object({
  teamId: recordId,
  /** Substring of the name or email. */
  search: withoutNul(z.string().trim().max(MAX_DISPLAY_NAME, `Search must be at most ${MAX_DISPLAY_NAME} characters`)).default(''),
});
