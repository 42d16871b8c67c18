/**
 * The demo's teams, storage and ML repos, seeded through the same services the
 * dashboard calls: two teams (ml-research, led by Lena Lead), an S3-compatible storage
 * integration on the demo's s3rver, two workspaces (ml-research edits the staging one), and three repos whose grants show
 * every case the Access tab explains — a user, a team and a workspace (one in a
 * production environment), one grant expiring soon and one expired. A few small objects
 * (models/, artifacts/, runs/) sit in each repo. Seeded once; later starts only make sure
 * the sample objects and the storage endpoint are there.
 */
import { and, eq } from 'drizzle-orm';
import type { GrantSubject } from '@/lib/schemas/ml-repo';
import { createRepoInput } from '@/lib/schemas/ml-repo';
import { createStorageIntegrationInput } from '@/lib/schemas/storage';
import { createWorkspaceInput } from '@/lib/schemas/workspace';
import type { RepoRole } from '@/lib/ml-repos';
import type { TeamMemberRole } from '@/lib/teams';
import type { ControlPlane } from '@/server/control-plane';
import type { Actor } from '@/server/services/audit';
import { createGrant } from '@/server/services/ml-repos/grants';
import { createRepo } from '@/server/services/ml-repos/repos';
import { createStorageIntegration, updateStorageIntegration } from '@/server/services/storage-integrations/integrations';
import { addTeamMember } from '@/server/services/teams/members';
import { createTeam } from '@/server/services/teams/mutations';
import { createUser } from '@/server/services/users';
import { createWorkspace } from '@/server/services/workspaces/mutations';
import { grantWorkspaceTeamRole } from '@/server/services/workspaces/roles';
import { DEMO_BUCKET, DEMO_S3_CREDENTIALS } from './storage-server';

export const DEMO_STORAGE_NAME = 'demo-lake';
export const DEMO_STORAGE_ROOT = `s3://${DEMO_BUCKET}/fleetdeck`;

export const DEMO_PEOPLE = [
  { email: 'lena.lead@fleetdeck.local', name: 'Lena Lead' },
  { email: 'ana@fleetdeck.local', name: 'Ana Researcher' },
  { email: 'ravi@fleetdeck.local', name: 'Ravi Researcher' },
  { email: 'pia.platform@fleetdeck.local', name: 'Pia Platform' },
] as const;
type PersonEmail = (typeof DEMO_PEOPLE)[number]['email'];

export const DEMO_TEAMS: { name: string; description: string; members: [PersonEmail, TeamMemberRole][] }[] = [
  {
    name: 'ml-research',
    description: 'Trains and evaluates the vision and speech models.',
    members: [
      ['lena.lead@fleetdeck.local', 'manager'],
      ['ana@fleetdeck.local', 'member'],
      ['ravi@fleetdeck.local', 'member'],
    ],
  },
  { name: 'platform', description: 'Runs the clusters and the serving stack.', members: [['pia.platform@fleetdeck.local', 'manager']] },
];

/** Workspaces the repos are granted to: one in production, one in staging. */
export const DEMO_WORKSPACES = [
  { cluster: 'eks-prod-use1', name: 'inference', environment: 'prod' },
  { cluster: 'gke-staging-usc1', name: 'training', environment: 'staging' },
] as const;

/** Workspace roles given to whole teams: ml-research works in the staging training workspace. */
export const DEMO_TEAM_WORKSPACE_ROLES = [{ team: 'ml-research', workspace: 'gke-staging-usc1:training', role: 'editor' }] as const;

const DAY = 24 * 60 * 60 * 1000;

type DemoGrant = {
  subject: { user: PersonEmail } | { team: string } | { workspace: `${string}:${string}` };
  role: RepoRole;
  /** Days from now; negative: already expired (granted a month ago). */
  expiresInDays?: number;
};

/** Each repo is created by Lena Lead (a team lead), who becomes its admin. */
export const DEMO_REPOS: { name: string; description: string; grants: DemoGrant[] }[] = [
  {
    name: 'vision-models',
    description: 'Image classifiers and detectors, from training runs to the weights serving reads.',
    grants: [
      { subject: { team: 'ml-research' }, role: 'editor' },
      { subject: { workspace: 'eks-prod-use1:inference' }, role: 'viewer' },
      { subject: { user: 'pia.platform@fleetdeck.local' }, role: 'viewer', expiresInDays: 5 },
    ],
  },
  {
    name: 'llm-finetune',
    description: 'Fine-tuning runs of the support assistant: datasets, checkpoints and evaluations.',
    grants: [
      { subject: { workspace: 'gke-staging-usc1:training' }, role: 'editor' },
      { subject: { team: 'platform' }, role: 'viewer', expiresInDays: 11 },
      { subject: { user: 'ravi@fleetdeck.local' }, role: 'editor', expiresInDays: -2 },
    ],
  },
  {
    name: 'speech-eval',
    description: 'Word-error-rate evaluations of the speech models.',
    grants: [{ subject: { user: 'ana@fleetdeck.local' }, role: 'admin' }],
  },
];

