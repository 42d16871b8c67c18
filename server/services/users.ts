import { and, asc, count, eq, inArray, ne } from 'drizzle-orm';
import type { UserRow } from '@/db/schema';
import type { Role } from '@/lib/permissions';
import type { CreateUserInput } from '@/lib/schemas/auth';
import { visibleScope } from '@/server/access/authorize';
import type { Principal } from '@/server/access/principal';
import { hashPassword } from '@/server/auth/password';
import { revokeUserSessions } from '@/server/auth/session';
import { ConflictError, ForbiddenError, NotFoundError, PreconditionError } from '@/server/errors';
import { tablesOf, type Db, type Store } from '@/server/store';
import { type Actor, recordAudit } from '@/server/services/audit';

/** What may leave the server about a user: never the password hash. */
export function publicUser(u: UserRow) {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    role: u.role,
    active: u.active,
    lastSignInAt: u.lastSignInAt,
    createdAt: u.createdAt,
  };
}
export type PublicUser = ReturnType<typeof publicUser>;

function auditable(u: UserRow) {
  return { email: u.email, name: u.name, role: u.role, active: u.active };
}

/** The users `principal` may see, by email. */
export async function listUsers(store: Store, principal: Principal): Promise<PublicUser[]> {
  const { users } = store.tables;
  const scope = visibleScope(principal, 'user');
  if (scope.kind === 'some' && scope.ids.length === 0) return [];
  const rows = await store.db
    .select()
    .from(users)
    .where(scope.kind === 'some' ? inArray(users.id, [...scope.ids]) : undefined)
    .orderBy(asc(users.email));
  return rows.map(publicUser);
}

export async function createUser(store: Store, actor: Actor, input: CreateUserInput): Promise<PublicUser> {
  // Hashed before the transaction: scrypt takes a while, and the SQLite writer is one at a time.
  const passwordHash = await hashPassword(input.password);
  return store.transaction(async (tx) => {
    const { users } = tablesOf(tx);
    const [clash] = await tx.select({ id: users.id }).from(users).where(eq(users.email, input.email)).limit(1);
    if (clash) throw ConflictError.onField('email', `A user with email ${input.email} already exists`);
    const [user] = await tx
      .insert(users)
      .values({ email: input.email, name: input.name, role: input.role, passwordHash })
      .returning();
    if (!user) throw new Error('createUser: the insert returned no row');
    await recordAudit(tx, actor, {
      action: 'user.create',
      target: { type: 'user', id: user.id, label: user.email },
      after: auditable(user),
    });
    return publicUser(user);
  });
}

async function loadUser(tx: Db, id: number): Promise<UserRow> {
  const { users } = tablesOf(tx);
  const [user] = await tx.select().from(users).where(eq(users.id, id)).limit(1);
  if (!user) throw new NotFoundError('That user no longer exists');
  return user;
}

/** The tenant must keep at least one active admin, or nobody could administer it. */
async function assertAnotherActiveAdmin(tx: Db, exceptId: number): Promise<void> {
  const { users } = tablesOf(tx);
  const [others] = await tx
    .select({ n: count() })
    .from(users)
    .where(and(eq(users.role, 'admin'), eq(users.active, true), ne(users.id, exceptId)));
  if (!others || others.n === 0) {
    throw new PreconditionError('Fleetdeck needs at least one active admin; promote someone else first');
  }
}

async function updateUser(tx: Db, id: number, changes: Partial<Pick<UserRow, 'role' | 'active'>>): Promise<UserRow> {
  const { users } = tablesOf(tx);
  const [after] = await tx
    .update(users)
    .set({ ...changes, updatedAt: new Date() })
    .where(eq(users.id, id))
    .returning();
  if (!after) throw new NotFoundError('That user no longer exists');
  return after;
}

/** An admin cannot demote themselves: another admin must, so nobody locks themselves out by a slip. */
export async function setUserRole(store: Store, actor: Actor, id: number, role: Role): Promise<PublicUser> {
  return store.transaction(async (tx) => {
    const before = await loadUser(tx, id);
    if (before.role === role) return publicUser(before);
    if (actor.userId === id) throw new ForbiddenError('You cannot change your own role; ask another admin');
    if (before.role === 'admin') await assertAnotherActiveAdmin(tx, id);
    const after = await updateUser(tx, id, { role });
    await recordAudit(tx, actor, {
      action: 'user.set_role',
      target: { type: 'user', id, label: after.email },
      before: auditable(before),
      after: auditable(after),
    });
    return publicUser(after);
  });
}

/** Deactivation signs the user out everywhere; users are never deleted. */
export async function setUserActive(store: Store, actor: Actor, id: number, active: boolean): Promise<PublicUser> {
  return store.transaction(async (tx) => {
    const before = await loadUser(tx, id);
    if (before.active === active) return publicUser(before);
    if (!active && actor.userId === id) throw new ForbiddenError('You cannot deactivate yourself; ask another admin');
    if (!active && before.role === 'admin') await assertAnotherActiveAdmin(tx, id);
    const after = await updateUser(tx, id, { active });
    if (!active) await revokeUserSessions(tx, id);
    await recordAudit(tx, actor, {
      action: active ? 'user.activate' : 'user.deactivate',
      target: { type: 'user', id, label: after.email },
      before: auditable(before),
      after: auditable(after),
    });
    return publicUser(after);
  });
}
