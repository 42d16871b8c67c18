import { describe, expect, it } from 'vitest';
import { readCookie } from './cookies';

describe('readCookie', () => {
  it.each([
    ['fd_session=abc', 'abc'],
    ['theme=dark; fd_session=abc; other=1', 'abc'],
    ['fd_session=a%20b', 'a b'],
    ['xfd_session=evil; fd_session=mine', 'mine'],
    ['fd_session= spaced ', 'spaced'],
  ])('finds the value in %j', (header, expected) => {
    expect(readCookie(header, 'fd_session')).toBe(expected);
  });

  it.each([undefined, null, '', 'theme=dark', 'fd_session', 'xfd_session=abc'])('finds nothing in %j', (header) => {
    expect(readCookie(header, 'fd_session')).toBeUndefined();
  });

  it.each(['fd_session=%', 'fd_session=%E0%A4%A', 'fd_session=%zz', 'fd_session=%C0%AF'])('treats the undecodable %j as absent, never throws', (header) => {
    expect(readCookie(header, 'fd_session')).toBeUndefined();
  });
});
