import { describe, expect, it } from 'vitest';
import { safeRedirectPath } from '@/lib/safe-redirect';

describe('safeRedirectPath', () => {
  it.each([
    ['/clusters', '/clusters'],
    ['/clusters/gpu-east?tab=nodes#events', '/clusters/gpu-east?tab=nodes#events'],
    ['/settings/', '/settings/'],
    ['/a/../audit', '/audit'],
    ['/%5Cevil.example', '/%5Cevil.example'],
    ['clusters', '/clusters'],
    ['?q=1', '/?q=1'],
  ])('keeps the same-origin path %j as %j', (next, expected) => {
    expect(safeRedirectPath(next)).toBe(expected);
  });

  it.each([
    undefined,
    '',
    '//evil.example',
    '///evil.example',
    '/\\evil.example',
    '\\\\evil.example',
    '/\\/evil.example',
    '/\t/evil.example',
    '/\n/evil.example',
    '/\r\n/evil.example',
    '\t//evil.example',
    ' //evil.example',
    '/..//evil.example',
    '/.//evil.example',
    '/%2e%2e//evil.example',
    'https://evil.example',
    'http://fleetdeck.invalid.evil.example/',
    'HTTPS://evil.example/path',
    'https:evil.example',
    'javascript:alert(1)',
    'JaVaScRiPt:alert(1)',
    ' javascript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'http://[::1',
    '//user@evil.example',
    'http://fleetdeck.invalid@evil.example/',
  ])('sends the hostile value %j home instead', (next) => {
    expect(safeRedirectPath(next)).toBe('/');
  });

  // What Next hands the page after decoding the query string the probe used.
  it('refuses the decoded forms of /%5Cevil.example and /%09/evil.example', () => {
    const decoded = (query: string) => new URLSearchParams(query).get('next') ?? undefined;
    expect(decoded('next=/%5Cevil.example')).toBe('/\\evil.example');
    expect(safeRedirectPath(decoded('next=/%5Cevil.example'))).toBe('/');
    expect(safeRedirectPath(decoded('next=/%09/evil.example'))).toBe('/');
  });
});