/**
 * Small sample objects per repo, relative to the repo. Every folder holds a file of its
 * own: s3rver lists a sub-folder only when an object sits directly in it.
 */
function sampleObjects(repo: string): Record<string, string> {
  return {
    'README.md': `# ${repo}\n\nSample objects seeded by the Fleetdeck demo.\n`,
    'models/index.json': JSON.stringify({ repo, versions: ['v1', 'v2'], serving: 'v2' }, null, 2),
    'models/v1/model.safetensors': `demo weights of ${repo} v1\n`,
    'models/v1/config.json': JSON.stringify({ architecture: 'demo', repo, version: 1 }, null, 2),
    'models/v2/model.safetensors': `demo weights of ${repo} v2 (fine-tuned)\n`,
    'models/v2/config.json': JSON.stringify({ architecture: 'demo', repo, version: 2 }, null, 2),
    'artifacts/metrics.json': JSON.stringify({ accuracy: 0.913, f1: 0.887 }, null, 2),
    'artifacts/confusion-matrix.csv': 'label,tp,fp,fn\ncat,91,4,5\ndog,88,7,6\n',
    'runs/index.json': JSON.stringify({ runs: ['2026-11-20-run-1', '2026-11-21-run-2'] }, null, 2),
    'runs/2026-11-20-run-1/params.json': JSON.stringify({ lr: 3e-4, batchSize: 64, epochs: 12 }, null, 2),
    'runs/2026-11-20-run-1/log.txt': 'epoch 1 loss 1.92\nepoch 12 loss 0.31\n',
    'runs/2026-11-21-run-2/params.json': JSON.stringify({ lr: 1e-4, batchSize: 128, epochs: 20 }, null, 2),
  };
}

const DEMO_ACTOR: Actor = { userId: null, label: 'demo-fleet', ip: null };

async function userIds(cp: ControlPlane, password: string): Promise<Map<string, { id: number; email: string }>> {
  const { users } = cp.store.tables;
  const ids = new Map<string, { id: number; email: string }>();
  for (const person of DEMO_PEOPLE) {
    const [existing] = await cp.store.db.select({ id: users.id, email: users.email }).from(users).where(eq(users.email, person.email)).limit(1);
    const user = existing ?? (await createUser(cp.store, DEMO_ACTOR, { ...person, role: 'member', password }));
    ids.set(person.email, { id: user.id, email: user.email });
  }
  return ids;
}

async function seedWorkspaces(cp: ControlPlane): Promise<Map<string, number>> {
  const { clusters, environments, workspaces } = cp.store.tables;
  const ids = new Map<string, number>();
  for (const ws of DEMO_WORKSPACES) {
    const [cluster] = await cp.store.db.select({ id: clusters.id }).from(clusters).where(eq(clusters.name, ws.cluster)).limit(1);
    const [env] = await cp.store.db.select({ id: environments.id }).from(environments).where(eq(environments.name, ws.environment)).limit(1);
    if (!cluster || !env) continue;
    const [existing] = await cp.store.db
      .select({ id: workspaces.id })
      .from(workspaces)
      .where(and(eq(workspaces.clusterId, cluster.id), eq(workspaces.name, ws.name)))
      .limit(1);
    const row = existing ?? (await createWorkspace(cp, DEMO_ACTOR, createWorkspaceInput.parse({ name: ws.name, clusterId: cluster.id, environmentId: env.id })));
    ids.set(`${ws.cluster}:${ws.name}`, row.id);
  }
  return ids;
}

async function seedTeams(cp: ControlPlane, people: Map<string, { id: number }>): Promise<Map<string, number>> {
  const { teams } = cp.store.tables;
  const ids = new Map<string, number>();
  for (const team of DEMO_TEAMS) {
    const [existing] = await cp.store.db.select({ id: teams.id }).from(teams).where(eq(teams.name, team.name)).limit(1);
    if (existing) {
      ids.set(team.name, existing.id);
      continue;
    }
    const created = await createTeam(cp.store, DEMO_ACTOR, { name: team.name, description: team.description });
    for (const [email, role] of team.members) await addTeamMember(cp.store, DEMO_ACTOR, { teamId: created.id, userId: people.get(email)!.id, role });
    ids.set(team.name, created.id);
  }
  return ids;
}

