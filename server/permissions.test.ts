/**
 * Decision 2 of ARCHITECTURE.md: permissions are declared, not remembered.
 * This walks every procedure the app exposes, so a new one without a declaration,
 * one whose declaration is not enforced, or one that takes a resource's identity
 * without naming the resource (so `authorize` never sees it), fails here.
 */
import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type AccessDeclaration, PERMISSIONS, type Role, roleHas, TEAM_LEAD_PERMISSIONS } from '@/lib/permissions';
import { RESOURCE_TYPES } from '@/server/access/authorize';
import type { ProcedureMeta } from '@/server/trpc';
import { appRouter } from '@/server/root';
import { routerHarness, type RouterHarness } from '@/testing/router-harness';

interface ProcedureLike {
  _def: { meta?: ProcedureMeta; type: 'query' | 'mutation' | 'subscription'; inputs: unknown[] };
}

const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, ProcedureLike>);

/** Input keys that name one existing resource (or a new one, for creations). */
const RESOURCE_IDENTITY_KEYS = ['id', 'name', 'clusterId', 'clusterName', 'userId', 'environmentId'];

/** The top-level keys an input schema accepts, or null when it is not a zod schema this walk can read. */
function inputKeys(schema: unknown): string[] | null {
  if (schema instanceof z.ZodObject) return Object.keys(schema.shape);
  if (schema instanceof z.ZodPipe) return inputKeys(schema.in);
  if (schema instanceof z.ZodOptional || schema instanceof z.ZodNullable || schema instanceof z.ZodDefault) {
    return inputKeys(schema.unwrap());
  }
  if (schema instanceof z.ZodUnion) {
    const all = (schema.options as unknown[]).map(inputKeys);
    return all.some((keys) => keys === null) ? null : [...new Set(all.flatMap((keys) => keys ?? []))];
  }
  if (schema instanceof z.ZodIntersection) {
    const [left, right] = [inputKeys(schema.def.left), inputKeys(schema.def.right)];
    return left && right ? [...left, ...right] : null;
  }
  if (schema instanceof z.ZodType) return [];
  return null;
}

type Caller = RouterHarness['asAdmin'];

