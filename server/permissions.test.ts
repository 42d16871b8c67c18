/**
 * Decision 2 of ARCHITECTURE.md: permissions are declared, not remembered.
 * This walks every procedure the app exposes, so a new one without a declaration,
 * or one whose declaration is not enforced, fails here.
 */
import { TRPCError } from '@trpc/server';
import { describe, expect, it } from 'vitest';
import { type AccessDeclaration, PERMISSIONS, type Role, roleHas } from '@/lib/permissions';
import type { ProcedureMeta } from '@/server/trpc';
import { appRouter } from '@/server/root';
import { routerHarness } from '@/testing/router-harness';

interface ProcedureLike {
  _def: { meta?: ProcedureMeta; type: 'query' | 'mutation' | 'subscription' };
}

const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, ProcedureLike>);

type Caller = ReturnType<typeof routerHarness>['asAdmin'];

/** Calls `path` with no input: enough to learn whether access was granted. */
async function errorCodeOf(caller: Caller, path: string): Promise<string | null> {
  const fn = path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], caller);
  try {
    const result = await (fn as (input?: unknown) => Promise<unknown>)(undefined);
    // Subscriptions hand back an iterable; pull once so their middleware runs.
    if (result && typeof result === 'object' && Symbol.asyncIterator in result) {
      await (result as AsyncIterable<unknown>)[Symbol.asyncIterator]().next();
    }
    return null;
  } catch (error) {
    if (error instanceof TRPCError) return error.code;
    throw error;
  }
}

function expectedFor(access: AccessDeclaration, role: Role | null): 'UNAUTHORIZED' | 'FORBIDDEN' | 'ALLOWED' {
  if (access === 'public') return 'ALLOWED';
  if (role === null) return 'UNAUTHORIZED';
  if (access === 'authenticated') return 'ALLOWED';
  return roleHas(role, access) ? 'ALLOWED' : 'FORBIDDEN';
}

describe('every procedure declares its access', () => {
  it('finds procedures to check', () => {
    expect(procedures.length).toBeGreaterThan(5);
  });

  it.each(procedures)('%s declares public, authenticated or a known permission', (_path, procedure) => {
    const access = procedure._def.meta?.access;
    expect(access, 'build it with publicProcedure, authedProcedure or permissionProcedure(...)').toBeDefined();
    expect(['public', 'authenticated', ...Object.keys(PERMISSIONS)]).toContain(access);
  });

  it('keeps public procedures to sign-in, the session probe and health', () => {
    const publicPaths = procedures.filter(([, p]) => p._def.meta?.access === 'public').map(([path]) => path);
    expect(publicPaths.sort()).toEqual(['auth.me', 'auth.signIn', 'health.check']);
  });
});

describe('access matrix: signed out, member, admin', () => {
  const harness = routerHarness();
  const callers: [Role | null, Caller][] = [
    [null, harness.anonymous],
    ['member', harness.asMember],
    ['admin', harness.asAdmin],
  ];

  for (const [path, procedure] of procedures) {
    if (path === 'auth.signOut') continue; // would end the harness' own session; covered in auth tests
    const access = procedure._def.meta?.access ?? 'public';
    for (const [role, caller] of callers) {
      const expected = expectedFor(access, role);
      it(`${path} as ${role ?? 'signed out'} → ${expected}`, async () => {
        const code = await errorCodeOf(caller, path);
        if (expected === 'ALLOWED') expect(['UNAUTHORIZED', 'FORBIDDEN']).not.toContain(code);
        else expect(code).toBe(expected);
      });
    }
  }
});