/** The demo's storage integration, pointed at `endpoint` (the s3rver port may differ from the last start). */
async function seedStorage(cp: ControlPlane, endpoint: string) {
  const { storageIntegrations } = cp.store.tables;
  const [existing] = await cp.store.db.select().from(storageIntegrations).where(eq(storageIntegrations.name, DEMO_STORAGE_NAME)).limit(1);
  if (!existing) {
    const input = createStorageIntegrationInput.parse({
      kind: 's3-compatible',
      name: DEMO_STORAGE_NAME,
      endpoint,
      rootUri: DEMO_STORAGE_ROOT,
      ...DEMO_S3_CREDENTIALS,
    });
    await createStorageIntegration(cp.store, cp.secrets, DEMO_ACTOR, input);
  } else if (existing.settings.endpoint !== endpoint) {
    await updateStorageIntegration(cp.store, DEMO_ACTOR, { id: existing.id, name: existing.name, endpoint });
  }
  const [row] = await cp.store.db.select().from(storageIntegrations).where(eq(storageIntegrations.name, DEMO_STORAGE_NAME)).limit(1);
  return row!;
}

async function seedRepos(
  cp: ControlPlane,
  storageIntegrationId: number,
  ids: { people: Map<string, { id: number; email: string }>; teams: Map<string, number>; workspaces: Map<string, number> },
) {
  const { mlRepos } = cp.store.tables;
  const lead = ids.people.get('lena.lead@fleetdeck.local')!;
  const leadActor: Actor = { userId: lead.id, label: lead.email, ip: null };
  for (const repo of DEMO_REPOS) {
    const [existing] = await cp.store.db.select({ id: mlRepos.id }).from(mlRepos).where(eq(mlRepos.name, repo.name)).limit(1);
    if (existing) continue;
    await createRepo(cp.store, leadActor, createRepoInput.parse({ name: repo.name, description: repo.description, storageIntegrationId }));
    for (const grant of repo.grants) {
      const subject: GrantSubject | null =
        'user' in grant.subject
          ? { kind: 'user', userId: ids.people.get(grant.subject.user)!.id }
          : 'team' in grant.subject
            ? { kind: 'team', teamId: ids.teams.get(grant.subject.team)! }
            : ids.workspaces.has(grant.subject.workspace)
              ? { kind: 'workspace', workspaceId: ids.workspaces.get(grant.subject.workspace)! }
              : null;
      if (!subject) continue;
      const expiresAt = grant.expiresInDays === undefined ? null : new Date(Date.now() + grant.expiresInDays * DAY);
      // An expired grant is granted "a month ago", when its expiry was still ahead.
      const grantedAt = grant.expiresInDays !== undefined && grant.expiresInDays < 0 ? new Date(Date.now() - 30 * DAY) : new Date();
      await createGrant(cp.store, leadActor, { name: repo.name, subject, role: grant.role, expiresAt }, grantedAt);
    }
  }
}

/** Puts the sample objects in each repo whose folder is still empty, through presigned URLs as the dashboard does. */
async function seedObjects(cp: ControlPlane, integration: Parameters<ControlPlane['storage']['driverFor']>[0]) {
  const driver = cp.storage.driverFor(integration);
  for (const repo of DEMO_REPOS) {
    const listing = await driver.list(`${repo.name}/`, { limit: 1 });
    if (listing.folders.length > 0 || listing.objects.length > 0) continue;
    for (const [key, body] of Object.entries(sampleObjects(repo.name))) {
      const url = await driver.presignUpload(`${repo.name}/${key}`, 60);
      const response = await fetch(url, { method: 'PUT', body });
      if (!response.ok) throw new Error(`uploading the demo object ${repo.name}/${key} failed: HTTP ${response.status}`);
    }
  }
}

/** Seeds what is missing; returns what a visitor can sign in as. */
export async function seedDemoMlRepos(cp: ControlPlane, options: { storageEndpoint: string; password: string }): Promise<{ lead: string }> {
  const people = await userIds(cp, options.password);
  const teams = await seedTeams(cp, people);
  const workspaces = await seedWorkspaces(cp);
  for (const grant of DEMO_TEAM_WORKSPACE_ROLES) {
    const [teamId, workspaceId] = [teams.get(grant.team), workspaces.get(grant.workspace)];
    // Granting the role a team already holds changes nothing (and audits nothing).
    if (teamId && workspaceId) await grantWorkspaceTeamRole(cp, DEMO_ACTOR, { id: workspaceId, teamId, role: grant.role });
  }
  const integration = await seedStorage(cp, options.storageEndpoint);
  await seedRepos(cp, integration.id, { people, teams, workspaces });
  await seedObjects(cp, integration);
  return { lead: 'lena.lead@fleetdeck.local' };
}
