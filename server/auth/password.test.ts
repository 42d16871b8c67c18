import { describe, expect, it } from 'vitest';
import { generatePassword, hashPassword, verifyPassword } from '@/server/auth/password';

describe('password hashing', () => {
  it('verifies the right password, refuses a wrong one, and salts every hash', async () => {
    const a = await hashPassword('s3cret-passphrase');
    const b = await hashPassword('s3cret-passphrase');
    expect(a).not.toBe(b);
    expect(a).not.toContain('s3cret');
    expect(await verifyPassword('s3cret-passphrase', a)).toBe(true);
    expect(await verifyPassword('s3cret-passphrasE', a)).toBe(false);
    expect(await verifyPassword('anything', 'not-a-hash')).toBe(false);
  });

  it('generates strong passwords', () => {
    const p = generatePassword();
    expect(p.length).toBeGreaterThanOrEqual(24);
    expect(generatePassword()).not.toBe(p);
  });
});
