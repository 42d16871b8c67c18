import { describe, expect, it } from 'vitest';
import type { AccessPath, EffectiveAccess } from '@/lib/ml-repos';
import { effectiveAccess, type GrantFact, grantIsLive, type SubjectFacts } from './effective-access';

const NOW = new Date('2026-11-23T12:00:00.000Z');
const ms = (offset: number) => new Date(NOW.getTime() + offset);

const ADA = 1;
const PLATFORM = 10;
const DELETED_TEAM = 11;
const TRAIN = 100;
const SERVE = 101;

const userGrant = (id: number, role: GrantFact['role'], expiresAt: Date | null = null): GrantFact => ({ id, subject: { kind: 'user', userId: ADA }, role, expiresAt });
const teamGrant = (id: number, role: GrantFact['role'], teamId = PLATFORM, expiresAt: Date | null = null): GrantFact => ({
  id,
  subject: { kind: 'team', teamId },
  role,
  expiresAt,
});
const workspaceGrant = (id: number, role: GrantFact['role'], workspaceId = TRAIN, expiresAt: Date | null = null): GrantFact => ({
  id,
  subject: { kind: 'workspace', workspaceId },
  role,
  expiresAt,
});

/** Ada: in team ml-platform, editor on gpu-1:train, viewer on gpu-1:serve. */
const ada = (over: Partial<Extract<SubjectFacts, { kind: 'user' }>> = {}): SubjectFacts => ({
  kind: 'user',
  userId: ADA,
  active: true,
  teams: [{ teamId: PLATFORM, teamName: 'ml-platform' }],
  workspaces: [
    { workspaceId: TRAIN, workspaceFqn: 'gpu-1:train', role: 'editor' },
    { workspaceId: SERVE, workspaceFqn: 'gpu-1:serve', role: 'viewer' },
  ],
  ...over,
});
const train: SubjectFacts = { kind: 'workspace', workspaceId: TRAIN, workspaceFqn: 'gpu-1:train' };

const direct = (grantId: number): AccessPath => ({ via: 'direct', grantId });
const viaTeam = (grantId: number): AccessPath => ({ via: 'team', grantId, teamId: PLATFORM, teamName: 'ml-platform' });
const viaWorkspace = (grantId: number, workspaceId = TRAIN, workspaceFqn = 'gpu-1:train'): AccessPath => ({ via: 'workspace', grantId, workspaceId, workspaceFqn });

interface Case {
  name: string;
  grants: GrantFact[];
  subject: SubjectFacts;
  expected: EffectiveAccess;
}

