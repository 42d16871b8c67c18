/**
 * ML repo inputs, shared by the repo forms and the mlRepos router: one schema drives both
 * the browser's checks and the server's parse.
 */
import { z } from 'zod';
import { MAX_EMAIL, MAX_ID, MAX_NAME, recordId, withoutNul } from '@/lib/schemas/limits';
import { GRANT_SUBJECT_KINDS, REPO_ROLES, WORKSPACE_GRANT_ROLES } from '@/lib/ml-repos';

// ── Fields ──────────────────────────────────────────────────────────────────

export const MIN_REPO_NAME = 3;
export const MAX_REPO_NAME = 63;
/** The rule in words, for the form's hint. */
export const REPO_NAME_RULE = `${MIN_REPO_NAME}–${MAX_REPO_NAME} characters: lower-case letters, digits and "-", starting with a letter and ending with a letter or digit. Unique; it becomes the folder under the storage root.`;

/** A repo name: `^[a-z][a-z0-9-]*[a-z0-9]$`, 3–63 characters. */
export const repoName = z
  .string()
  .trim()
  .min(MIN_REPO_NAME, `Repo name must be at least ${MIN_REPO_NAME} characters`)
  .max(MAX_REPO_NAME, `Repo name must be at most ${MAX_REPO_NAME} characters`)
  .regex(/^[a-z]/, 'Repo name must start with a lower-case letter')
  .regex(/^[a-z0-9-]*$/, 'Use only lower-case letters, digits and "-" in the repo name')
  .regex(/[a-z0-9]$/, 'Repo name must end with a letter or digit');

export const MAX_REPO_DESCRIPTION = 500;
export const repoDescription = withoutNul(
  z.string().trim().max(MAX_REPO_DESCRIPTION, `Description must be at most ${MAX_REPO_DESCRIPTION} characters`),
);

/** How a procedure names an existing repo: its name (the URL /ml-repos/<name>). Looser than `repoName`, so an old name still gets a clear "not found". */
export const repoRef = z.object({
  name: withoutNul(z.string().trim().min(1, 'Repo name is required').max(MAX_NAME, `Repo name must be at most ${MAX_NAME} characters`)),
});
export type RepoRef = z.infer<typeof repoRef>;

// ── Repos ───────────────────────────────────────────────────────────────────

export const createRepoInput = z.object({
  name: repoName,
  description: repoDescription.default(''),
  storageIntegrationId: z.number({ error: 'Choose a storage integration' }).int().positive().max(MAX_ID, 'That storage integration does not exist'),
});
export type CreateRepoInput = z.input<typeof createRepoInput>;

export const updateRepoInput = repoRef.extend({ description: repoDescription });
export type UpdateRepoInput = z.infer<typeof updateRepoInput>;

/** The name typed again: the UI asks for it; the server checks it matches. */
export const deleteRepoInput = repoRef.extend({
  confirmName: z.string().trim().max(MAX_NAME, 'Type the repo name exactly to confirm'),
});
export type DeleteRepoInput = z.infer<typeof deleteRepoInput>;

const MAX_PAGE = 1_000_000;
export const REPO_PAGE_SIZES = [25, 50, 100] as const;

export const listReposInput = z.object({
  /** Substring of the name or description. */
  search: withoutNul(z.string().trim().max(100, 'Search must be at most 100 characters')).default(''),
  /** 1-based. */
  page: z.number().int().positive().max(MAX_PAGE).default(1),
  pageSize: z.number().int().min(1).max(100).default(25),
});
export type ListReposInput = z.input<typeof listReposInput>;
export type ListReposQuery = z.output<typeof listReposInput>;

// ── Grants ──────────────────────────────────────────────────────────────────

export const repoRole = z.enum(REPO_ROLES, 'Choose viewer, editor or admin');

