import { TRPCError } from '@trpc/server';
import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { UserPrincipal } from '@/server/access/principal';
import { hashPassword } from '@/server/auth/password';
import { findSessionPrincipal, hashToken, SESSION_COOKIE } from '@/server/auth/session';
import { bootstrap } from '@/server/bootstrap';
import type { ControlPlane } from '@/server/control-plane';
import { silentLogger } from '@/server/logger';
import { appRouter } from '@/server/root';
import { createCallerFactory } from '@/server/trpc';
import { callerFor, contextFor, createTestControlPlane } from '@/testing/router-harness';

const createCaller = createCallerFactory(appRouter);
const PASSWORD = 'correct-horse-battery';
/**
 * Cheap scrypt for accounts these tests sign in to many times; the first test and the
 * users, password-change and bootstrap tests keep the production cost.
 */
const TEST_COST = { N: 2 ** 10, r: 8, p: 1 };

async function codeOf(promise: Promise<unknown>): Promise<string | null> {
  try {
    await promise;
    return null;
  } catch (error) {
    return error instanceof TRPCError ? error.code : 'NOT_A_TRPC_ERROR';
  }
}

function signInAs(cp: ControlPlane, email: string, password: string, ip = '10.9.8.7') {
  const base = contextFor(cp, null);
  const ctx = { ...base, request: { ...base.request, ip } };
  return { ctx, result: createCaller(ctx).auth.signIn({ email, password }) };
}

function cookieValue(headers: Headers): string | undefined {
  const cookie = headers.get('set-cookie') ?? '';
  return new RegExp(`${SESSION_COOKIE}=([^;]*)`).exec(cookie)?.[1];
}

/** Inserts a user with a real (by default cheap) password hash, as sign-in needs one. */
async function insertAccount(cp: ControlPlane, email: string, role: 'admin' | 'member', cost: 'production' | 'cheap' = 'cheap'): Promise<UserPrincipal> {
  const { users } = cp.store.tables;
  const passwordHash = cost === 'production' ? await hashPassword(PASSWORD) : await hashPassword(PASSWORD, TEST_COST);
  const [row] = await cp.store.transaction((tx) =>
    tx.insert(users).values({ email, name: email.split('@')[0] ?? email, role, passwordHash }).returning(),
  );
  if (!row) throw new Error('no user inserted');
  return { kind: 'user', userId: row.id, email: row.email, name: row.name, role: row.role, sessionTokenHash: `test-session-${row.id}` };
}

const sessionRows = (cp: ControlPlane) => cp.store.db.select().from(cp.store.tables.sessions);
const userRows = (cp: ControlPlane) => cp.store.db.select().from(cp.store.tables.users);
const auditRows = (cp: ControlPlane) => cp.store.db.select().from(cp.store.tables.auditEvents);

