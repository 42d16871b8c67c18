/**
 * Router tests call procedures through `createCaller` on a fresh, migrated, private
 * SQLite database, as a given user. Nothing is mocked below the router.
 */
import { openDatabase, type Db } from '@/db/client';
import { users } from '@/db/schema';
import type { Role } from '@/lib/permissions';
import type { SessionUser } from '@/server/auth/session';
import { appRouter } from '@/server/root';
import { createCallerFactory, type Context } from '@/server/trpc';

const createCaller = createCallerFactory(appRouter);

export function freshDb(): Db {
  return openDatabase(':memory:');
}

/** Inserts a user directly (password hashing is not what these tests are about). */
export function insertUser(db: Db, role: Role, email = `${role}-${Math.random().toString(36).slice(2, 8)}@example.com`): SessionUser {
  const row = db
    .insert(users)
    .values({ email, name: role === 'admin' ? 'Ada Admin' : 'Max Member', role, passwordHash: 'scrypt$1$1$1$x$x' })
    .returning()
    .get();
  return { id: row.id, email: row.email, name: row.name, role: row.role };
}

export function contextFor(db: Db, user: SessionUser | null): Context {
  return {
    db,
    user,
    sessionToken: undefined,
    ip: '127.0.0.1',
    userAgent: 'vitest',
    resHeaders: new Headers(),
    secure: false,
    origin: 'http://fleetdeck.test',
  };
}

export function callerFor(db: Db, user: SessionUser | null) {
  return createCaller(contextFor(db, user));
}

/** A database with one admin and one member, and callers for each and for nobody. */
export function routerHarness() {
  const db = freshDb();
  const admin = insertUser(db, 'admin', 'admin@example.com');
  const member = insertUser(db, 'member', 'member@example.com');
  return {
    db,
    admin,
    member,
    asAdmin: callerFor(db, admin),
    asMember: callerFor(db, member),
    anonymous: callerFor(db, null),
  };
}
