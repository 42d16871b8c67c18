import { TRPCError } from '@trpc/server';
import { eq } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { auditEvents, clusterEnvironments, clusters, environments, workspaces } from '@/db/schema';
import { routerHarness } from '@/testing/router-harness';

type Harness = ReturnType<typeof routerHarness>;

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
  let h: Harness;
  beforeEach(() => {
    h = routerHarness();
  });

  const rowCount = () => h.db.select().from(environments).all().length;
  const auditCount = () => h.db.select().from(auditEvents).all().length;

  it('when an admin creates an environment, then it is listed and one audit row records it', async () => {
    const created = await h.asAdmin.environments.create(valid);
    expect(created.color).toBe('#0ea5e9');
    const listed = await h.asMember.environments.list();
    expect(listed.map((e) => e.name)).toContain('gpu-research');
    const audit = h.db.select().from(auditEvents).all();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: 'environment.create', targetId: String(created.id), actorUserId: h.admin.id, before: null });
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
    expect(rowCount()).toBe(0);
    expect(auditCount()).toBe(0);
  });

  it('when the name is taken, then create is refused with a field error on name and nothing is written', async () => {
    await h.asAdmin.environments.create(valid);
    const error = await rejection(h.asAdmin.environments.create({ ...valid, color: '#000000' }));
    expect(error.code).toBe('CONFLICT');
    expect(fieldErrorsOf(error).name).toEqual(['Environment "gpu-research" already exists']);
    expect(rowCount()).toBe(1);
    expect(auditCount()).toBe(1);
  });

  it('when an admin edits an environment, then the audit row holds before and after', async () => {
    const env = await h.asAdmin.environments.create(valid);
    await h.asAdmin.environments.update({ ...valid, id: env.id, isProduction: true, optimizeFor: 'availability' });
    const row = h.db.select().from(auditEvents).where(eq(auditEvents.action, 'environment.update')).get();
    expect(row?.before).toMatchObject({ isProduction: false, optimizeFor: 'cost' });
    expect(row?.after).toMatchObject({ isProduction: true, optimizeFor: 'availability' });
  });

  it('when renaming onto another environment’s name, then it is refused and the row is unchanged', async () => {
    const a = await h.asAdmin.environments.create(valid);
    await h.asAdmin.environments.create({ ...valid, name: 'other' });
    const error = await rejection(h.asAdmin.environments.update({ ...valid, id: a.id, name: 'other' }));
    expect(error.code).toBe('CONFLICT');
    expect(h.db.select().from(environments).where(eq(environments.id, a.id)).get()?.name).toBe('gpu-research');
  });

  it('when an unused environment is deleted, then it is gone and audited with its before state', async () => {
    const env = await h.asAdmin.environments.create(valid);
    await h.asAdmin.environments.delete({ id: env.id });
    expect(rowCount()).toBe(0);
    const row = h.db.select().from(auditEvents).where(eq(auditEvents.action, 'environment.delete')).get();
    expect(row?.before).toMatchObject({ name: 'gpu-research' });
    expect(row?.after).toBeNull();
  });

  it('when an environment is in use by a cluster or workspace, then delete is refused naming them', async () => {
    const env = await h.asAdmin.environments.create(valid);
    const cluster = h.db
      .insert(clusters)
      .values({ name: 'gpu-west', provider: 'coreweave-cks', region: 'US-EAST-04', prometheusUrl: 'http://p:9090', nodePoolLabel: 'a/b', gpuTypeLabel: 'a/c' })
      .returning()
      .get();
    h.db.insert(clusterEnvironments).values({ clusterId: cluster.id, environmentId: env.id }).run();
    h.db.insert(workspaces).values({ clusterId: cluster.id, name: 'team-a', environmentId: env.id }).run();
    const error = await rejection(h.asAdmin.environments.delete({ id: env.id }));
    expect(error.code).toBe('PRECONDITION_FAILED');
    expect(error.message).toContain('clusters gpu-west');
    expect(error.message).toContain('workspaces gpu-west:team-a');
    expect(rowCount()).toBe(1);
  });

  it('when a member tries to change environments, then the server answers FORBIDDEN and writes nothing', async () => {
    const error = await rejection(h.asMember.environments.create(valid));
    expect(error.code).toBe('FORBIDDEN');
    expect(rowCount()).toBe(0);
  });
});
