import { describe, expect, it } from 'vitest';
import { decodePrincipalHeader, encodePrincipalHeader } from '@/server/access/principal-header';

const ada = { id: 7, email: 'ada@example.com', name: 'Ada Lovelace — “admin”', role: 'admin' as const };

describe('the principal header between the HTTP layer and the pages', () => {
  it('round-trips a session user, and carries nothing else', () => {
    const value = encodePrincipalHeader({ ...ada, sessionTokenHash: 'secret' } as typeof ada);
    expect(value).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodePrincipalHeader(value)).toEqual(ada);
    expect(Buffer.from(value, 'base64url').toString()).not.toContain('secret');
  });

  it.each([
    ['absent', undefined],
    ['empty', ''],
    ['not base64url JSON', '%%%'],
    ['JSON of something else', Buffer.from('{"id":"7"}').toString('base64url')],
    ['an unknown role', Buffer.from(JSON.stringify({ ...ada, role: 'owner' })).toString('base64url')],
  ])('reads no user when the value is %s', (_case, value) => {
    expect(decodePrincipalHeader(value)).toBeNull();
  });
});
