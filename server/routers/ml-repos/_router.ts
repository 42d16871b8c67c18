/**
 * ML repos: the list, one repo, its grants and who can access it, and its artifacts.
 * Thin: each procedure declares its access (and the repo it acts on), parses its input
 * with the shared schema in lib/schemas/ml-repo.ts, and calls one service in
 * server/services/ml-repos/.
 */
import {
  accessOfInput,
  changeGrantInput,
  checkAccessInput,
  createGrantInput,
  createRepoInput,
  deleteRepoInput,
  grantCandidatesInput,
  listReposInput,
  repoAuditInput,
  repoRef,
  revokeGrantInput,
  updateRepoInput,
} from '@/lib/schemas/ml-repo';
import { authorize } from '@/server/access/authorize';
import { withRepoAccess } from '@/server/access/repo-access';
import { listAuditEvents } from '@/server/services/audit-query';
import { accessOf, checkAccess, whoCanAccess } from '@/server/services/ml-repos/effective';
import { changeGrant, createGrant, grantCandidates, listGrants, revokeGrant } from '@/server/services/ml-repos/grants';
import { createRepo, deleteRepo, getRepo, listRepos, updateRepo } from '@/server/services/ml-repos/repos';
import { findRepoByName } from '@/server/services/ml-repos/shared';
import { permissionProcedure, resourceProcedure, router } from '@/server/trpc';
import { artifactsRouter } from './artifacts';
import { homeRouter } from './home';

const byName = (input: { name: string }) => ({ type: 'mlRepo' as const, name: input.name });

/** Whether `authorize` allows it, without throwing. */
function allowed(check: () => unknown): boolean {
  try {
    check();
    return true;
  } catch {
    return false;
  }
}

const grantsRouter = router({
  /** Every grant, expired ones marked; subjects labelled (workspaces by FQN, with a production flag). */
  list: resourceProcedure('mlRepo.read', 'mlRepo', repoRef, byName).query(({ ctx, input }) => listGrants(ctx.cp.store.db, input.name)),
  grant: resourceProcedure('mlRepo.grants.manage', 'mlRepo', createGrantInput, byName).mutation(({ ctx, input }) =>
    createGrant(ctx.cp.store, ctx.actor, input),
  ),
  /** Role and expiry; the last live admin grant cannot be downgraded. */
  changeRole: resourceProcedure('mlRepo.grants.manage', 'mlRepo', changeGrantInput, byName).mutation(({ ctx, input }) =>
    changeGrant(ctx.cp.store, ctx.actor, input),
  ),
  /** The last live admin grant cannot be revoked. */
  revoke: resourceProcedure('mlRepo.grants.manage', 'mlRepo', revokeGrantInput, byName).mutation(({ ctx, input }) =>
    revokeGrant(ctx.cp.store, ctx.actor, input),
  ),
});

/** "What can this one access": a user (admins for anyone, a member for themselves) or a workspace (who may read it). */
const accessOfProcedure = permissionProcedure('mlRepo.read')
  .meta({ access: 'mlRepo.read', resource: 'workspace' })
  .input(accessOfInput)
  .use(({ ctx, input, next }) => {
    const { subject } = input;
    if (subject.kind === 'workspace') authorize(ctx.principal, 'workspace.read', { type: 'workspace', id: subject.workspaceId });
    else if (subject.userId !== ctx.user.userId) authorize(ctx.principal, 'user.read', { type: 'user', id: subject.userId });
    return next();
  });

export const mlReposRouter = router({
  /** The repos the caller may see (admins: all), searched and paged; `canCreate` says whether to offer "New ML repo". */
  list: permissionProcedure('mlRepo.read')
    .input(listReposInput)
    .query(async ({ ctx, input }) => {
      const principal = await withRepoAccess(ctx.cp.store, ctx.principal, 'reachable');
      const page = await listRepos(ctx.cp.store.db, principal, input);
      return { ...page, canCreate: allowed(() => authorize(principal, 'mlRepo.create')) };
    }),

  /** One repo's page: /ml-repos/<name>, with what the caller may do on it. */
  get: resourceProcedure('mlRepo.read', 'mlRepo', repoRef, byName).query(({ ctx, input }) => getRepo(ctx.cp.store.db, ctx.principal, input)),

  /** Admins and team managers (team leads); the creator becomes the repo's admin. */
  create: permissionProcedure('mlRepo.create', { creates: 'mlRepo' })
    .input(createRepoInput)
    .mutation(({ ctx, input }) => createRepo(ctx.cp.store, ctx.actor, input)),

  update: resourceProcedure('mlRepo.update', 'mlRepo', updateRepoInput, byName).mutation(({ ctx, input }) =>
    updateRepo(ctx.cp.store, ctx.actor, input),
  ),

  /** `confirmName` must repeat the repo's name. Stored objects stay in the bucket. */
  delete: resourceProcedure('mlRepo.delete', 'mlRepo', deleteRepoInput, byName).mutation(({ ctx, input }) =>
    deleteRepo(ctx.cp.store, ctx.actor, input),
  ),

  grants: grantsRouter,

  /** Whom the grant form offers: active users, teams, or workspaces by FQN, matching the search, at most 20. */
  grantCandidates: resourceProcedure('mlRepo.grants.manage', 'mlRepo', grantCandidatesInput, byName).query(({ ctx, input }) =>
    grantCandidates(ctx.cp.store.db, input),
  ),

  /** "Who can access this repo, and why": every user and workspace, with effective role and path. */
  whoCanAccess: resourceProcedure('mlRepo.read', 'mlRepo', repoRef, byName).query(({ ctx, input }) => whoCanAccess(ctx.cp.store.db, input.name)),

  /** One subject's effective access on a repo (a user by email or id, a workspace by FQN): for automation. */
  checkAccess: resourceProcedure('mlRepo.read', 'mlRepo', checkAccessInput, (input) => ({ type: 'mlRepo', name: input.repo })).query(({ ctx, input }) =>
    checkAccess(ctx.cp.store.db, input.repo, input.subject),
  ),

  accessOf: accessOfProcedure.query(({ ctx, input }) => accessOf(ctx.cp.store.db, input.subject)),

  /**
   * The repo's audit trail (its creation, changes and every grant step), newest first.
   * Anyone who may read the repo: its grants are on the Access tab already, so the trail
   * of how they came to be tells a reader nothing more.
   */
  audit: resourceProcedure('mlRepo.read', 'mlRepo', repoAuditInput, byName).query(async ({ ctx, input }) => {
    const repo = await findRepoByName(ctx.cp.store.db, input.name);
    return listAuditEvents(ctx.cp.store, { targetType: 'mlRepo', targetId: String(repo.id), cursor: input.cursor, limit: input.limit });
  }),

  artifacts: artifactsRouter,

  /** The team leads' home (server/routers/ml-repos/home.ts). */
  home: homeRouter,
});
