/**
 * Creating, renaming and deleting teams (admins). Each write is one transaction with
 * its audit row, and runs unchanged on SQLite and PostgreSQL.
 */
import { and, eq, inArray, ne } from 'drizzle-orm';
import type { TeamRow } from '@/db/schema';
import type { CreateTeamInput, DeleteTeamInput, UpdateTeamInput } from '@/lib/schemas/team';
import { workspaceFqn } from '@/lib/workspaces';
import { grantIsLive } from '@/server/access/effective-access';
import { ConflictError, InvalidError, PreconditionError } from '@/server/errors';
import { tablesOf, type Db, type Store } from '@/server/store';
import { type Actor, recordAudit } from '@/server/services/audit';
import { findTeam } from './queries';

function auditable(team: TeamRow) {
  return { name: team.name, description: team.description };
}

async function assertNameFree(tx: Db, name: string, exceptId?: number): Promise<void> {
  const { teams } = tablesOf(tx);
  const [clash] = await tx
    .select({ id: teams.id })
    .from(teams)
    .where(exceptId === undefined ? eq(teams.name, name) : and(eq(teams.name, name), ne(teams.id, exceptId)))
    .limit(1);
  if (clash) throw ConflictError.onField('name', `A team named "${name}" already exists`);
}

export async function createTeam(store: Store, actor: Actor, input: CreateTeamInput): Promise<{ id: number; name: string }> {
  return store.transaction(async (tx) => {
    const { teams } = tablesOf(tx);
    await assertNameFree(tx, input.name);
    const [team] = await tx.insert(teams).values({ name: input.name, description: input.description }).returning();
    if (!team) throw new Error('createTeam: the insert returned no row');
    await recordAudit(tx, actor, { action: 'team.create', target: { type: 'team', id: team.id, label: team.name }, after: auditable(team) });
    return { id: team.id, name: team.name };
  });
}

export async function updateTeam(store: Store, actor: Actor, input: UpdateTeamInput): Promise<{ id: number; name: string }> {
  return store.transaction(async (tx) => {
    const { teams } = tablesOf(tx);
    const before = await findTeam(tx, input.id);
    if (before.name === input.name && before.description === input.description) return { id: before.id, name: before.name };
    if (before.name !== input.name) await assertNameFree(tx, input.name, input.id);
    const [after] = await tx
      .update(teams)
      .set({ name: input.name, description: input.description, updatedAt: new Date() })
      .where(eq(teams.id, input.id))
      .returning();
    if (!after) throw new Error('updateTeam: the update returned no row');
    await recordAudit(tx, actor, {
      action: 'team.update',
      target: { type: 'team', id: after.id, label: after.name },
      before: auditable(before),
      after: auditable(after),
    });
    return { id: after.id, name: after.name };
  });
}

/**
 * The repos whose last live admin grant is this team's: deleting the team would leave
 * them with no admin but the tenant admins, so the deletion is refused until another
 * subject is made their admin. A grant to a deactivated user does not count.
 */
async function reposLosingTheirLastAdmin(tx: Db, teamId: number, now: Date): Promise<string[]> {
  const { mlRepoGrants, mlRepos, users } = tablesOf(tx);
  const teamAdminGrants = await tx
    .select({ repoId: mlRepoGrants.repoId, expiresAt: mlRepoGrants.expiresAt })
    .from(mlRepoGrants)
    .where(and(eq(mlRepoGrants.subjectKind, 'team'), eq(mlRepoGrants.teamId, teamId), eq(mlRepoGrants.role, 'admin')));
  const repoIds = teamAdminGrants.filter((grant) => grantIsLive(grant, now)).map((grant) => grant.repoId);
  if (repoIds.length === 0) return [];
  const adminGrants = await tx
    .select({ repoId: mlRepoGrants.repoId, teamId: mlRepoGrants.teamId, expiresAt: mlRepoGrants.expiresAt, subjectKind: mlRepoGrants.subjectKind, userActive: users.active })
    .from(mlRepoGrants)
    .leftJoin(users, eq(users.id, mlRepoGrants.userId))
    .where(and(inArray(mlRepoGrants.repoId, repoIds), eq(mlRepoGrants.role, 'admin')));
  const stillAdministered = new Set(
    adminGrants
      .filter((grant) => grant.teamId !== teamId && grantIsLive(grant, now) && (grant.subjectKind !== 'user' || grant.userActive === true))
      .map((grant) => grant.repoId),
  );
  const orphaned = repoIds.filter((id) => !stillAdministered.has(id));
  if (orphaned.length === 0) return [];
  const rows = await tx.select({ name: mlRepos.name }).from(mlRepos).where(inArray(mlRepos.id, orphaned));
  return rows.map((row) => row.name).sort();
}

