import { TRPCError } from '@trpc/server';
import { beforeEach, describe, expect, it } from 'vitest';
import { auditEvents, sessions, users } from '@/db/schema';
import { hashPassword } from '@/server/auth/password';
import { findSessionUser, hashToken, SESSION_COOKIE } from '@/server/auth/session';
import { bootstrap } from '@/server/bootstrap';
import { resetSignInThrottle } from '@/server/services/sign-in';
import { callerFor, contextFor, freshDb } from '@/testing/router-harness';
import { appRouter } from '@/server/root';
import { createCallerFactory } from '@/server/trpc';
import type { Db } from '@/db/client';

const createCaller = createCallerFactory(appRouter);
const PASSWORD = 'correct-horse-battery';

async function codeOf(promise: Promise<unknown>): Promise<string | null> {
  try {
    await promise;
    return null;
  } catch (error) {
    return error instanceof TRPCError ? error.code : 'NOT_A_TRPC_ERROR';
  }
}

function signInAs(db: Db, email: string, password: string, ip = '10.9.8.7') {
  const ctx = { ...contextFor(db, null), ip };
  return { ctx, result: createCaller(ctx).auth.signIn({ email, password }) };
}

function cookieValue(headers: Headers): string | undefined {
  const cookie = headers.get('set-cookie') ?? '';
  return new RegExp(`${SESSION_COOKIE}=([^;]*)`).exec(cookie)?.[1];
}

describe('sign-in and sessions', () => {
  let db: Db;
  beforeEach(async () => {
    db = freshDb();
    resetSignInThrottle();
    db.insert(users).values({ email: 'ada@example.com', name: 'Ada', role: 'admin', passwordHash: await hashPassword(PASSWORD) }).run();
  });

  it('when the password is right, then an httpOnly SameSite=Lax cookie starts a session stored only as a hash', async () => {
    const { ctx, result } = signInAs(db, 'ADA@example.com ', PASSWORD);
    await expect(result).resolves.toMatchObject({ user: { email: 'ada@example.com', role: 'admin' } });
    const setCookie = ctx.resHeaders.get('set-cookie') ?? '';
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Lax');
    const token = cookieValue(ctx.resHeaders);
    expect(token).toBeTruthy();
    const stored = db.select().from(sessions).all();
    expect(stored).toHaveLength(1);
    expect(stored[0]?.tokenHash).toBe(hashToken(token!));
    expect(JSON.stringify(stored)).not.toContain(token!);
    expect(findSessionUser(db, token)?.email).toBe('ada@example.com');
    expect(db.select().from(auditEvents).all().map((e) => e.action)).toEqual(['session.sign_in']);
  });

  it('when the password is wrong, then UNAUTHORIZED with a message that does not say which part was wrong', async () => {
    const error = await signInAs(db, 'ada@example.com', 'wrong-password').result.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TRPCError);
    expect((error as TRPCError).code).toBe('UNAUTHORIZED');
    expect((error as TRPCError).message).toBe('Email or password is incorrect');
    expect(db.select().from(sessions).all()).toHaveLength(0);
  });

  it('when five sign-ins to one account fail, then the sixth is refused even with the right password, from anywhere', async () => {
    for (let i = 0; i < 5; i++) expect(await codeOf(signInAs(db, 'ada@example.com', 'nope', `10.2.0.${i}`).result)).toBe('UNAUTHORIZED');
    expect(await codeOf(signInAs(db, 'ada@example.com', PASSWORD, '10.2.0.99').result)).toBe('TOO_MANY_REQUESTS');
  });

  it('when one address fails thirty times across accounts, then it is refused for every account', async () => {
    for (let i = 0; i < 30; i++) await codeOf(signInAs(db, `nobody-${i}@example.com`, 'nope', '10.3.0.1').result);
    expect(await codeOf(signInAs(db, 'ada@example.com', PASSWORD, '10.3.0.1').result)).toBe('TOO_MANY_REQUESTS');
    expect(await codeOf(signInAs(db, 'ada@example.com', PASSWORD, '10.3.0.2').result)).toBeNull();
  });

  it('when a session has expired, then it no longer identifies anyone', async () => {
    const { ctx, result } = signInAs(db, 'ada@example.com', PASSWORD);
    await result;
    const token = cookieValue(ctx.resHeaders);
    const muchLater = new Date(Date.now() + 13 * 60 * 60 * 1000);
    expect(findSessionUser(db, token, muchLater)).toBeNull();
  });

  it('when the user signs out, then the session is revoked and the cookie cleared', async () => {
    const { ctx, result } = signInAs(db, 'ada@example.com', PASSWORD);
    const { user } = await result;
    const token = cookieValue(ctx.resHeaders)!;
    const outCtx = { ...contextFor(db, user), sessionToken: token };
    await createCaller(outCtx).auth.signOut();
    expect(findSessionUser(db, token)).toBeNull();
    expect(outCtx.resHeaders.get('set-cookie')).toContain('Max-Age=0');
  });

  it('when an admin deactivates a user, then their sessions end and they cannot sign in', async () => {
    const admin = callerFor(db, { id: 1, email: 'ada@example.com', name: 'Ada', role: 'admin' });
    const bob = await admin.users.create({ email: 'bob@example.com', name: 'Bob', role: 'member', password: 'long-enough-password' });
    const { ctx, result } = signInAs(db, 'bob@example.com', 'long-enough-password', '10.0.0.2');
    await result;
    await admin.users.setActive({ id: bob.id, active: false });
    expect(findSessionUser(db, cookieValue(ctx.resHeaders))).toBeNull();
    expect(await codeOf(signInAs(db, 'bob@example.com', 'long-enough-password', '10.0.0.3').result)).toBe('UNAUTHORIZED');
  });

  it('never returns or stores a password in plain text', async () => {
    const admin = callerFor(db, { id: 1, email: 'ada@example.com', name: 'Ada', role: 'admin' });
    const created = await admin.users.create({ email: 'eve@example.com', name: 'Eve', role: 'member', password: 'eve-secret-password' });
    expect(JSON.stringify(created)).not.toContain('eve-secret-password');
    expect(JSON.stringify(await admin.users.list())).not.toMatch(/passwordHash|eve-secret-password/);
    const raw = db.$client.prepare('select * from users').all();
    expect(JSON.stringify(raw)).not.toContain('eve-secret-password');
    expect(JSON.stringify(db.select().from(auditEvents).all())).not.toContain('eve-secret-password');
  });

  it('refuses to demote or deactivate the last active admin', async () => {
    const admin = callerFor(db, { id: 1, email: 'ada@example.com', name: 'Ada', role: 'admin' });
    expect(await codeOf(admin.users.setRole({ id: 1, role: 'member' }))).toBe('PRECONDITION_FAILED');
    expect(await codeOf(admin.users.setActive({ id: 1, active: false }))).toBe('PRECONDITION_FAILED');
  });
});

