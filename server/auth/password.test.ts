import { describe, expect, it } from 'vitest';
import { generatePassword, hashPassword, verifyPassword } from '@/server/auth/password';

describe('password hashing', () => {
  it('verifies the right password, refuses a wrong one, and salts every hash', async () => {
    // scrypt runs on libuv's pool: side by side, the four take about the time of two.
    const [a, b] = await Promise.all([hashPassword('s3cret-passphrase'), hashPassword('s3cret-passphrase')]);
    expect(a).toMatch(/^scrypt\$131072\$8\$1\$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain('s3cret');
    const checks = await Promise.all([verifyPassword('s3cret-passphrase', a), verifyPassword('s3cret-passphrasE', a)]);
    expect(checks).toEqual([true, false]);
    expect(await verifyPassword('anything', 'not-a-hash')).toBe(false);
  });

  it('generates strong passwords', () => {
    const p = generatePassword();
    expect(p.length).toBeGreaterThanOrEqual(24);
    expect(generatePassword()).not.toBe(p);
  });
});