/** What deleting a team takes with it, for the audit row. */
async function whatGoesWith(tx: Db, teamId: number) {
  const { clusters, mlRepoGrants, mlRepos, teamMembers, users, workspaceTeamRoles, workspaces } = tablesOf(tx);
  const [members, workspaceRoles, repoGrants] = await Promise.all([
    tx
      .select({ email: users.email, role: teamMembers.role })
      .from(teamMembers)
      .innerJoin(users, eq(users.id, teamMembers.userId))
      .where(eq(teamMembers.teamId, teamId)),
    tx
      .select({ clusterName: clusters.name, workspaceName: workspaces.name, role: workspaceTeamRoles.role })
      .from(workspaceTeamRoles)
      .innerJoin(workspaces, eq(workspaces.id, workspaceTeamRoles.workspaceId))
      .innerJoin(clusters, eq(clusters.id, workspaces.clusterId))
      .where(eq(workspaceTeamRoles.teamId, teamId)),
    tx
      .select({ repo: mlRepos.name, role: mlRepoGrants.role })
      .from(mlRepoGrants)
      .innerJoin(mlRepos, eq(mlRepos.id, mlRepoGrants.repoId))
      .where(and(eq(mlRepoGrants.subjectKind, 'team'), eq(mlRepoGrants.teamId, teamId))),
  ]);
  return {
    memberCount: members.length,
    members: members.map((m) => `${m.email} (${m.role})`).sort(),
    workspaceRoleCount: workspaceRoles.length,
    workspaceRoles: workspaceRoles.map((r) => `${workspaceFqn(r.clusterName, r.workspaceName)} (${r.role})`).sort(),
    repoGrantCount: repoGrants.length,
    repoGrants: repoGrants.map((g) => `${g.repo} (${g.role})`).sort(),
  };
}

/**
 * Deletes the team with its memberships, workspace roles and repo grants (the schema
 * cascades), after its name was typed; refused while it is some repo's last admin.
 */
export async function deleteTeam(store: Store, actor: Actor, input: DeleteTeamInput, now = new Date()): Promise<{ ok: true }> {
  return store.transaction(async (tx) => {
    const { teams } = tablesOf(tx);
    const team = await findTeam(tx, input.id);
    if (input.confirmName !== team.name) throw InvalidError.onField('confirmName', `Type ${team.name} exactly to delete this team`);
    const orphaned = await reposLosingTheirLastAdmin(tx, team.id, now);
    if (orphaned.length > 0) {
      const names = orphaned.slice(0, 5).join(', ') + (orphaned.length > 5 ? ` and ${orphaned.length - 5} more` : '');
      throw new PreconditionError(
        `Team ${team.name} is the last admin of ML repo${orphaned.length === 1 ? '' : 's'} ${names}: make another user or team admin there first`,
      );
    }
    const removed = await whatGoesWith(tx, team.id);
    await tx.delete(teams).where(eq(teams.id, team.id));
    await recordAudit(tx, actor, {
      action: 'team.delete',
      target: { type: 'team', id: team.id, label: team.name },
      before: { ...auditable(team), ...removed },
    });
    return { ok: true as const };
  });
}