describe('sign-in and sessions', () => {
  let cp: ControlPlane;
  let ada: UserPrincipal;
  beforeEach(async () => {
    cp = await createTestControlPlane();
    ada = await insertAccount(cp, 'ada@example.com', 'admin');
  });
  afterEach(() => cp.close());

  it('when the password is right, then an httpOnly SameSite=Lax cookie starts a session stored only as a hash', async () => {
    const grace = await insertAccount(cp, 'grace@example.com', 'admin', 'production');
    const { ctx, result } = signInAs(cp, 'GRACE@example.com ', PASSWORD);
    await expect(result).resolves.toMatchObject({ user: { email: 'grace@example.com', role: 'admin' } });
    const setCookie = ctx.resHeaders.get('set-cookie') ?? '';
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Lax');
    const token = cookieValue(ctx.resHeaders);
    expect(token).toBeTruthy();
    const stored = await sessionRows(cp);
    expect(stored).toHaveLength(1);
    expect(stored[0]?.tokenHash).toBe(hashToken(token!));
    expect(JSON.stringify(stored)).not.toContain(token!);
    expect(await findSessionPrincipal(cp.store, token)).toMatchObject({
      kind: 'user',
      userId: grace.userId,
      email: 'grace@example.com',
      role: 'admin',
      sessionTokenHash: hashToken(token!),
    });
    expect((await auditRows(cp)).map((e) => e.action)).toEqual(['session.sign_in']);
  });

  it('when the password is wrong, then UNAUTHORIZED with a message that does not say which part was wrong', async () => {
    const error = await signInAs(cp, 'ada@example.com', 'wrong-password').result.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TRPCError);
    expect((error as TRPCError).code).toBe('UNAUTHORIZED');
    expect((error as TRPCError).message).toBe('Email or password is incorrect');
    expect(await sessionRows(cp)).toHaveLength(0);
  });

  it('when five sign-ins to one account fail, then the sixth is refused even with the right password, from any address it never signed in from', async () => {
    for (let i = 0; i < 5; i++) expect(await codeOf(signInAs(cp, 'ada@example.com', 'nope', `10.2.0.${i}`).result)).toBe('UNAUTHORIZED');
    expect(await codeOf(signInAs(cp, 'ada@example.com', PASSWORD, '10.2.0.99').result)).toBe('TOO_MANY_REQUESTS');
  });

  it('when one address fails thirty times across accounts, then it is refused for every account', async () => {
    // 29 earlier failures recorded directly: thirty scrypt runs would make this test slow, not stronger.
    for (let i = 0; i < 29; i++) cp.signInThrottle.address.recordFailure('10.3.0.1');
    expect(await codeOf(signInAs(cp, 'ada@example.com', PASSWORD, '10.3.0.1').result)).toBeNull();
    expect(await codeOf(signInAs(cp, 'nobody@example.com', 'nope', '10.3.0.1').result)).toBe('UNAUTHORIZED');
    expect(await codeOf(signInAs(cp, 'ada@example.com', PASSWORD, '10.3.0.1').result)).toBe('TOO_MANY_REQUESTS');
    expect(await codeOf(signInAs(cp, 'ada@example.com', PASSWORD, '10.3.0.2').result)).toBeNull();
  });

  it('keeps the throttle per control plane: another one starts from a clean slate', async () => {
    for (let i = 0; i < 5; i++) cp.signInThrottle.account.recordFailure('ada@example.com');
    expect(await codeOf(signInAs(cp, 'ada@example.com', PASSWORD).result)).toBe('TOO_MANY_REQUESTS');
    const other = await createTestControlPlane();
    try {
      await insertAccount(other, 'ada@example.com', 'admin');
      expect(await codeOf(signInAs(other, 'ada@example.com', PASSWORD).result)).toBeNull();
    } finally {
      await other.close();
    }
  });

  it('when a session has expired, then it no longer identifies anyone', async () => {
    const { ctx, result } = signInAs(cp, 'ada@example.com', PASSWORD);
    await result;
    const token = cookieValue(ctx.resHeaders);
    const muchLater = new Date(Date.now() + 13 * 60 * 60 * 1000);
    expect(await findSessionPrincipal(cp.store, token, muchLater)).toBeNull();
  });

  it('when the user signs out, then exactly that session is revoked and the cookie cleared', async () => {
    const here = signInAs(cp, 'ada@example.com', PASSWORD);
    await here.result;
    const elsewhere = signInAs(cp, 'ada@example.com', PASSWORD, '10.9.8.8');
    await elsewhere.result;
    const token = cookieValue(here.ctx.resHeaders)!;
    const principal = await findSessionPrincipal(cp.store, token);
    const outCtx = contextFor(cp, principal);
    await createCaller(outCtx).auth.signOut();
    expect(await findSessionPrincipal(cp.store, token)).toBeNull();
    expect(await findSessionPrincipal(cp.store, cookieValue(elsewhere.ctx.resHeaders))).not.toBeNull();
    expect(outCtx.resHeaders.get('set-cookie')).toContain('Max-Age=0');
    expect((await auditRows(cp)).map((e) => e.action)).toContain('session.sign_out');
  });

  it('answers auth.me with the session user, and null when signed out', async () => {
    expect(await callerFor(cp, ada).auth.me()).toEqual({ id: ada.userId, email: 'ada@example.com', name: ada.name, role: 'admin' });
    expect(await callerFor(cp, null).auth.me()).toBeNull();
  });

  it('when an admin deactivates a user, then their sessions end and they cannot sign in', async () => {
    const admin = callerFor(cp, ada);
    const bob = await insertAccount(cp, 'bob@example.com', 'member');
    const { ctx, result } = signInAs(cp, 'bob@example.com', PASSWORD, '10.0.0.2');
    await result;
    await admin.users.setActive({ id: bob.userId, active: false });
    expect(await findSessionPrincipal(cp.store, cookieValue(ctx.resHeaders))).toBeNull();
    expect(await codeOf(signInAs(cp, 'bob@example.com', PASSWORD, '10.0.0.3').result)).toBe('UNAUTHORIZED');
  });

  it('never returns or stores a password in plain text', async () => {
    const admin = callerFor(cp, ada);
    const created = await admin.users.create({ email: 'eve@example.com', name: 'Eve', role: 'member', password: 'eve-secret-password' });
    expect(JSON.stringify(created)).not.toContain('eve-secret-password');
    expect(JSON.stringify(await admin.users.list())).not.toMatch(/passwordHash|eve-secret-password/);
    expect(JSON.stringify(await userRows(cp))).not.toContain('eve-secret-password');
    expect(JSON.stringify(await auditRows(cp))).not.toContain('eve-secret-password');
  });

  it('refuses an admin changing their own role or deactivating themselves, and writes nothing', async () => {
    await insertAccount(cp, 'grace@example.com', 'admin');
    const admin = callerFor(cp, ada);
    const role = await admin.users.setRole({ id: ada.userId, role: 'member' }).catch((e: unknown) => e);
    expect(role).toMatchObject({ code: 'FORBIDDEN', message: 'You cannot change your own role; ask another admin' });
    const active = await admin.users.setActive({ id: ada.userId, active: false }).catch((e: unknown) => e);
    expect(active).toMatchObject({ code: 'FORBIDDEN', message: 'You cannot deactivate yourself; ask another admin' });
    const [row] = (await userRows(cp)).filter((u) => u.id === ada.userId);
    expect(row).toMatchObject({ role: 'admin', active: true });
    expect(await auditRows(cp)).toHaveLength(0);
  });

  it('refuses to demote or deactivate the last active admin, even when two admins act at once', async () => {
    const grace = await insertAccount(cp, 'grace@example.com', 'admin');
    const asAda = callerFor(cp, ada);
    // Grace's request was authorised while she was still an admin; Ada demotes her first.
    const asGraceStillAdmin = callerFor(cp, grace);
    await asAda.users.setRole({ id: grace.userId, role: 'member' });
    expect(await codeOf(asGraceStillAdmin.users.setRole({ id: ada.userId, role: 'member' }))).toBe('PRECONDITION_FAILED');
    await asAda.users.setRole({ id: grace.userId, role: 'admin' });
    await asAda.users.setActive({ id: grace.userId, active: false });
    expect(await codeOf(asGraceStillAdmin.users.setActive({ id: ada.userId, active: false }))).toBe('PRECONDITION_FAILED');
    const [row] = (await userRows(cp)).filter((u) => u.id === ada.userId);
    expect(row).toMatchObject({ role: 'admin', active: true });
  });

  it('lets an admin demote and deactivate another admin while one active admin remains', async () => {
    const grace = await insertAccount(cp, 'grace@example.com', 'admin');
    const admin = callerFor(cp, ada);
    expect(await admin.users.setRole({ id: grace.userId, role: 'member' })).toMatchObject({ role: 'member' });
    expect(await admin.users.setActive({ id: grace.userId, active: false })).toMatchObject({ active: false });
    expect((await auditRows(cp)).map((e) => e.action)).toEqual(['user.set_role', 'user.deactivate']);
  });
});

