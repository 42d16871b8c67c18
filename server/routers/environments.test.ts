import { TRPCError } from '@trpc/server';
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { routerHarness, type RouterHarness } from '@/testing/router-harness';

async function rejection(promise: Promise<unknown>): Promise<TRPCError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TRPCError);
  return error as TRPCError;
}

/** The field errors the client receives, as the error formatter shapes them. */
function fieldErrorsOf(error: TRPCError): Record<string, string[]> {
  const cause = error.cause as { fieldErrors?: Record<string, string[]>; issues?: { path: PropertyKey[]; message: string }[] } | undefined;
  if (cause?.fieldErrors) return cause.fieldErrors;
  const out: Record<string, string[]> = {};
  for (const issue of cause?.issues ?? []) (out[String(issue.path[0])] ??= []).push(issue.message);
  return out;
}

const valid = { name: 'gpu-research', color: '#0EA5E9', isProduction: false, optimizeFor: 'cost' as const };

describe('environments router', () => {
  let h: RouterHarness;
  beforeEach(async () => {
    h = await routerHarness();
  });
  afterEach(() => h.cp.close());

  const rowCount = async () => (await h.store.db.select().from(h.store.tables.environments)).length;
  const auditRows = () => h.store.db.select().from(h.store.tables.auditEvents);
  const auditCount = async () => (await auditRows()).length;
  async function auditRowOf(action: string) {
    const { auditEvents } = h.store.tables;
    const [row] = await h.store.db.select().from(auditEvents).where(eq(auditEvents.action, action)).limit(1);
    return row;
  }

  it('when an admin creates an environment, then it is listed and one audit row records it', async () => {
    const created = await h.asAdmin.environments.create(valid);
    expect(created.color).toBe('#0ea5e9');
    const listed = await h.asMember.environments.list();
    expect(listed.map((e) => e.name)).toContain('gpu-research');
    const audit = await auditRows();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: 'environment.create', targetId: String(created.id), actorUserId: h.admin.userId, before: null });
    expect(audit[0]?.after).toMatchObject({ name: 'gpu-research', optimizeFor: 'cost' });
  });

  it.each([
    ['an empty name', { ...valid, name: '' }, 'name', 'Name is required'],
    ['a name with capitals', { ...valid, name: 'Prod' }, 'name', 'Use lower-case letters'],
    ['a bad colour', { ...valid, color: 'red' }, 'color', 'Colour must be a hex value'],
    ['an unknown optimizeFor', { ...valid, optimizeFor: 'speed' }, 'optimizeFor', 'Choose cost or availability'],
  ])('when the input has %s, then it is refused on that field and nothing is written', async (_case, input, field, message) => {
    const error = await rejection(h.asAdmin.environments.create(input as typeof valid));
    expect(error.code).toBe('BAD_REQUEST');
    expect(fieldErrorsOf(error)[field]?.join(' ')).toContain(message);
    expect(await rowCount()).toBe(0);
    expect(await auditCount()).toBe(0);
  });

  it('when the name is taken, then create is refused with a field error on name and nothing is written', async () => {
    await h.asAdmin.environments.create(valid);
    const error = await rejection(h.asAdmin.environments.create({ ...valid, color: '#000000' }));
    expect(error.code).toBe('CONFLICT');
    expect(fieldErrorsOf(error).name).toEqual(['Environment "gpu-research" already exists']);
    expect(await rowCount()).toBe(1);
    expect(await auditCount()).toBe(1);
  });

  it('when an admin edits an environment, then the audit row holds before and after', async () => {
    const env = await h.asAdmin.environments.create(valid);
    await h.asAdmin.environments.update({ ...valid, id: env.id, isProduction: true, optimizeFor: 'availability' });
    const row = await auditRowOf('environment.update');
    expect(row?.before).toMatchObject({ isProduction: false, optimizeFor: 'cost' });
    expect(row?.after).toMatchObject({ isProduction: true, optimizeFor: 'availability' });
  });

  it('when renaming onto another environment’s name, then it is refused and the row is unchanged', async () => {
    const a = await h.asAdmin.environments.create(valid);
    await h.asAdmin.environments.create({ ...valid, name: 'other' });
    const error = await rejection(h.asAdmin.environments.update({ ...valid, id: a.id, name: 'other' }));
    expect(error.code).toBe('CONFLICT');
    const { environments } = h.store.tables;
    const [row] = await h.store.db.select().from(environments).where(eq(environments.id, a.id));
    expect(row?.name).toBe('gpu-research');
  });

  it('when an unused environment is deleted, then it is gone and audited with its before state', async () => {
    const env = await h.asAdmin.environments.create(valid);
    await h.asAdmin.environments.delete({ id: env.id });
    expect(await rowCount()).toBe(0);
    const row = await auditRowOf('environment.delete');
    expect(row?.before).toMatchObject({ name: 'gpu-research' });
    expect(row?.after).toBeNull();
  });

  it('when a production environment is deleted, then its name must be typed to confirm', async () => {
    const env = await h.asAdmin.environments.create({ ...valid, isProduction: true });
    for (const confirmName of [undefined, 'gpu-researc']) {
      const error = await rejection(h.asAdmin.environments.delete({ id: env.id, confirmName }));
      expect(error.code).toBe('BAD_REQUEST');
      expect(fieldErrorsOf(error).confirmName).toEqual(['"gpu-research" is a production environment: type its name to confirm']);
    }
    expect(await rowCount()).toBe(1);
    expect(await auditCount()).toBe(1);
    await h.asAdmin.environments.delete({ id: env.id, confirmName: 'gpu-research' });
    expect(await rowCount()).toBe(0);
  });

  it('when an environment is in use by a cluster or workspace, then delete is refused naming them', async () => {
    const env = await h.asAdmin.environments.create(valid);
    const workspaceId = await h.store.transaction(async (tx) => {
      const { clusterEnvironments, clusters, workspaces } = h.store.tables;
      const [cluster] = await tx
        .insert(clusters)
        .values({ name: 'gpu-west', provider: 'coreweave-cks', region: 'US-EAST-04', prometheusUrl: 'http://p:9090', nodePoolLabel: 'a/b', gpuTypeLabel: 'a/c' })
        .returning();
      await tx.insert(clusterEnvironments).values({ clusterId: cluster!.id, environmentId: env.id });
      const [workspace] = await tx.insert(workspaces).values({ clusterId: cluster!.id, name: 'team-a', environmentId: env.id }).returning();
      return workspace!.id;
    });
    expect((await h.asAdmin.environments.list()).find((e) => e.id === env.id)).toMatchObject({ clusterCount: 1, workspaceCount: 1 });
    // A member counts only what they may see: nothing without a workspace role, then that workspace and its cluster.
    expect((await h.asMember.environments.list()).find((e) => e.id === env.id)).toMatchObject({ clusterCount: 0, workspaceCount: 0 });
    await h.asAdmin.workspaces.roles.grant({ id: workspaceId, userId: h.member.userId, role: 'viewer' });
    expect((await h.asMember.environments.list()).find((e) => e.id === env.id)).toMatchObject({ clusterCount: 1, workspaceCount: 1 });
    const error = await rejection(h.asAdmin.environments.delete({ id: env.id }));
    expect(error.code).toBe('PRECONDITION_FAILED');
    expect(error.message).toContain('clusters gpu-west');
    expect(error.message).toContain('workspaces gpu-west:team-a');
    expect(await rowCount()).toBe(1);
  });

  it('when a member tries to change environments, then the server answers FORBIDDEN and writes nothing', async () => {
    const error = await rejection(h.asMember.environments.create(valid));
    expect(error.code).toBe('FORBIDDEN');
    expect(await rowCount()).toBe(0);
  });

  it('when a member tries to edit or delete an existing environment, then FORBIDDEN and the row is unchanged', async () => {
    const env = await h.asAdmin.environments.create(valid);
    expect((await rejection(h.asMember.environments.update({ ...valid, id: env.id, name: 'renamed' }))).code).toBe('FORBIDDEN');
    expect((await rejection(h.asMember.environments.delete({ id: env.id }))).code).toBe('FORBIDDEN');
    expect(await rowCount()).toBe(1);
    expect(await auditCount()).toBe(1);
  });
});