describe('changing your own password', () => {
  let db: Db;
  beforeEach(async () => {
    db = freshDb();
    resetSignInThrottle();
    db.insert(users).values({ email: 'ada@example.com', name: 'Ada', role: 'member', passwordHash: await hashPassword(PASSWORD) }).run();
  });

  async function session(ip: string) {
    const { ctx, result } = signInAs(db, 'ada@example.com', PASSWORD, ip);
    const { user } = await result;
    return { user, token: cookieValue(ctx.resHeaders)! };
  }

  it('when the current password is wrong, then it is refused on that field and nothing changes', async () => {
    const here = await session('10.1.0.1');
    const caller = createCaller({ ...contextFor(db, here.user), sessionToken: here.token });
    const error = await caller.auth.changePassword({ currentPassword: 'not-it', newPassword: 'a-brand-new-password' }).catch((e: unknown) => e);
    expect((error as TRPCError).code).toBe('BAD_REQUEST');
    expect((error as TRPCError).cause).toMatchObject({ fieldErrors: { currentPassword: ['The current password is not right'] } });
    expect(await codeOf(signInAs(db, 'ada@example.com', PASSWORD, '10.1.0.2').result)).toBeNull();
  });

  it('when it is right, then only the new password works, other sessions end, this one stays, and it is audited without the secret', async () => {
    const here = await session('10.1.0.1');
    const elsewhere = await session('10.1.0.2');
    const caller = createCaller({ ...contextFor(db, here.user), sessionToken: here.token });
    await caller.auth.changePassword({ currentPassword: PASSWORD, newPassword: 'a-brand-new-password' });
    expect(findSessionUser(db, here.token)?.email).toBe('ada@example.com');
    expect(findSessionUser(db, elsewhere.token)).toBeNull();
    expect(await codeOf(signInAs(db, 'ada@example.com', PASSWORD, '10.1.0.3').result)).toBe('UNAUTHORIZED');
    expect(await codeOf(signInAs(db, 'ada@example.com', 'a-brand-new-password', '10.1.0.4').result)).toBeNull();
    const audit = db.select().from(auditEvents).all();
    expect(audit.filter((e) => e.action === 'user.change_password')).toHaveLength(1);
    expect(JSON.stringify(audit)).not.toContain('a-brand-new-password');
  });
});

describe('bootstrap on first start', () => {
  it('creates the configured admin and dev, staging and prod (prod production, for availability), once', async () => {
    const db = freshDb();
    await bootstrap(db, { FLEETDECK_ADMIN_EMAIL: 'root@example.com', FLEETDECK_ADMIN_PASSWORD: PASSWORD });
    await bootstrap(db, { FLEETDECK_ADMIN_EMAIL: 'other@example.com', FLEETDECK_ADMIN_PASSWORD: PASSWORD });
    const all = db.select().from(users).all();
    expect(all.map((u) => [u.email, u.role])).toEqual([['root@example.com', 'admin']]);
    expect(all[0]?.passwordHash).toMatch(/^scrypt\$/);
    const envs = await callerFor(db, { id: 1, email: 'root@example.com', name: 'r', role: 'admin' }).environments.list();
    expect(envs.map((e) => e.name).sort()).toEqual(['dev', 'prod', 'staging']);
    expect(envs.find((e) => e.name === 'prod')).toMatchObject({ isProduction: true, optimizeFor: 'availability' });
  });
});

describe('audit trail', () => {
  it('is append-only at the database: updates and deletes are refused', async () => {
    const db = freshDb();
    await bootstrap(db, { FLEETDECK_ADMIN_PASSWORD: PASSWORD });
    expect(() => db.$client.prepare('update audit_events set action = ?').run('x')).toThrow(/append-only/);
    expect(() => db.$client.prepare('delete from audit_events').run()).toThrow(/append-only/);
  });
});
