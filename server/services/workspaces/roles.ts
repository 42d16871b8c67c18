/** Workspace resource roles: who may administer, edit or view one workspace, given to a user or to a whole team. */
import { and, asc, count, eq, notInArray } from 'drizzle-orm';
import type {
  GrantWorkspaceRoleInput,
  GrantWorkspaceTeamRoleInput,
  RevokeWorkspaceRoleInput,
  RevokeWorkspaceTeamRoleInput,
} from '@/lib/schemas/workspace';
import { workspaceFqn, type WorkspaceRole } from '@/lib/workspaces';
import { InvalidError, NotFoundError } from '@/server/errors';
import { tablesOf, type Db, type Store } from '@/server/store';
import { type Actor, recordAudit } from '@/server/services/audit';
import { afterWorkspaceCommit, findWorkspace, type WorkspaceServices } from './shared';

export interface WorkspaceRoleHolder {
  userId: number;
  email: string;
  name: string;
  role: WorkspaceRole;
  grantedAt: Date;
}

export async function listWorkspaceRoles(store: Store, workspaceId: number): Promise<WorkspaceRoleHolder[]> {
  const { users, workspaceRoles } = store.tables;
  await findWorkspace(store.db, workspaceId);
  return store.db
    .select({ userId: users.id, email: users.email, name: users.name, role: workspaceRoles.role, grantedAt: workspaceRoles.createdAt })
    .from(workspaceRoles)
    .innerJoin(users, eq(users.id, workspaceRoles.userId))
    .where(eq(workspaceRoles.workspaceId, workspaceId))
    .orderBy(asc(users.email));
}

/** How many people the grant form offers at most (active users, by email). */
export const MAX_ROLE_CANDIDATES = 500;

/**
 * The active users who hold no role on the workspace yet: whom the grant form offers. A
 * workspace admin who is not a tenant admin sees these names and emails, and no more.
 */
export async function listWorkspaceRoleCandidates(store: Store, workspaceId: number): Promise<{ id: number; email: string; name: string }[]> {
  const { users, workspaceRoles } = store.tables;
  await findWorkspace(store.db, workspaceId);
  const holders = store.db.select({ userId: workspaceRoles.userId }).from(workspaceRoles).where(eq(workspaceRoles.workspaceId, workspaceId));
  return store.db
    .select({ id: users.id, email: users.email, name: users.name })
    .from(users)
    .where(and(eq(users.active, true), notInArray(users.id, holders)))
    .orderBy(asc(users.email))
    .limit(MAX_ROLE_CANDIDATES);
}

async function fqnOf(tx: Db, workspaceId: number) {
  const { clusters } = tablesOf(tx);
  const workspace = await findWorkspace(tx, workspaceId);
  const [cluster] = await tx.select({ name: clusters.name }).from(clusters).where(eq(clusters.id, workspace.clusterId)).limit(1);
  return { workspace, fqn: workspaceFqn(cluster?.name ?? '?', workspace.name) };
}

/** Gives `userId` `role` on the workspace, replacing any role they held on it. */
export async function grantWorkspaceRole(cp: WorkspaceServices, actor: Actor, input: GrantWorkspaceRoleInput): Promise<void> {
  const clusterId = await cp.store.transaction(async (tx) => {
    const { users, workspaceRoles } = tablesOf(tx);
    const { workspace, fqn } = await fqnOf(tx, input.id);
    const [user] = await tx.select({ email: users.email, active: users.active }).from(users).where(eq(users.id, input.userId)).limit(1);
    if (!user || !user.active) throw InvalidError.onField('userId', 'That user does not exist or is deactivated');
    const [held] = await tx
      .select({ role: workspaceRoles.role })
      .from(workspaceRoles)
      .where(and(eq(workspaceRoles.workspaceId, input.id), eq(workspaceRoles.userId, input.userId)))
      .limit(1);
    if (held?.role === input.role) return workspace.clusterId;
    if (held) {
      await tx
        .update(workspaceRoles)
        .set({ role: input.role })
        .where(and(eq(workspaceRoles.workspaceId, input.id), eq(workspaceRoles.userId, input.userId)));
    } else {
      await tx.insert(workspaceRoles).values({ workspaceId: input.id, userId: input.userId, role: input.role });
    }
    await recordAudit(tx, actor, {
      action: 'workspace.grantRole',
      target: { type: 'workspace', id: input.id, label: fqn },
      before: held ? { user: user.email, role: held.role } : null,
      after: { user: user.email, role: input.role },
    });
    return workspace.clusterId;
  });
  afterWorkspaceCommit(cp, clusterId, [input.id]);
}

export async function revokeWorkspaceRole(cp: WorkspaceServices, actor: Actor, input: RevokeWorkspaceRoleInput): Promise<void> {
  const clusterId = await cp.store.transaction(async (tx) => {
    const { users, workspaceRoles } = tablesOf(tx);
    const { workspace, fqn } = await fqnOf(tx, input.id);
    const [held] = await tx
      .select({ role: workspaceRoles.role, email: users.email })
      .from(workspaceRoles)
      .innerJoin(users, eq(users.id, workspaceRoles.userId))
      .where(and(eq(workspaceRoles.workspaceId, input.id), eq(workspaceRoles.userId, input.userId)))
      .limit(1);
    if (!held) throw new NotFoundError('That user holds no role on this workspace');
    await tx.delete(workspaceRoles).where(and(eq(workspaceRoles.workspaceId, input.id), eq(workspaceRoles.userId, input.userId)));
    await recordAudit(tx, actor, {
      action: 'workspace.revokeRole',
      target: { type: 'workspace', id: input.id, label: fqn },
      before: { user: held.email, role: held.role },
    });
    return workspace.clusterId;
  });
  afterWorkspaceCommit(cp, clusterId, [input.id]);
}