/** Calls `path` with no input: enough to learn whether access was granted. */
async function errorCodeOf(caller: Caller, path: string): Promise<string | null> {
  const fn = path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], caller);
  try {
    const result = await (fn as (input?: unknown) => Promise<unknown>)(undefined);
    // A subscription's middleware has run by the time the call returns its iterable;
    // end it rather than wait for an event.
    if (result && typeof result === 'object' && Symbol.asyncIterator in result) {
      await (result as AsyncIterable<unknown>)[Symbol.asyncIterator]().return?.();
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
  // The harness' member manages no team: a team lead's permission is refused them.
  if (TEAM_LEAD_PERMISSIONS.includes(access)) return role === 'admin' ? 'ALLOWED' : 'FORBIDDEN';
  return roleHas(role, access) ? 'ALLOWED' : 'FORBIDDEN';
}

describe('every procedure declares its access', () => {
  it('finds procedures to check', () => {
    expect(procedures.length).toBeGreaterThan(5);
  });

  it.each(procedures)('%s declares public, authenticated or a known permission', (_path, procedure) => {
    const access = procedure._def.meta?.access;
    expect(access, 'build it with publicProcedure, authedProcedure, permissionProcedure(...) or resourceProcedure(...)').toBeDefined();
    expect(['public', 'authenticated', ...Object.keys(PERMISSIONS)]).toContain(access);
  });

  it('keeps public procedures to sign-in, the session probe and health', () => {
    const publicPaths = procedures.filter(([, p]) => p._def.meta?.access === 'public').map(([path]) => path);
    expect(publicPaths.sort()).toEqual(['auth.me', 'auth.signIn', 'health.check']);
  });
});

describe('every procedure that takes a resource’s identity names the resource', () => {
  it('recognises resource identities in the inputs it reads', () => {
    expect(inputKeys(z.object({ id: z.number() }).refine(() => true))).toEqual(['id']);
    expect(inputKeys(z.object({ name: z.string() }).transform((input) => input.name))).toEqual(['name']);
    expect(inputKeys(z.object({ cursor: z.number() }).optional())).toEqual(['cursor']);
    expect(inputKeys('not a schema')).toBeNull();
  });

  it.each(procedures)('%s declares meta.resource or meta.creates when its input names one', (path, procedure) => {
    const { meta, inputs } = procedure._def;
    const keys = inputs.map((schema) => {
      const read = inputKeys(schema);
      expect(read, `${path}: declare its input with a zod schema, so this walk can read it`).not.toBeNull();
      return read ?? [];
    });
    const identities = keys.flat().filter((key) => RESOURCE_IDENTITY_KEYS.includes(key));
    if (meta?.resource !== undefined) expect(RESOURCE_TYPES).toContain(meta.resource);
    if (meta?.creates !== undefined) expect(RESOURCE_TYPES).toContain(meta.creates);
    if (identities.length === 0) return;
    expect(
      meta?.resource ?? meta?.creates,
      `${path} takes ${identities.join(', ')}: build it with resourceProcedure(...) so authorize sees the resource, or permissionProcedure(p, { creates })`,
    ).toBeDefined();
  });
});

describe('access matrix: signed out, member, admin', () => {
  let harness: RouterHarness;
  beforeAll(async () => {
    harness = await routerHarness();
  });
  afterAll(() => harness?.cp.close());

  const callerFor = (role: Role | null): Caller =>
    role === null ? harness.anonymous : role === 'member' ? harness.asMember : harness.asAdmin;

  for (const [path, procedure] of procedures) {
    if (path === 'auth.signOut') continue; // would end the harness' own session; covered in auth tests
    const access = procedure._def.meta?.access ?? 'public';
    for (const role of [null, 'member', 'admin'] as const) {
      const expected = expectedFor(access, role);
      it(`${path} as ${role ?? 'signed out'} → ${expected}`, async () => {
        const code = await errorCodeOf(callerFor(role), path);
        if (expected === 'ALLOWED') expect(['UNAUTHORIZED', 'FORBIDDEN']).not.toContain(code);
        else expect(code).toBe(expected);
      });
    }
  }
});

/**
 * Clusters and workspaces are decided on the resource too: a member holds nothing on
 * them without a workspace role. Every procedure on a cluster or workspace is called here
 * as a member without any role, with an input that passes its schema; each must answer
 * FORBIDDEN. A new such procedure fails until it is given an input below.
 */
describe('access on clusters and workspaces: a member without a workspace role', () => {
  let harness: RouterHarness;
  beforeAll(async () => {
    harness = await routerHarness();
  });
  afterAll(() => harness?.cp.close());

  const VALID_INPUTS: Record<string, unknown> = {
    'clusters.get': { name: 'some-cluster' },
    'clusters.attachStatus': { name: 'some-cluster' },
    'clusters.connectionHistory': { name: 'some-cluster' },
    'clusters.nodes': { name: 'some-cluster' },
    'clusters.metrics.charts': { name: 'some-cluster' },
    'clusters.metrics.chart': { name: 'some-cluster', chartId: 'gpu.temperature', range: { preset: '1h' } },
    'clusters.updateSettings': { name: 'some-cluster' },
    'clusters.updateEnvironments': { name: 'some-cluster', environmentIds: [1] },
    'clusters.updateAddons': { name: 'some-cluster', addons: {} },
    'clusters.rotateToken': { name: 'some-cluster' },
    'clusters.detach': { name: 'some-cluster', confirmName: 'some-cluster' },
    'clusters.onChange': { name: 'some-cluster' },
    'workspaces.list': { clusterId: 1 },
    'workspaces.get': { clusterName: 'some-cluster', name: 'some-workspace' },
    'workspaces.formOptions': { clusterId: 1 },
    'workspaces.update': { id: 1, environmentId: 1 },
    'workspaces.delete': { id: 1 },
    'workspaces.reapply': { id: 1 },
    'workspaces.roles.list': { id: 1 },
    'workspaces.roles.candidates': { id: 1 },
    'workspaces.roles.grant': { id: 1, userId: 1, role: 'viewer' },
    'workspaces.roles.revoke': { id: 1, userId: 1 },
    'mlRepos.accessOf': { subject: { kind: 'workspace', workspaceId: 1 } },
    'mlRepos.get': { name: 'some-repo' },
    'mlRepos.update': { name: 'some-repo', description: 'x' },
    'mlRepos.delete': { name: 'some-repo', confirmName: 'some-repo' },
    'mlRepos.grants.list': { name: 'some-repo' },
    'mlRepos.grants.grant': { name: 'some-repo', subject: { kind: 'user', userId: 1 }, role: 'viewer' },
    'mlRepos.grants.changeRole': { name: 'some-repo', grantId: 1, role: 'viewer' },
    'mlRepos.grants.revoke': { name: 'some-repo', grantId: 1 },
    'mlRepos.grantCandidates': { name: 'some-repo', kind: 'user' },
    'mlRepos.whoCanAccess': { name: 'some-repo' },
    'mlRepos.checkAccess': { repo: 'some-repo', subject: { kind: 'user', userId: 1 } },
    'mlRepos.audit': { name: 'some-repo' },
    'mlRepos.artifacts.list': { name: 'some-repo' },
    'mlRepos.artifacts.downloadUrl': { name: 'some-repo', key: 'models/a.bin' },
    'mlRepos.artifacts.uploadUrl': { name: 'some-repo', fileName: 'a.bin', size: 1 },
    'workspaces.roles.teams': { id: 1 },
    'workspaces.roles.teamCandidates': { id: 1 },
    'workspaces.roles.grantTeam': { id: 1, teamId: 1, role: 'viewer' },
    'workspaces.roles.revokeTeam': { id: 1, teamId: 1 },
  };

  const scoped = procedures.filter(([, p]) => p._def.meta?.resource === 'cluster' || p._def.meta?.resource === 'workspace');

  it('finds them', () => expect(scoped.length).toBeGreaterThan(10));

  it.each(scoped)('%s → FORBIDDEN', async (path) => {
    expect(Object.keys(VALID_INPUTS), `${path}: add an input that passes its schema to VALID_INPUTS`).toContain(path);
    const fn = path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], harness.asMember);
    let code: string | null = null;
    try {
      const result = await (fn as (input: unknown) => Promise<unknown>)(VALID_INPUTS[path]);
      if (result && typeof result === 'object' && Symbol.asyncIterator in result) {
        const iterator = (result as AsyncIterable<unknown>)[Symbol.asyncIterator]();
        try {
          await iterator.next();
        } finally {
          await iterator.return?.();
        }
      }
    } catch (error) {
      code = error instanceof TRPCError ? error.code : String(error);
    }
    expect(code).toBe('FORBIDDEN');
  });
});

