/**
 * Team vocabulary shared by the store, the server and the browser. A team's `manager`
 * is what the product calls a team lead: they change their own team's members; admins
 * create and delete teams.
 */
export const TEAM_MEMBER_ROLES = ['manager', 'member'] as const;
export type TeamMemberRole = (typeof TEAM_MEMBER_ROLES)[number];