// ── Roles held by teams ─────────────────────────────────────────────────────

export interface WorkspaceTeamRoleHolder {
  teamId: number;
  teamName: string;
  memberCount: number;
  role: WorkspaceRole;
  grantedAt: Date;
}

export async function listWorkspaceTeamRoles(store: Store, workspaceId: number): Promise<WorkspaceTeamRoleHolder[]> {
  const { teamMembers, teams, workspaceTeamRoles } = store.tables;
  await findWorkspace(store.db, workspaceId);
  const rows = await store.db
    .select({
      teamId: teams.id,
      teamName: teams.name,
      memberCount: count(teamMembers.userId),
      role: workspaceTeamRoles.role,
      grantedAt: workspaceTeamRoles.createdAt,
    })
    .from(workspaceTeamRoles)
    .innerJoin(teams, eq(teams.id, workspaceTeamRoles.teamId))
    .leftJoin(teamMembers, eq(teamMembers.teamId, teams.id))
    .where(eq(workspaceTeamRoles.workspaceId, workspaceId))
    .groupBy(teams.id, teams.name, workspaceTeamRoles.role, workspaceTeamRoles.createdAt)
    .orderBy(asc(teams.name));
  return rows.map((row) => ({ ...row, memberCount: Number(row.memberCount) }));
}

/** The teams that hold no role on the workspace yet (every signed-in user may read team names). */
export async function listWorkspaceTeamRoleCandidates(store: Store, workspaceId: number): Promise<{ id: number; name: string }[]> {
  const { teams, workspaceTeamRoles } = store.tables;
  await findWorkspace(store.db, workspaceId);
  const holders = store.db.select({ teamId: workspaceTeamRoles.teamId }).from(workspaceTeamRoles).where(eq(workspaceTeamRoles.workspaceId, workspaceId));
  return store.db
    .select({ id: teams.id, name: teams.name })
    .from(teams)
    .where(notInArray(teams.id, holders))
    .orderBy(asc(teams.name))
    .limit(MAX_ROLE_CANDIDATES);
}

/** Gives team `teamId` `role` on the workspace, replacing any role it held on it. */
export async function grantWorkspaceTeamRole(cp: WorkspaceServices, actor: Actor, input: GrantWorkspaceTeamRoleInput): Promise<void> {
  const clusterId = await cp.store.transaction(async (tx) => {
    const { teams, workspaceTeamRoles } = tablesOf(tx);
    const { workspace, fqn } = await fqnOf(tx, input.id);
    const [team] = await tx.select({ name: teams.name }).from(teams).where(eq(teams.id, input.teamId)).limit(1);
    if (!team) throw InvalidError.onField('teamId', 'That team does not exist');
    const held = and(eq(workspaceTeamRoles.workspaceId, input.id), eq(workspaceTeamRoles.teamId, input.teamId));
    const [before] = await tx.select({ role: workspaceTeamRoles.role }).from(workspaceTeamRoles).where(held).limit(1);
    if (before?.role === input.role) return workspace.clusterId;
    if (before) await tx.update(workspaceTeamRoles).set({ role: input.role }).where(held);
    else await tx.insert(workspaceTeamRoles).values({ workspaceId: input.id, teamId: input.teamId, role: input.role });
    await recordAudit(tx, actor, {
      action: 'workspace.grantRole',
      target: { type: 'workspace', id: input.id, label: fqn },
      before: before ? { team: team.name, role: before.role } : null,
      after: { team: team.name, role: input.role },
    });
    return workspace.clusterId;
  });
  afterWorkspaceCommit(cp, clusterId, [input.id]);
}

export async function revokeWorkspaceTeamRole(cp: WorkspaceServices, actor: Actor, input: RevokeWorkspaceTeamRoleInput): Promise<void> {
  const clusterId = await cp.store.transaction(async (tx) => {
    const { teams, workspaceTeamRoles } = tablesOf(tx);
    const { workspace, fqn } = await fqnOf(tx, input.id);
    const held = and(eq(workspaceTeamRoles.workspaceId, input.id), eq(workspaceTeamRoles.teamId, input.teamId));
    const [before] = await tx
      .select({ role: workspaceTeamRoles.role, name: teams.name })
      .from(workspaceTeamRoles)
      .innerJoin(teams, eq(teams.id, workspaceTeamRoles.teamId))
      .where(held)
      .limit(1);
    if (!before) throw new NotFoundError('That team holds no role on this workspace');
    await tx.delete(workspaceTeamRoles).where(held);
    await recordAudit(tx, actor, {
      action: 'workspace.revokeRole',
      target: { type: 'workspace', id: input.id, label: fqn },
      before: { team: before.name, role: before.role },
    });
    return workspace.clusterId;
  });
  afterWorkspaceCommit(cp, clusterId, [input.id]);
}
