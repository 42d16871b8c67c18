import { and, asc, count, eq, ne } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { users } from '@/db/schema';
import type { Role } from '@/lib/permissions';
import type { CreateUserInput } from '@/lib/schemas/auth';
import { hashPassword } from '@/server/auth/password';
import { revokeUserSessions } from '@/server/auth/session';
import { ConflictError, NotFoundError, PreconditionError } from '@/server/errors';
import { type Actor, recordAudit, type Tx } from '@/server/services/audit';

type UserRow = typeof users.$inferSelect;

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

export function listUsers(db: Db): PublicUser[] {
  return db.select().from(users).orderBy(asc(users.email)).all().map(publicUser);
}

export async function createUser(db: Db, actor: Actor, input: CreateUserInput): Promise<PublicUser> {
  // Hash before the transaction: better-sqlite3 transactions are synchronous.
  const passwordHash = await hashPassword(input.password);
  return db.transaction((tx) => {
    const clash = tx.select({ id: users.id }).from(users).where(eq(users.email, input.email)).get();
    if (clash) throw ConflictError.onField('email', `A user with email ${input.email} already exists`);
    const user = tx
      .insert(users)
      .values({ email: input.email, name: input.name, role: input.role, passwordHash })
      .returning()
      .get();
    recordAudit(tx, actor, {
      action: 'user.create',
      target: { type: 'user', id: user.id, label: user.email },
      after: auditable(user),
    });
    return publicUser(user);
  });
}

function loadUser(tx: Tx, id: number): UserRow {
  const user = tx.select().from(users).where(eq(users.id, id)).get();
  if (!user) throw new NotFoundError('That user no longer exists');
  return user;
}

/** The tenant must keep at least one active admin, or nobody could administer it. */
function assertAnotherActiveAdmin(tx: Tx, exceptId: number): void {
  const others = tx
    .select({ n: count() })
    .from(users)
    .where(and(eq(users.role, 'admin'), eq(users.active, true), ne(users.id, exceptId)))
    .get();
  if (!others || others.n === 0) {
    throw new PreconditionError('Fleetdeck needs at least one active admin; promote someone else first');
  }
}

export function setUserRole(db: Db, actor: Actor, id: number, role: Role): PublicUser {
  return db.transaction((tx) => {
    const before = loadUser(tx, id);
    if (before.role === role) return publicUser(before);
    if (before.role === 'admin') assertAnotherActiveAdmin(tx, id);
    const after = tx.update(users).set({ role, updatedAt: new Date() }).where(eq(users.id, id)).returning().get();
    recordAudit(tx, actor, {
      action: 'user.set_role',
      target: { type: 'user', id, label: after.email },
      before: auditable(before),
      after: auditable(after),
    });
    return publicUser(after);
  });
}

/** Deactivation signs the user out everywhere; users are never deleted. */
export function setUserActive(db: Db, actor: Actor, id: number, active: boolean): PublicUser {
  return db.transaction((tx) => {
    const before = loadUser(tx, id);
    if (before.active === active) return publicUser(before);
    if (!active && actor.userId === id) throw new PreconditionError('You cannot deactivate yourself');
    if (!active && before.role === 'admin') assertAnotherActiveAdmin(tx, id);
    const after = tx.update(users).set({ active, updatedAt: new Date() }).where(eq(users.id, id)).returning().get();
    if (!active) revokeUserSessions(tx, id);
    recordAudit(tx, actor, {
      action: active ? 'user.activate' : 'user.deactivate',
      target: { type: 'user', id, label: after.email },
      before: auditable(before),
      after: auditable(after),
    });
    return publicUser(after);
  });
}
