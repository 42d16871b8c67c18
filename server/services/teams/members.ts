/**
 * A team's members and their roles, changed by admins and the team's own managers
 * (`authorize` refuses a manager of another team before these run). A team keeps at
 * least one manager: only an admin may remove or demote the last one, since an admin can
 * still appoint a new one and a manager could not.
 */
import { and, count, eq, ne } from 'drizzle-orm';
import type { AddTeamMemberInput, RemoveTeamMemberInput, SetTeamMemberRoleInput } from '@/lib/schemas/team';
import type { TeamMemberRole } from '@/lib/teams';
import { roleHas } from '@/lib/permissions';
import type { UserPrincipal } from '@/server/access/principal';
import { ConflictError, InvalidError, NotFoundError, PreconditionError } from '@/server/errors';
import { tablesOf, type Db, type Store } from '@/server/store';
import { type Actor, recordAudit } from '@/server/services/audit';
import { findTeam } from './queries';

async function membershipOf(tx: Db, teamId: number, userId: number): Promise<{ role: TeamMemberRole; email: string } | null> {
  const { teamMembers, users } = tablesOf(tx);
  const [row] = await tx
    .select({ role: teamMembers.role, email: users.email })
    .from(teamMembers)
    .innerJoin(users, eq(users.id, teamMembers.userId))
    .where(and(eq(teamMembers.teamId, teamId), eq(teamMembers.userId, userId)))
    .limit(1);
  return row ?? null;
}

/** Refuses, for anyone but an admin, a change that leaves the team without a manager. */
async function assertAnotherManager(tx: Db, caller: UserPrincipal, team: { id: number; name: string }, userId: number): Promise<void> {
  if (roleHas(caller.role, 'team.manage')) return;
  const { teamMembers } = tablesOf(tx);
  const [others] = await tx
    .select({ n: count() })
    .from(teamMembers)
    .where(and(eq(teamMembers.teamId, team.id), eq(teamMembers.role, 'manager'), ne(teamMembers.userId, userId)));
  if (Number(others?.n ?? 0) === 0) {
    throw new PreconditionError(`Team ${team.name} needs at least one manager: make someone else a manager first, or ask an admin`);
  }
}

export async function addTeamMember(store: Store, actor: Actor, input: AddTeamMemberInput): Promise<{ ok: true }> {
  return store.transaction(async (tx) => {
    const { teamMembers, users } = tablesOf(tx);
    const team = await findTeam(tx, input.teamId);
    const [user] = await tx.select({ email: users.email, active: users.active }).from(users).where(eq(users.id, input.userId)).limit(1);
    if (!user || !user.active) throw InvalidError.onField('userId', 'That user does not exist or is deactivated');
    if (await membershipOf(tx, team.id, input.userId)) throw ConflictError.onField('userId', `${user.email} is already in team ${team.name}`);
    await tx.insert(teamMembers).values({ teamId: team.id, userId: input.userId, role: input.role });
    await recordAudit(tx, actor, {
      action: 'team.member.add',
      target: { type: 'team', id: team.id, label: team.name },
      before: null,
      after: { user: user.email, role: input.role },
    });
    return { ok: true as const };
  });
}

export async function removeTeamMember(store: Store, actor: Actor, caller: UserPrincipal, input: RemoveTeamMemberInput): Promise<{ ok: true }> {
  return store.transaction(async (tx) => {
    const { teamMembers } = tablesOf(tx);
    const team = await findTeam(tx, input.teamId);
    const held = await membershipOf(tx, team.id, input.userId);
    if (!held) throw new NotFoundError('That user is not in this team');
    if (held.role === 'manager') await assertAnotherManager(tx, caller, team, input.userId);
    await tx.delete(teamMembers).where(and(eq(teamMembers.teamId, team.id), eq(teamMembers.userId, input.userId)));
    await recordAudit(tx, actor, {
      action: 'team.member.remove',
      target: { type: 'team', id: team.id, label: team.name },
      before: { user: held.email, role: held.role },
      after: null,
    });
    return { ok: true as const };
  });
}

export async function setTeamMemberRole(store: Store, actor: Actor, caller: UserPrincipal, input: SetTeamMemberRoleInput): Promise<{ ok: true }> {
  return store.transaction(async (tx) => {
    const { teamMembers } = tablesOf(tx);
    const team = await findTeam(tx, input.teamId);
    const held = await membershipOf(tx, team.id, input.userId);
    if (!held) throw new NotFoundError('That user is not in this team');
    if (held.role === input.role) return { ok: true as const };
    if (held.role === 'manager') await assertAnotherManager(tx, caller, team, input.userId);
    await tx
      .update(teamMembers)
      .set({ role: input.role })
      .where(and(eq(teamMembers.teamId, team.id), eq(teamMembers.userId, input.userId)));
    await recordAudit(tx, actor, {
      action: 'team.member.role',
      target: { type: 'team', id: team.id, label: team.name },
      before: { user: held.email, role: held.role },
      after: { user: held.email, role: input.role },
    });
    return { ok: true as const };
  });
}
