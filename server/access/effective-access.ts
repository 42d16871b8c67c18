/**
 * What one subject can do on one ML repo, and why: a pure function of the repo's grants
 * and the facts about the subject, so it is tested as a table of cases and gives the
 * same answer to the access check, the repo's "who can access this" table, a user's or
 * workspace's "what can this access", and `mlRepos.checkAccess`.
 *
 * Rules:
 * - A grant counts while it has not expired: one expiring at the very instant asked
 *   about no longer counts.
 * - A user counts their own grant, their teams' grants (a deleted team is simply not
 *   among their teams), and the grants of workspaces where they hold a workspace role;
 *   a workspace *viewer* gets at most `viewer` that way (they cannot run what the
 *   workspace runs). A deactivated user gets `none`.
 * - A workspace counts its own grant only.
 * - The highest role wins; on a tie, the most direct path (own, then team, then
 *   workspace), then the oldest grant.
 */
import { type AccessPath, type EffectiveAccess, type RepoAccess, REPO_ACCESS_RANK, type RepoRole } from '@/lib/ml-repos';
import type { WorkspaceRole } from '@/lib/workspaces';

export interface GrantFact {
  id: number;
  subject: { kind: 'user'; userId: number } | { kind: 'team'; teamId: number } | { kind: 'workspace'; workspaceId: number };
  role: RepoRole;
  /** Null: never expires. */
  expiresAt: Date | null;
}

export type SubjectFacts =
  | {
      kind: 'user';
      userId: number;
      active: boolean;
      /** The teams the user belongs to (that still exist). */
      teams: readonly { teamId: number; teamName: string }[];
      /** The workspaces where the user holds a role (their own or a team's). */
      workspaces: readonly { workspaceId: number; workspaceFqn: string; role: WorkspaceRole }[];
    }
  | { kind: 'workspace'; workspaceId: number; workspaceFqn: string };

/** Whether a grant still gives access at `now`: an expiry at exactly `now` has passed. */
export function grantIsLive(grant: Pick<GrantFact, 'expiresAt'>, now: Date): boolean {
  return grant.expiresAt === null || grant.expiresAt.getTime() > now.getTime();
}

const PATH_ORDER: Record<AccessPath['via'], number> = { direct: 0, team: 1, workspace: 2 };

interface Candidate {
  access: RepoAccess;
  path: AccessPath;
}

function better(a: Candidate, b: Candidate | null, grantsById: ReadonlyMap<number, GrantFact>): boolean {
  if (!b) return true;
  if (REPO_ACCESS_RANK[a.access] !== REPO_ACCESS_RANK[b.access]) return REPO_ACCESS_RANK[a.access] > REPO_ACCESS_RANK[b.access];
  if (PATH_ORDER[a.path.via] !== PATH_ORDER[b.path.via]) return PATH_ORDER[a.path.via] < PATH_ORDER[b.path.via];
  const ageA = grantsById.get(a.path.grantId)?.id ?? 0;
  const ageB = grantsById.get(b.path.grantId)?.id ?? 0;
  return ageA < ageB;
}

/** Every path by which `subject` reaches the repo through `grant`, ignoring expiry. */
function pathsThrough(grant: GrantFact, subject: SubjectFacts): Candidate[] {
  const s = grant.subject;
  if (subject.kind === 'workspace') {
    return s.kind === 'workspace' && s.workspaceId === subject.workspaceId ? [{ access: grant.role, path: { via: 'direct', grantId: grant.id } }] : [];
  }
  switch (s.kind) {
    case 'user':
      return s.userId === subject.userId ? [{ access: grant.role, path: { via: 'direct', grantId: grant.id } }] : [];
    case 'team':
      return subject.teams
        .filter((t) => t.teamId === s.teamId)
        .map((t) => ({ access: grant.role, path: { via: 'team', grantId: grant.id, teamId: t.teamId, teamName: t.teamName } }));
    case 'workspace':
      return subject.workspaces
        .filter((w) => w.workspaceId === s.workspaceId)
        .map((w) => ({
          access: w.role === 'viewer' ? 'viewer' : grant.role,
          path: { via: 'workspace', grantId: grant.id, workspaceId: w.workspaceId, workspaceFqn: w.workspaceFqn },
        }));
  }
}

/** The subject's effective access on the repo whose grants are `grants`, at `now`. */
export function effectiveAccess(grants: readonly GrantFact[], subject: SubjectFacts, now: Date): EffectiveAccess {
  const grantsById = new Map(grants.map((g) => [g.id, g]));
  let best: Candidate | null = null;
  /** The latest expiry among the grants that would count but expired. */
  let expiredAt: Date | null = null;
  for (const grant of grants) {
    const paths = pathsThrough(grant, subject);
    if (paths.length === 0) continue;
    if (grant.expiresAt && !grantIsLive(grant, now)) {
      if (!expiredAt || grant.expiresAt > expiredAt) expiredAt = grant.expiresAt;
      continue;
    }
    for (const candidate of paths) if (better(candidate, best, grantsById)) best = candidate;
  }
  if (subject.kind === 'user' && !subject.active) {
    return { access: 'none', path: null, note: best ? 'The user is deactivated' : undefined };
  }
  if (best) return best;
  if (expiredAt) return { access: 'none', path: null, note: `The grant expired on ${expiredAt.toISOString()}` };
  return { access: 'none', path: null };
}