/**
 * A team's members are changed by its managers only, and a user's page is a member's own
 * only: every procedure declaring `team.members.manage` or `user.profile.read` is called
 * as a member who manages no team, on someone else's page; each must answer FORBIDDEN.
 */
describe('access on teams and user pages: a member who manages no team', () => {
  let harness: RouterHarness;
  beforeAll(async () => {
    harness = await routerHarness();
  });
  afterAll(() => harness?.cp.close());

  const VALID_INPUTS: Record<string, unknown> = {
    'teams.memberCandidates': { teamId: 1, search: '' },
    'teams.addMember': { teamId: 1, userId: 1 },
    'teams.removeMember': { teamId: 1, userId: 1 },
    'teams.setMemberRole': { teamId: 1, userId: 1, role: 'manager' },
    'users.profile': { id: 1 },
  };

  const scoped = procedures.filter(([, p]) => p._def.meta?.access === 'team.members.manage' || p._def.meta?.access === 'user.profile.read');

  it('finds them', () => expect(scoped.length).toBeGreaterThanOrEqual(5));

  it.each(scoped)('%s → FORBIDDEN', async (path) => {
    expect(Object.keys(VALID_INPUTS), `${path}: add an input that passes its schema to VALID_INPUTS`).toContain(path);
    const fn = path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], harness.asMember);
    // User 1 is the harness' admin: someone else's page for the member.
    const code = await (fn as (input: unknown) => Promise<unknown>)(VALID_INPUTS[path]).then(
      () => null,
      (error: unknown) => (error instanceof TRPCError ? error.code : String(error)),
    );
    expect(code).toBe('FORBIDDEN');
  });
});

/**
 * Storage integrations are the admins' alone: every procedure declaring `storage.manage`
 * is called as a member with an input that passes its schema (so a refusal cannot come
 * from validation); each must answer FORBIDDEN.
 */
describe('access on storage integrations: a member', () => {
  let harness: RouterHarness;
  beforeAll(async () => {
    harness = await routerHarness();
  });
  afterAll(() => harness?.cp.close());

  const VALID_INPUTS: Record<string, unknown> = {
    'storage.create': {
      kind: 's3-compatible',
      name: 'member-attempt',
      endpoint: 'http://127.0.0.1:9000',
      rootUri: 's3://ml-artifacts/x',
      accessKeyId: 'S3RVER',
      secretAccessKey: 'S3RVER',
    },
    'storage.update': { id: 1, name: 'renamed' },
    'storage.replaceCredentials': { id: 1, kind: 's3-compatible', accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    'storage.delete': { id: 1 },
    'storage.testConnection': { id: 1 },
  };

  const scoped = procedures.filter(([, p]) => p._def.meta?.access === 'storage.manage');

  it('finds them', () => expect(scoped.length).toBeGreaterThanOrEqual(5));

  it.each(scoped)('%s → FORBIDDEN', async (path) => {
    expect(Object.keys(VALID_INPUTS), `${path}: add an input that passes its schema to VALID_INPUTS`).toContain(path);
    const fn = path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], harness.asMember);
    const code = await (fn as (input: unknown) => Promise<unknown>)(VALID_INPUTS[path]).then(
      () => null,
      (error: unknown) => (error instanceof TRPCError ? error.code : String(error)),
    );
    expect(code).toBe('FORBIDDEN');
  });
});