describe('changing your own password', () => {
  let cp: ControlPlane;
  beforeEach(async () => {
    cp = await createTestControlPlane();
    await insertAccount(cp, 'ada@example.com', 'member');
  });
  afterEach(() => cp.close());

  async function session(ip: string) {
    const { ctx, result } = signInAs(cp, 'ada@example.com', PASSWORD, ip);
    await result;
    const token = cookieValue(ctx.resHeaders)!;
    const principal = await findSessionPrincipal(cp.store, token);
    if (!principal) throw new Error('the new session does not identify anyone');
    return { principal, token };
  }

  it('when the current password is wrong, then it is refused on that field and nothing changes', async () => {
    const here = await session('10.1.0.1');
    const caller = callerFor(cp, here.principal);
    const error = await caller.auth.changePassword({ currentPassword: 'not-it', newPassword: 'a-brand-new-password' }).catch((e: unknown) => e);
    expect((error as TRPCError).code).toBe('BAD_REQUEST');
    expect((error as TRPCError).cause).toMatchObject({ fieldErrors: { currentPassword: ['The current password is not right'] } });
    expect(await codeOf(signInAs(cp, 'ada@example.com', PASSWORD, '10.1.0.2').result)).toBeNull();
  });

  it('when it is right, then only the new password works, other sessions end, this one stays, and it is audited without the secret', async () => {
    const here = await session('10.1.0.1');
    const elsewhere = await session('10.1.0.2');
    const caller = callerFor(cp, here.principal);
    await caller.auth.changePassword({ currentPassword: PASSWORD, newPassword: 'a-brand-new-password' });
    expect((await findSessionPrincipal(cp.store, here.token))?.email).toBe('ada@example.com');
    expect(await findSessionPrincipal(cp.store, elsewhere.token)).toBeNull();
    expect(await codeOf(signInAs(cp, 'ada@example.com', PASSWORD, '10.1.0.3').result)).toBe('UNAUTHORIZED');
    expect(await codeOf(signInAs(cp, 'ada@example.com', 'a-brand-new-password', '10.1.0.4').result)).toBeNull();
    const audit = await auditRows(cp);
    expect(audit.filter((e) => e.action === 'user.change_password')).toHaveLength(1);
    expect(JSON.stringify(audit)).not.toContain('a-brand-new-password');
  });
});

