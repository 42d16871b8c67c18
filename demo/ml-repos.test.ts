import { eq } from 'drizzle-orm';
import { afterEach, expect, it } from 'vitest';
import { DEMO_REPOS, seedDemoMlRepos } from '@/demo/ml-repos';
import { callerFor, createTestControlPlane } from '@/testing/router-harness';
import { startS3rver, type S3Server } from '@/testing/s3rver';
import type { ControlPlane } from '@/server/control-plane';

let cp: ControlPlane | undefined;
let s3: S3Server | undefined;
afterEach(async () => {
  await cp?.close();
  await s3?.close();
});

it("the demo's teams, storage and ML repos: seeded through the services, once, with sample objects a team lead sees", async () => {
  cp = await createTestControlPlane();
  s3 = await startS3rver({ buckets: ['ml-artifacts'] });
  const first = await seedDemoMlRepos(cp, { storageEndpoint: s3.endpoint, password: 'demo-password-1' });
  // A second start adds nothing.
  await seedDemoMlRepos(cp, { storageEndpoint: s3.endpoint, password: 'demo-password-1' });

  const { mlRepoGrants, mlRepos, teams, users, auditEvents } = cp.store.tables;
  expect((await cp.store.db.select().from(mlRepos)).map((r) => r.name).sort()).toEqual(DEMO_REPOS.map((r) => r.name).sort());
  expect((await cp.store.db.select().from(teams)).map((t) => t.name).sort()).toEqual(['ml-research', 'platform']);
  const grants = await cp.store.db.select().from(mlRepoGrants);
  // The creator's admin grant on each repo, plus the listed ones (no clusters here, so no workspace grants).
  const listed = DEMO_REPOS.flatMap((r) => r.grants).filter((g) => !('workspace' in g.subject));
  expect(grants).toHaveLength(DEMO_REPOS.length + listed.length);
  expect(grants.some((g) => g.expiresAt && g.expiresAt < new Date())).toBe(true);
  expect((await cp.store.db.select().from(auditEvents).where(eq(auditEvents.action, 'mlRepo.grant.create'))).length).toBe(listed.length);

  const [lead] = await cp.store.db.select().from(users).where(eq(users.email, first.lead));
  const asLead = callerFor(cp, { kind: 'user', userId: lead!.id, email: lead!.email, name: lead!.name, role: lead!.role, sessionTokenHash: 'demo' });
  const home = await asLead.mlRepos.home.teamLead();
  expect(home.managedTeams.map((t) => t.name)).toEqual(['ml-research']);
  expect(home.repos.map((r) => r.name)).toEqual(['llm-finetune', 'speech-eval', 'vision-models']);
  expect(home.expiringGrants.map((g) => [g.repoName, g.subjectLabel])).toEqual([
    ['vision-models', 'Pia Platform (pia.platform@fleetdeck.local)'],
    ['llm-finetune', 'platform'],
  ]);

  const top = await asLead.mlRepos.artifacts.list({ name: 'vision-models' });
  expect(top.folders.map((f) => f.name)).toEqual(['artifacts', 'models', 'runs']);
  const models = await asLead.mlRepos.artifacts.list({ name: 'vision-models', folder: 'models' });
  expect(models.folders.map((f) => f.name)).toEqual(['v1', 'v2']);
});
