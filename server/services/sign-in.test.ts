import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '@/server/auth/password';
import type { ControlPlane } from '@/server/control-plane';
import { RateLimitedError, UnauthorizedError } from '@/server/errors';
import { type PasswordVerifier, signIn } from '@/server/services/sign-in';
import { createTestControlPlane } from '@/testing/router-harness';

const PASSWORD = 'correct-horse-battery';
/** Cheap scrypt: these tests are about counting checks, not about the hash. */
const TEST_COST = { N: 2 ** 10, r: 8, p: 1 };
const DAY = 24 * 60 * 60 * 1000;

type Outcome = 'signed in' | 'UNAUTHORIZED' | 'TOO_MANY_REQUESTS';

function outcomeOf(promise: Promise<unknown>): Promise<Outcome> {
  return promise.then(
    () => 'signed in',
    (error: unknown) => {
      if (error instanceof UnauthorizedError) return 'UNAUTHORIZED';
      if (error instanceof RateLimitedError) return 'TOO_MANY_REQUESTS';
      throw error;
    },
  );
}

const tally = (outcomes: Outcome[]) => outcomes.reduce<Record<string, number>>((n, o) => ({ ...n, [o]: (n[o] ?? 0) + 1 }), {});

describe('sign-in throttle under concurrency and known sources', () => {
  let cp: ControlPlane;
  let adaId: number;
  /** The real verifier, counting how many passwords reached it. */
  let verified: string[];
  const countingVerify: PasswordVerifier = (password, stored) => {
    verified.push(password);
    return verifyPassword(password, stored);
  };
  const attempt = (password: string, ip: string, email = 'ada@example.com', verify = countingVerify) =>
    outcomeOf(signIn(cp, { email, password }, { ip, userAgent: 'vitest' }, verify));
  const lockRows = () =>
    cp.store.db.select().from(cp.store.tables.auditEvents).where(eq(cp.store.tables.auditEvents.action, 'user.sign_in_locked'));

  beforeEach(async () => {
    cp = await createTestControlPlane();
    verified = [];
    const { users } = cp.store.tables;
    const passwordHash = await hashPassword(PASSWORD, TEST_COST);
    const [row] = await cp.store.transaction((tx) =>
      tx.insert(users).values({ email: 'ada@example.com', name: 'Ada', role: 'admin', passwordHash }).returning(),
    );
    adaId = row!.id;
  });
  afterEach(() => cp.close());

  it('when 100 wrong guesses for one account arrive at once, then only 5 reach the password check and 95 get 429', async () => {
    const outcomes = await Promise.all(Array.from({ length: 100 }, (_, i) => attempt(`guess-${i}`, `10.20.${i >> 8}.${i & 255}`)));
    expect(tally(outcomes)).toEqual({ UNAUTHORIZED: 5, TOO_MANY_REQUESTS: 95 });
    expect(verified).toHaveLength(5);
  });

  it('when 20 wrong guesses and the right password arrive at once from a new address, then the right one is refused', async () => {
    const wrong = Array.from({ length: 20 }, (_, i) => attempt(`guess-${i}`, '10.21.0.1'));
    const right = attempt(PASSWORD, '10.21.0.1');
    expect(await right).toBe('TOO_MANY_REQUESTS');
    expect(tally(await Promise.all(wrong))).toEqual({ UNAUTHORIZED: 5, TOO_MANY_REQUESTS: 15 });
    expect(verified).not.toContain(PASSWORD);
    expect(await cp.store.db.select().from(cp.store.tables.sessions)).toHaveLength(0);
  });

  it('when 40 guesses at many accounts arrive at once from one address, then only its 30 reach the check', async () => {
    // Unknown emails are checked against a full-cost hash: count them without running it.
    const refuse: PasswordVerifier = async (password) => (verified.push(password), false);
    const outcomes = await Promise.all(
      Array.from({ length: 40 }, (_, i) => attempt('guess', '10.22.0.1', `user-${i}@example.com`, refuse)),
    );
    expect(tally(outcomes)).toEqual({ UNAUTHORIZED: 30, TOO_MANY_REQUESTS: 10 });
    expect(verified).toHaveLength(30);
  });

  it('checks an unknown email against a hash of full cost, as long as a real one takes', async () => {
    const stored: string[] = [];
    const spy: PasswordVerifier = async (_password, hash) => (stored.push(hash), false);
    await expect(signIn(cp, { email: 'nobody@example.com', password: 'x' }, { ip: '10.23.0.1', userAgent: null }, spy)).rejects.toThrow(
      'Email or password is incorrect',
    );
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatch(/^scrypt\$131072\$8\$1\$[\w-]{22}\$[\w-]{86}$/);
  });

  it('when strangers lock the account, then its known address still signs in, strangers stay out, and the owner is told once', async () => {
    expect(await attempt(PASSWORD, '10.30.0.1')).toBe('signed in');
    for (let i = 0; i < 5; i++) expect(await attempt('nope', `10.31.0.${i}`)).toBe('UNAUTHORIZED');
    expect(await attempt(PASSWORD, '10.31.0.99')).toBe('TOO_MANY_REQUESTS');
    expect(await attempt(PASSWORD, '10.30.0.1')).toBe('signed in');
    // The known source's success must not reopen the account to the strangers.
    expect(await attempt(PASSWORD, '10.31.0.99')).toBe('TOO_MANY_REQUESTS');
    expect(await attempt('nope', '10.30.0.1')).toBe('UNAUTHORIZED');
    expect(await attempt('nope', '10.31.0.98')).toBe('TOO_MANY_REQUESTS');

    const rows = await lockRows();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      targetType: 'user',
      targetId: String(adaId),
      targetLabel: 'ada@example.com',
      actorUserId: null,
      after: { failedSignIns: 5, addresses: ['10.31.0.0', '10.31.0.1', '10.31.0.2', '10.31.0.3', '10.31.0.4'] },
    });
    expect(JSON.stringify(rows)).not.toMatch(/nope|correct-horse/);
  });

  it('when the known address guesses wrong, then that counts toward its address limit', async () => {
    expect(await attempt(PASSWORD, '10.32.0.1')).toBe('signed in');
    for (let i = 0; i < 5; i++) expect(await attempt('nope', `10.33.0.${i}`)).toBe('UNAUTHORIZED');
    for (let i = 0; i < 29; i++) cp.signInThrottle.address.recordFailure('10.32.0.1', '10.32.0.1');
    expect(await attempt('nope', '10.32.0.1')).toBe('UNAUTHORIZED');
    expect(await attempt(PASSWORD, '10.32.0.1')).toBe('TOO_MANY_REQUESTS');
  });

  it('forgets a known address after 30 days, and an address known for another account does not count', async () => {
    const { auditEvents, users } = cp.store.tables;
    await cp.store.transaction(async (tx) => {
      await tx.insert(auditEvents).values({
        at: new Date(Date.now() - 31 * DAY),
        actorUserId: adaId,
        actorLabel: 'ada@example.com',
        action: 'session.sign_in',
        targetType: 'user',
        targetId: String(adaId),
        ip: '10.34.0.1',
      });
      const passwordHash = await hashPassword(PASSWORD, TEST_COST);
      await tx.insert(users).values({ email: 'bob@example.com', name: 'Bob', role: 'member', passwordHash });
    });
    expect(await attempt(PASSWORD, '10.34.0.2', 'bob@example.com')).toBe('signed in');
    for (let i = 0; i < 5; i++) expect(await attempt('nope', `10.35.0.${i}`)).toBe('UNAUTHORIZED');
    expect(await attempt(PASSWORD, '10.34.0.1')).toBe('TOO_MANY_REQUESTS');
    expect(await attempt(PASSWORD, '10.34.0.2')).toBe('TOO_MANY_REQUESTS');
    const sessions = await cp.store.db.select().from(cp.store.tables.sessions).where(eq(cp.store.tables.sessions.userId, adaId));
    expect(sessions).toHaveLength(0);
  });
});