const cases: Case[] = [
  // Direct vs team vs workspace: the highest wins, whichever path gives it.
  { name: 'no grant at all → none', grants: [], subject: ada(), expected: { access: 'none', path: null } },
  { name: 'direct only', grants: [userGrant(1, 'viewer')], subject: ada(), expected: { access: 'viewer', path: direct(1) } },
  { name: 'team beats a lower direct grant', grants: [userGrant(1, 'viewer'), teamGrant(2, 'editor')], subject: ada(), expected: { access: 'editor', path: viaTeam(2) } },
  {
    name: 'workspace beats lower direct and team grants',
    grants: [userGrant(1, 'viewer'), teamGrant(2, 'viewer'), workspaceGrant(3, 'editor')],
    subject: ada(),
    expected: { access: 'editor', path: viaWorkspace(3) },
  },
  { name: 'direct admin beats team editor', grants: [teamGrant(1, 'editor'), userGrant(2, 'admin')], subject: ada(), expected: { access: 'admin', path: direct(2) } },
  // Ties: the most direct path, then the oldest grant.
  { name: 'tie direct vs team → direct', grants: [teamGrant(1, 'editor'), userGrant(2, 'editor')], subject: ada(), expected: { access: 'editor', path: direct(2) } },
  { name: 'tie team vs workspace → team', grants: [workspaceGrant(1, 'editor'), teamGrant(2, 'editor')], subject: ada(), expected: { access: 'editor', path: viaTeam(2) } },
  {
    name: 'tie between two workspaces → the oldest grant',
    grants: [workspaceGrant(7, 'viewer', SERVE), workspaceGrant(3, 'viewer', TRAIN)],
    subject: ada(),
    expected: { access: 'viewer', path: viaWorkspace(3) },
  },
  // A workspace viewer gets at most viewer through the workspace.
  {
    name: 'workspace viewer capped at viewer',
    grants: [workspaceGrant(1, 'editor', SERVE)],
    subject: ada(),
    expected: { access: 'viewer', path: viaWorkspace(1, SERVE, 'gpu-1:serve') },
  },
  // Expiry at the boundary: expiring exactly now no longer counts; a ms later still does.
  { name: 'expires exactly now → none, with the note', grants: [userGrant(1, 'editor', NOW)], subject: ada(), expected: { access: 'none', path: null, note: `The grant expired on ${NOW.toISOString()}` } },
  { name: 'expires 1 ms from now → counts', grants: [userGrant(1, 'editor', ms(1))], subject: ada(), expected: { access: 'editor', path: direct(1) } },
  { name: 'expired 1 ms ago → none', grants: [userGrant(1, 'editor', ms(-1))], subject: ada(), expected: { access: 'none', path: null, note: `The grant expired on ${ms(-1).toISOString()}` } },
  {
    name: 'an expired higher grant falls back to the live lower one (no note)',
    grants: [userGrant(1, 'admin', ms(-1000)), teamGrant(2, 'viewer')],
    subject: ada(),
    expected: { access: 'viewer', path: viaTeam(2) },
  },
  {
    name: 'several expired grants: the note names the latest expiry',
    grants: [userGrant(1, 'admin', ms(-5000)), teamGrant(2, 'viewer', PLATFORM, ms(-10))],
    subject: ada(),
    expected: { access: 'none', path: null, note: `The grant expired on ${ms(-10).toISOString()}` },
  },
  // A deactivated user has nothing, whatever their grants.
  { name: 'deactivated user with a direct admin grant → none', grants: [userGrant(1, 'admin')], subject: ada({ active: false }), expected: { access: 'none', path: null, note: 'The user is deactivated' } },
  { name: 'deactivated user without grants → none, no note', grants: [], subject: ada({ active: false }), expected: { access: 'none', path: null } },
  // A deleted team is not among the user's teams: its grant (if still loaded) gives nothing.
  { name: 'grant of a deleted team → none', grants: [teamGrant(1, 'admin', DELETED_TEAM)], subject: ada(), expected: { access: 'none', path: null } },
  // A workspace moved to another environment keeps its id: its grant follows it.
  {
    name: 'workspace moved to another environment: same id, same access',
    grants: [workspaceGrant(1, 'editor', TRAIN)],
    subject: { kind: 'workspace', workspaceId: TRAIN, workspaceFqn: 'gpu-1:train' },
    expected: { access: 'editor', path: direct(1) },
  },
  // A workspace counts its own grant only, never a user's or a team's.
  { name: 'workspace ignores user and team grants', grants: [userGrant(1, 'admin'), teamGrant(2, 'admin')], subject: train, expected: { access: 'none', path: null } },
  { name: 'workspace with an expired grant → none, with the note', grants: [workspaceGrant(1, 'viewer', TRAIN, NOW)], subject: train, expected: { access: 'none', path: null, note: `The grant expired on ${NOW.toISOString()}` } },
  { name: 'another workspace’s grant → none', grants: [workspaceGrant(1, 'editor', SERVE)], subject: train, expected: { access: 'none', path: null } },
];

describe('effectiveAccess', () => {
  it.each(cases)('$name', ({ grants, subject, expected }) => {
    expect(effectiveAccess(grants, subject, NOW)).toEqual(expected);
  });

  it('gives the same answer whatever order the grants come in', () => {
    const grants = [workspaceGrant(3, 'editor'), teamGrant(2, 'editor'), userGrant(1, 'viewer')];
    expect(effectiveAccess(grants, ada(), NOW)).toEqual(effectiveAccess([...grants].reverse(), ada(), NOW));
  });
});

describe('grantIsLive', () => {
  it.each([
    ['never expires', null, true],
    ['expires 1 ms later', ms(1), true],
    ['expires exactly now', NOW, false],
    ['expired 1 ms earlier', ms(-1), false],
  ] as const)('%s → %s', (_name, expiresAt, live) => {
    expect(grantIsLive({ expiresAt }, NOW)).toBe(live);
  });
});
