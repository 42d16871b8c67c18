/**
 * ML repo vocabulary shared by the store, the server and the browser: roles on a repo,
 * who a grant is to, and the answer to "who can access this, and why".
 *
 * Users and teams get `viewer`, `editor` or `admin` (admins manage the repo's grants);
 * workspaces get `viewer` or `editor` (every application in the workspace reads, or
 * reads and writes, the repo).
 */
export const REPO_ROLES = ['viewer', 'editor', 'admin'] as const;
export type RepoRole = (typeof REPO_ROLES)[number];

/** `none` below every role: what a subject without a live grant gets. */
export type RepoAccess = RepoRole | 'none';

export const WORKSPACE_GRANT_ROLES = ['viewer', 'editor'] as const satisfies readonly RepoRole[];

export const GRANT_SUBJECT_KINDS = ['user', 'team', 'workspace'] as const;
export type GrantSubjectKind = (typeof GRANT_SUBJECT_KINDS)[number];

/** Higher wins: the order effective access compares roles in. */
export const REPO_ACCESS_RANK: Record<RepoAccess, number> = { none: 0, viewer: 1, editor: 2, admin: 3 };

/**
 * How a subject came to its access: a grant to itself, through a team it belongs to, or
 * through a workspace it holds a role on. `grantId` names the grant that gave it.
 */
export type AccessPath =
  | { via: 'direct'; grantId: number }
  | { via: 'team'; grantId: number; teamId: number; teamName: string }
  | { via: 'workspace'; grantId: number; workspaceId: number; workspaceFqn: string };

/** One subject's effective access on one repo, and the path that gave it (null for `none`). */
export interface EffectiveAccess {
  access: RepoAccess;
  path: AccessPath | null;
  /** Why the answer is `none` when a grant exists but does not count ("the grant expired", "the user is deactivated"). */
  note?: string;
}

/**
 * Where a repo lives: `<storage root>/<repo name>`. Derived, never stored, so renaming
 * nothing and moving nothing keeps it true; one slash between, whatever the root ends with.
 */
export function repoLocation(storageRoot: string, repoName: string): string {
  return `${storageRoot.replace(/\/+$/, '')}/${repoName}`;
}

/** The path in words, as the access tables show it: "direct", "via team ml-platform", "via workspace gpu-1:train". */
export function describeAccessPath(path: AccessPath | null): string {
  if (!path) return '—';
  switch (path.via) {
    case 'direct':
      return 'direct';
    case 'team':
      return `via team ${path.teamName}`;
    case 'workspace':
      return `via workspace ${path.workspaceFqn}`;
  }
}