describe('bootstrap on first start', () => {
  let cp: ControlPlane;
  beforeEach(async () => {
    cp = await createTestControlPlane();
  });
  afterEach(() => {
    vi.restoreAllMocks();
    return cp.close();
  });

  it('creates the configured admin and dev, staging and prod (prod production, for availability), once', async () => {
    await bootstrap(cp.store, { email: 'root@example.com', password: PASSWORD }, silentLogger);
    await bootstrap(cp.store, { email: 'other@example.com', password: PASSWORD }, silentLogger);
    const all = await userRows(cp);
    expect(all.map((u) => [u.email, u.role])).toEqual([['root@example.com', 'admin']]);
    expect(all[0]?.passwordHash).toMatch(/^scrypt\$/);
    const root = all[0]!;
    const principal: UserPrincipal = { kind: 'user', userId: root.id, email: root.email, name: root.name, role: root.role, sessionTokenHash: 'x' };
    const envs = await callerFor(cp, principal).environments.list();
    expect(envs.map((e) => e.name).sort()).toEqual(['dev', 'prod', 'staging']);
    expect(envs.find((e) => e.name === 'prod')).toMatchObject({ isProduction: true, optimizeFor: 'availability' });
  });

  it('without a configured password, prints a generated one once, and it signs in', async () => {
    const printed: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      printed.push(String(chunk));
      return true;
    });
    await bootstrap(cp.store, { email: 'root@example.com', password: undefined }, silentLogger);
    await bootstrap(cp.store, { email: 'root@example.com', password: undefined }, silentLogger);
    vi.restoreAllMocks();
    const notices = printed.filter((chunk) => chunk.includes('Fleetdeck created the first admin'));
    expect(notices).toHaveLength(1);
    const password = /Password: (\S+)/.exec(notices[0] ?? '')?.[1];
    expect(password).toBeTruthy();
    expect(await codeOf(signInAs(cp, 'root@example.com', password!).result)).toBeNull();
  });
});

describe('audit trail', () => {
  it('is append-only at the database: updates and deletes are refused', async () => {
    const cp = await createTestControlPlane();
    try {
      await bootstrap(cp.store, { email: 'root@example.com', password: PASSWORD }, silentLogger);
      const refusal = (statement: ReturnType<typeof sql>) =>
        cp.store.transaction((tx) => cp.store.execute(tx, statement)).then(
          () => 'accepted',
          (error: unknown) => `${String(error)} ${String((error as Error).cause ?? '')}`,
        );
      expect(await refusal(sql`update audit_events set action = 'x'`)).toMatch(/append-only/);
      expect(await refusal(sql`delete from audit_events`)).toMatch(/append-only/);
      expect(await auditRows(cp)).toHaveLength(4);
    } finally {
      await cp.close();
    }
  });
});
