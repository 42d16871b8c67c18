/**
 * Router tests call procedures through `createCaller` on a control plane of their own:
 * a fresh, migrated store (SQLite, or PostgreSQL in the postgres project), a silent
 * logger, and a user per role. Nothing is mocked below the router.
 */
import type { Role } from '@/lib/permissions';
import { ANONYMOUS, type Principal, type UserPrincipal } from '@/server/access/principal';
import { loadConfig } from '@/server/config';
import { createControlPlane, type ControlPlane, type ControlPlaneParts } from '@/server/control-plane';
import { silentLogger } from '@/server/logger';
import { generateSecretKey } from '@/server/secrets/secret-box';
import { appRouter } from '@/server/root';
import type { Store } from '@/server/store';
import { createCallerFactory, type Context } from '@/server/trpc';
import { openTestStore } from './test-store';

const createCaller = createCallerFactory(appRouter);

/** A control plane on a fresh store, without bootstrap (tests make their own users). */
export async function createTestControlPlane(parts: Omit<ControlPlaneParts, 'store'> & { store?: Store } = {}): Promise<ControlPlane> {
  // A key of its own: the default would be a key file beside ./data/fleetdeck.db.
  const config = loadConfig({ NODE_ENV: 'test', FLEETDECK_PUBLIC_URL: undefined, FLEETDECK_SECRET_KEY: generateSecretKey().toString('base64') });
  return createControlPlane(config, { log: silentLogger, skipBootstrap: true, ...parts, store: parts.store ?? (await openTestStore()) });
}

/** Inserts a user directly (password hashing is not what these tests are about). */
export async function insertUser(
  store: Store,
  role: Role,
  email = `${role}-${Math.random().toString(36).slice(2, 8)}@example.com`,
): Promise<UserPrincipal> {
  const { users } = store.tables;
  const [row] = await store.transaction((tx) =>
    tx
      .insert(users)
      .values({ email, name: role === 'admin' ? 'Ada Admin' : 'Max Member', role, passwordHash: 'scrypt$1$1$1$x$x' })
      .returning(),
  );
  if (!row) throw new Error('insertUser: no row returned');
  return { kind: 'user', userId: row.id, email: row.email, name: row.name, role: row.role, sessionTokenHash: `test-session-${row.id}` };
}

export function contextFor(cp: ControlPlane, principal: Principal | null): Context {
  return {
    cp,
    principal: principal ?? ANONYMOUS,
    request: { ip: '127.0.0.1', userAgent: 'vitest', secure: false, origin: 'http://fleetdeck.test' },
    resHeaders: new Headers(),
  };
}

export function callerFor(cp: ControlPlane, principal: Principal | null) {
  return createCaller(contextFor(cp, principal));
}

export interface RouterHarness {
  cp: ControlPlane;
  store: Store;
  admin: UserPrincipal;
  member: UserPrincipal;
  asAdmin: ReturnType<typeof callerFor>;
  asMember: ReturnType<typeof callerFor>;
  anonymous: ReturnType<typeof callerFor>;
}

/**
 * A control plane with one admin and one member, and callers for each and for nobody.
 * The caller closes it: `afterEach(() => harness.cp.close())`.
 */
export async function routerHarness(parts: Omit<ControlPlaneParts, 'store'> = {}): Promise<RouterHarness> {
  const cp = await createTestControlPlane(parts);
  const admin = await insertUser(cp.store, 'admin', 'admin@example.com');
  const member = await insertUser(cp.store, 'member', 'member@example.com');
  return {
    cp,
    store: cp.store,
    admin,
    member,
    asAdmin: callerFor(cp, admin),
    asMember: callerFor(cp, member),
    anonymous: callerFor(cp, null),
  };
}
