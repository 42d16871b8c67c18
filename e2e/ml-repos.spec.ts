/**
 * Issue 11, as a team lead (a member who manages a team, not a tenant admin): create an
 * ML repo on an S3-compatible integration (s3rver on E2E_S3_PORT), grant a team viewer and
 * a production workspace editor, read "who can access this, and why" (direct, via team,
 * via workspace), change a role, revoke a grant, upload through a presigned URL from the
 * page, and find every step in the repo's audit trail; the lead's `/` starts with the
 * repos they administer. A plain member with a viewer grant sees no grant control, and the
 * server answers their direct grant call FORBIDDEN.
 */
import type { APIRequestContext } from '@playwright/test';
import { E2E_ADMIN, E2E_MEMBER, E2E_S3_PORT } from './env';
import { expect, test, trpc } from './fixtures';
import { MlReposPage } from './pages/ml-repos-page';

const suffix = Date.now().toString(36);
const LEADS = `leads-${suffix}`;
const READERS = `readers-${suffix}`;
const REPO = `vision-${suffix}`;
const STORAGE = `e2e-s3-${suffix}`;
const CLUSTER = `mlr-prod-${suffix}`;
const WORKSPACE_FQN = `${CLUSTER}:serving`;
const READER = { email: `reader-${suffix}@e2e.test`, name: 'Rita Reader', password: 'rita-reader-password' };
const OPERATOR = { email: `operator-${suffix}@e2e.test`, name: 'Otto Operator', password: 'otto-operator-password' };
const PLAIN = { email: `plain-${suffix}@e2e.test`, name: 'Paul Plain', password: 'paul-plain-password' };

async function userId(request: APIRequestContext, email: string): Promise<number> {
  const users = await trpc<{ id: number; email: string }[]>(request, 'users.list', undefined, 'query');
  const found = users.find((u) => u.email === email);
  if (!found) throw new Error(`no user ${email}`);
  return found.id;
}

test.describe.configure({ mode: 'serial' });