export const grantSubject = z.discriminatedUnion(
  'kind',
  [
    z.object({ kind: z.literal('user'), userId: recordId }),
    z.object({ kind: z.literal('team'), teamId: recordId }),
    z.object({ kind: z.literal('workspace'), workspaceId: recordId }),
  ],
  { error: 'Choose a user, a team or a workspace' },
);
export type GrantSubject = z.infer<typeof grantSubject>;

/** Optional; when set, it must be in the future (checked again on the server at the time of the call). */
const expiresAt = z
  .date({ error: 'Enter a valid date' })
  .nullable()
  .optional()
  .refine((value) => !value || value.getTime() > Date.now(), 'The expiry must be in the future');

function workspacesNeverAdmin(input: { subject?: { kind: string }; role: string }, ctx: z.RefinementCtx) {
  if (input.subject?.kind === 'workspace' && !(WORKSPACE_GRANT_ROLES as readonly string[]).includes(input.role)) {
    ctx.addIssue({ code: 'custom', path: ['role'], message: 'A workspace can be granted viewer or editor, never admin' });
  }
}

export const createGrantInput = repoRef
  .extend({ subject: grantSubject, role: repoRole, expiresAt })
  .superRefine(workspacesNeverAdmin);
export type CreateGrantInput = z.input<typeof createGrantInput>;

/** Changes a grant's role and expiry (`expiresAt: null` removes the expiry; absent keeps it). */
export const changeGrantInput = repoRef.extend({ grantId: recordId, role: repoRole, expiresAt });
export type ChangeGrantInput = z.input<typeof changeGrantInput>;

export const revokeGrantInput = repoRef.extend({ grantId: recordId });
export type RevokeGrantInput = z.infer<typeof revokeGrantInput>;

export const grantCandidatesInput = repoRef.extend({
  kind: z.enum(GRANT_SUBJECT_KINDS, 'Choose user, team or workspace'),
  search: withoutNul(z.string().trim().max(100, 'Search must be at most 100 characters')).default(''),
});
export type GrantCandidatesInput = z.input<typeof grantCandidatesInput>;

// ── Effective access ────────────────────────────────────────────────────────

/** The FQN `<cluster>:<workspace>`. */
const MAX_FQN = MAX_NAME + 1 + MAX_NAME;

/** Who `checkAccess` and `accessOf` ask about: a user by email or id, or a workspace by FQN. */
export const accessSubject = z.union(
  [
    z.object({ kind: z.literal('user'), email: withoutNul(z.string().trim().toLowerCase().min(1).max(MAX_EMAIL, `An email has at most ${MAX_EMAIL} characters`)) }),
    z.object({ kind: z.literal('user'), userId: recordId }),
    z.object({
      kind: z.literal('workspace'),
      fqn: withoutNul(z.string().trim().min(3).max(MAX_FQN, `A workspace FQN has at most ${MAX_FQN} characters`)).refine(
        (fqn) => /^[^:]+:[^:]+$/.test(fqn),
        'A workspace FQN is <cluster>:<workspace>',
      ),
    }),
  ],
  { error: 'Name a user (email or userId) or a workspace (fqn)' },
);
export type AccessSubjectInput = z.infer<typeof accessSubject>;

export const checkAccessInput = z.object({ repo: repoRef.shape.name, subject: accessSubject });
export type CheckAccessInput = z.infer<typeof checkAccessInput>;

/** "What can this one access": a user by id, or a workspace by id. */
export const accessOfInput = z.object({
  subject: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('user'), userId: recordId }),
    z.object({ kind: z.literal('workspace'), workspaceId: recordId }),
  ]),
});
export type AccessOfInput = z.infer<typeof accessOfInput>;

export const repoAuditInput = repoRef.extend({
  /** Id of the oldest event already shown: the next page starts below it. */
  cursor: recordId.optional(),
  limit: z.number().int().min(1).max(200).default(50),
});
export type RepoAuditInput = z.input<typeof repoAuditInput>;
