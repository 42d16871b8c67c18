import { describe, expect, it } from 'vitest';
import { signInPathFor } from '@/lib/sign-in-return';
import { safeRedirectPath } from '@/lib/safe-redirect';

describe('returning to the requested page after sign-in', () => {
  it('carries the requested page and its query as next', () => {
    expect(signInPathFor('/clusters/gpu-west')).toBe('/sign-in?next=%2Fclusters%2Fgpu-west');
    expect(signInPathFor('/clusters?status=degraded&page=2')).toBe(`/sign-in?next=${encodeURIComponent('/clusters?status=degraded&page=2')}`);
    // …which sign-in turns back into the same address.
    expect(safeRedirectPath('/clusters?status=degraded&page=2')).toBe('/clusters?status=degraded&page=2');
  });

  it('drops Next’s internal parameters and says nothing for the overview', () => {
    expect(signInPathFor('/clusters/a?_rsc=1x2y')).toBe('/sign-in?next=%2Fclusters%2Fa');
    expect(signInPathFor('/')).toBe('/sign-in');
    expect(signInPathFor(undefined)).toBe('/sign-in');
  });

  it('never names another origin', () => {
    for (const hostile of ['//evil.example/x', '/\\evil.example', 'https://evil.example/']) {
      expect(signInPathFor(hostile)).toBe('/sign-in');
    }
  });
});