test.describe('ML repos, as a team lead', () => {
  test.beforeAll(async ({ playwright }, workerInfo) => {
    const request = await playwright.request.newContext({ baseURL: workerInfo.project.use.baseURL });
    await trpc(request, 'auth.signIn', E2E_ADMIN);
    for (const person of [READER, OPERATOR, PLAIN]) await trpc(request, 'users.create', { ...person, role: 'member' });
    if (!(await trpc<{ email: string }[]>(request, 'users.list', undefined, 'query')).some((u) => u.email === E2E_MEMBER.email)) {
      await trpc(request, 'users.create', { ...E2E_MEMBER, name: 'Morgan Member', role: 'member' });
    }
    // The e2e member manages a team (a team lead); a second team has a reader in it.
    const leads = await trpc<{ id: number }>(request, 'teams.create', { name: LEADS, description: 'Team leads of the e2e' });
    await trpc(request, 'teams.addMember', { teamId: leads.id, userId: await userId(request, E2E_MEMBER.email), role: 'manager' });
    const readers = await trpc<{ id: number }>(request, 'teams.create', { name: READERS, description: 'Reads the models' });
    await trpc(request, 'teams.addMember', { teamId: readers.id, userId: await userId(request, READER.email), role: 'member' });
    // A workspace in a production environment, with an operator holding a role on it.
    const environments = await trpc<{ id: number; name: string }[]>(request, 'environments.list', undefined, 'query');
    const prod = environments.find((env) => env.name === 'prod');
    if (!prod) throw new Error('no prod environment');
    const { cluster } = await trpc<{ cluster: { id: number } }>(request, 'clusters.attach', {
      name: CLUSTER,
      provider: 'aws-eks',
      region: 'us-east-1',
      environmentIds: [prod.id],
    });
    const workspace = await trpc<{ id: number }>(request, 'workspaces.create', { name: 'serving', clusterId: cluster.id, environmentId: prod.id });
    await trpc(request, 'workspaces.roles.grant', { id: workspace.id, userId: await userId(request, OPERATOR.email), role: 'editor' });
    await trpc(request, 'storage.create', {
      kind: 's3-compatible',
      name: STORAGE,
      endpoint: `http://127.0.0.1:${E2E_S3_PORT}`,
      rootUri: `s3://ml-artifacts/ml-repos-${suffix}`,
      accessKeyId: 'S3RVER',
      secretAccessKey: 'S3RVER',
    });
    await request.dispose();
  });

  test('creates a repo, grants a team and a workspace, reads who can access it and why, changes and revokes, and audits each step', async ({ memberPage }) => {
    const repos = new MlReposPage(memberPage);
    await repos.create({ name: REPO, description: 'Vision models of the e2e', storage: STORAGE });
    await expect(memberPage.getByText(`s3://ml-artifacts/ml-repos-${suffix}/${REPO}`).first()).toBeVisible();

    await repos.openTab(REPO, 'Access');
    await repos.grant('Team', READERS, 'viewer');
    await repos.grant('Workspace', WORKSPACE_FQN, 'editor');
    await expect(repos.rowOf(repos.grants, WORKSPACE_FQN)).toContainText('Production');

    // Who can access this repo, and why: each path in words.
    const who = repos.whoCanAccess;
    await expect(repos.rowOf(who, E2E_MEMBER.email)).toContainText('admin');
    await expect(repos.rowOf(who, E2E_MEMBER.email)).toContainText('direct');
    await expect(repos.rowOf(who, READER.email)).toContainText('viewer');
    await expect(repos.rowOf(who, READER.email)).toContainText(`via team ${READERS}`);
    await expect(repos.rowOf(who, OPERATOR.email)).toContainText('editor');
    await expect(repos.rowOf(who, OPERATOR.email)).toContainText(`via workspace ${WORKSPACE_FQN}`);
    await expect(repos.rowOf(who, WORKSPACE_FQN).filter({ hasNotText: '@' })).toContainText('editor');

    // Change the team's role: its member's effective role follows.
    await repos.changeRole(READERS, 'editor');
    await expect(repos.rowOf(who, READER.email)).toContainText('editor');

    // Revoke the workspace's grant: the workspace and its operator lose access.
    await repos.revoke(WORKSPACE_FQN);
    await expect(repos.rowOf(who, OPERATOR.email)).toHaveCount(0);
    await expect(repos.rowOf(who, WORKSPACE_FQN)).toHaveCount(0);

    // A plain member gets a viewer grant (checked from their side below).
    await repos.grant('User', PLAIN.email, 'viewer');

    // Upload from the page: a presigned PUT straight to the bucket, then listed.
    await repos.openTab(REPO, 'Artifacts');
    await expect(memberPage.getByText('Nothing stored here yet')).toBeVisible();
    await memberPage.getByLabel('File to upload').setInputFiles({ name: 'weights.bin', mimeType: 'application/octet-stream', buffer: Buffer.from('tensor bytes') });
    await expect(memberPage.getByText('Uploaded weights.bin')).toBeVisible();
    await expect(memberPage.getByRole('table', { name: `Artifacts in ${REPO}` })).toContainText('weights.bin');

    await repos.openTab(REPO, 'Audit');
    const audit = repos.auditEvents;
    for (const [action, times] of [
      ['mlRepo.create', 1],
      ['mlRepo.grant.create', 3],
      ['mlRepo.grant.update', 1],
      ['mlRepo.grant.delete', 1],
      ['mlRepo.artifact.upload', 1],
    ] as const) {
      await expect(audit.getByRole('cell', { name: action, exact: true }), action).toHaveCount(times);
    }
    await expect(repos.rowOf(audit, 'mlRepo.grant.delete')).toContainText(WORKSPACE_FQN);

    // The lead's home starts with the repos they administer.
    await memberPage.goto('/');
    const home = memberPage.getByRole('region', { name: 'Your ML repos' });
    await expect(home.getByRole('table', { name: 'Repos you administer' }).getByRole('link', { name: REPO, exact: true })).toBeVisible();
  });

  test('a plain member sees no grant control, and the server refuses their grant call', async ({ browser }) => {
    const context = await browser.newContext();
    await trpc(context.request, 'auth.signIn', PLAIN);
    const page = await context.newPage();
    const repos = new MlReposPage(page);
    await repos.openTab(REPO, 'Access');
    await expect(repos.rowOf(repos.grants, READERS)).toContainText('editor');
    await expect(repos.addGrantForm).toHaveCount(0);
    await expect(page.getByRole('button', { name: /^Revoke/ })).toHaveCount(0);
    await expect(repos.grants.getByRole('combobox')).toHaveCount(0);
    await expect(page.getByRole('button', { name: 'Delete repo' })).toHaveCount(0);
    // No Upload for a viewer either.
    await repos.openTab(REPO, 'Artifacts');
    await expect(page.getByRole('table', { name: `Artifacts in ${REPO}` })).toContainText('weights.bin');
    await expect(page.getByRole('button', { name: /^Upload/ })).toHaveCount(0);
    // A viewer downloads: the server issues a short-lived URL, the browser fetches the bytes from the bucket.
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download weights.bin' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toBe('weights.bin');
    const stream = await file.createReadStream();
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('tensor bytes');

    const response = await context.request.post('/api/trpc/mlRepos.grants.grant', {
      data: { json: { name: REPO, subject: { kind: 'user', userId: await userIdAsPlain(context.request) }, role: 'admin' } },
    });
    expect(response.status()).toBe(403);
    const body = (await response.json()) as { error: { json: { data: { code: string } } } };
    expect(body.error.json.data.code).toBe('FORBIDDEN');
    const grants = await trpc<{ subject: { label: string }; role: string }[]>(context.request, 'mlRepos.grants.list', { name: REPO }, 'query');
    expect(grants.filter((g) => g.role === 'admin')).toHaveLength(1);

    // Their `/` is the fleet overview alone.
    await page.goto('/');
    await expect(page.getByRole('heading', { name: 'Overview', level: 1 })).toBeVisible();
    await expect(page.getByRole('region', { name: 'Your ML repos' })).toHaveCount(0);
    await context.close();
  });
});

/** The signed-in caller's own id (auth.me). */
async function userIdAsPlain(request: APIRequestContext): Promise<number> {
  const me = await trpc<{ id: number } | null>(request, 'auth.me', undefined, 'query');
  if (!me) throw new Error('not signed in');
  return me.id;
}
