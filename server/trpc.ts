/**
 * The one place tRPC is initialised.
 *
 * 1. Context: the control plane (built once at start), the caller as a `Principal`,
 *    and the request's facts.
 * 2. Initialisation: transformer and the error formatter that turns validation and
 *    domain errors into field errors a form can show, and never leaks internals.
 * 3. Procedures: every procedure declares its access through one of the builders at
 *    the bottom; access itself is decided by `authorize` (server/access/authorize.ts).
 *    A test walks the router and fails on any procedure without a declaration, and on
 *    one that takes a resource's identity without naming the resource.
 */
import { initTRPC, TRPCError, type TRPC_ERROR_CODE_KEY } from '@trpc/server';
import superjson from 'superjson';
import { z, ZodError } from 'zod';
import { type AccessDeclaration, type Permission, roleHas } from '@/lib/permissions';
import { authorize, requireUser, type Resource, type ResourceType } from '@/server/access/authorize';
import { withWorkspaceGrants } from '@/server/access/grants';
import { withRepoAccess } from '@/server/access/repo-access';
import type { Principal, UserPrincipal } from '@/server/access/principal';
import type { ControlPlane } from '@/server/control-plane';
import { DomainError, ForbiddenError } from '@/server/errors';
import { errorMessage } from '@/server/logger';
import type { Actor } from '@/server/services/audit';

// ── 1. Context ─────────────────────────────────────────────────────────────

/** What the HTTP layer learned about the request, before any procedure runs. */
export interface RequestFacts {
  /** The client's address (see server/http for how proxies are trusted). */
  ip: string | null;
  userAgent: string | null;
  /** Whether cookies must carry `Secure` (the request came over HTTPS). */
  secure: boolean;
  /** `scheme://host` this request reached us on: where agents dial when FLEETDECK_PUBLIC_URL is unset. */
  origin: string | null;
}

export interface Context {
  cp: ControlPlane;
  principal: Principal;
  request: RequestFacts;
  /** Headers added to the response (Set-Cookie). */
  resHeaders: Headers;
}

// ── 2. Initialisation ──────────────────────────────────────────────────────

export interface ProcedureMeta {
  access: AccessDeclaration;
  /** The kind of resource the input identifies, checked per call by `authorize`. */
  resource?: ResourceType;
  /** The kind of resource this procedure creates (its input names a new one, not an existing one). */
  creates?: ResourceType;
}

const GENERIC_FAILURE = 'Something went wrong on the server. Try again; if it persists, check the server log.';

/**
 * What a client reads for any error that is not one of ours: one fixed sentence per
 * code. Whatever tRPC, the JSON parser, superjson, V8 or a driver put in an error's
 * message ("Unexpected token…", "Maximum call stack size exceeded", SQL) stays here.
 */
export const GENERIC_ERROR_MESSAGES: Readonly<Record<TRPC_ERROR_CODE_KEY, string>> = {
  PARSE_ERROR: 'The request could not be read',
  BAD_REQUEST: 'The request is not valid',
  UNAUTHORIZED: 'Sign in to continue',
  PAYMENT_REQUIRED: 'This is not available',
  FORBIDDEN: 'You are not allowed to do this',
  NOT_FOUND: 'Not found',
  METHOD_NOT_SUPPORTED: 'This method is not supported here',
  TIMEOUT: 'The request took too long',
  CONFLICT: 'That conflicts with the current state; reload and try again',
  PRECONDITION_FAILED: 'That cannot be done in the current state',
  PAYLOAD_TOO_LARGE: 'The request is too large',
  UNSUPPORTED_MEDIA_TYPE: 'Send JSON (content-type: application/json)',
  UNPROCESSABLE_CONTENT: 'The request is not valid',
  PRECONDITION_REQUIRED: 'That cannot be done in the current state',
  TOO_MANY_REQUESTS: 'Too many requests; wait a moment and try again',
  CLIENT_CLOSED_REQUEST: 'The request was cancelled',
  INTERNAL_SERVER_ERROR: GENERIC_FAILURE,
  NOT_IMPLEMENTED: GENERIC_FAILURE,
  BAD_GATEWAY: GENERIC_FAILURE,
  SERVICE_UNAVAILABLE: GENERIC_FAILURE,
  GATEWAY_TIMEOUT: GENERIC_FAILURE,
};

export const FIELDS_NEED_ATTENTION = 'Some fields need attention';

/** Field messages a form can show: the distinct messages per top-level field, a few each. */
const MAX_MESSAGES_PER_FIELD = 5;
function fieldMessages(error: ZodError): Record<string, string[]> {
  const fields: Record<string, string[]> = {};
  for (const [field, messages] of Object.entries(z.flattenError(error).fieldErrors as Record<string, string[]>)) {
    fields[field] = [...new Set(messages)].slice(0, MAX_MESSAGES_PER_FIELD);
  }
  return fields;
}

/**
 * The message and field messages a client may see for `error`. Ours are a domain error's
 * message, and our schemas' field messages when the input failed them; anything else,
 * including errors raised before any procedure runs (reading the body, parsing JSON or
 * superjson, a batch, the context), gets the generic sentence for its code.
 */
function clientFacingError(error: TRPCError): { message: string; fieldErrors: Record<string, string[]> | null } {
  const cause = error.cause;
  if (cause instanceof DomainError && cause.code === error.code) {
    return { message: cause.message, fieldErrors: cause.fieldErrors ?? null };
  }
  if (cause instanceof ZodError && error.code === 'BAD_REQUEST') {
    const fieldErrors = fieldMessages(cause);
    const message = Object.keys(fieldErrors).length > 0 ? FIELDS_NEED_ATTENTION : GENERIC_ERROR_MESSAGES.BAD_REQUEST;
    return { message, fieldErrors };
  }
  return { message: GENERIC_ERROR_MESSAGES[error.code], fieldErrors: null };
}

/** Failures errorMapping has logged already, so the formatter does not log them twice. */
const loggedFailures = new WeakSet<TRPCError>();

const t = initTRPC
  .context<Context>()
  .meta<ProcedureMeta>()
  .create({
    transformer: superjson,
    // Every error answer passes through here, however early it was raised.
    errorFormatter({ shape, error, ctx, path }) {
      // A failure errorMapping never saw (a subscription's stream, a response that could
      // not be serialised) is logged here: its text goes to the log, never to the client.
      if (error.code === 'INTERNAL_SERVER_ERROR' && !loggedFailures.has(error)) {
        ctx?.cp.log.error('request failed', { path, error: errorMessage(error.cause ?? error) });
      }
      const { message, fieldErrors } = clientFacingError(error);
      const { stack: _stack, ...data } = shape.data;
      return { ...shape, message, data: { ...data, fieldErrors } };
    },
  });

export const createCallerFactory = t.createCallerFactory;
export const router = t.router;

/** Domain errors become tRPC errors; anything else is logged and answered generically. */
const errorMapping = t.middleware(async ({ ctx, next, path }) => {
  const result = await next();
  if (result.ok) return result;
  const error = result.error;
  const cause = error.cause;
  if (cause instanceof DomainError) {
    throw new TRPCError({ code: cause.code, message: cause.message, cause });
  }
  if (error.code === 'INTERNAL_SERVER_ERROR') {
    ctx.cp.log.error('procedure failed', { path, error: errorMessage(cause ?? error) });
    const failure = new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: GENERIC_FAILURE });
    loggedFailures.add(failure);
    throw failure;
  }
  return result;
});

const base = t.procedure.use(errorMapping);

// ── 3. Procedures ──────────────────────────────────────────────────────────

function actorOf(ctx: Context, user: UserPrincipal): Actor {
  return { userId: user.userId, label: user.email, ip: ctx.request.ip };
}

/** Sign-in, the session probe and health only. */
export const publicProcedure = base.meta({ access: 'public' });

/** Any signed-in user, for what concerns only themselves. */
export const authedProcedure = base.meta({ access: 'authenticated' }).use(({ ctx, next }) => {
  const user = requireUser(ctx.principal);
  return next({ ctx: { ...ctx, user, actor: actorOf(ctx, user) } });
});

/**
 * A signed-in caller allowed `permission` on no single resource: lists (which filter
 * with `visibleScope`) and creations (`creates` names what they make).
 */
export function permissionProcedure(permission: Permission, options: { creates?: ResourceType } = {}) {
  return base.meta({ access: permission, creates: options.creates }).use(async ({ ctx, next }) => {
    // Refuse on the tenant role first; only then load the caller's workspace roles and
    // teams, which `authorize` and `visibleScope` read from the principal from here on
    // (a team lead's permission needs their teams: it is decided by the second call).
    if (!roleHas(requireUser(ctx.principal).role, permission)) throw new ForbiddenError('Your role does not allow this');
    const principal = await withWorkspaceGrants(ctx.cp.store, ctx.principal);
    const user = authorize(principal, permission);
    return next({ ctx: { ...ctx, principal, user, actor: actorOf(ctx, user) } });
  });
}

/**
 * A signed-in caller allowed `permission` on the one resource its input names. The
 * role is checked before the input is parsed (a stranger learns nothing from a
 * validation error), then `authorize` decides on the resource itself.
 */
export function resourceProcedure<S extends z.ZodType>(
  permission: Permission,
  resource: ResourceType,
  input: S,
  resourceOf: (input: z.output<S>) => Resource,
) {
  return permissionProcedure(permission)
    .meta({ access: permission, resource })
    .input(input)
    .use(async ({ ctx, input: parsed, next }) => {
      const target = resourceOf(parsed as z.output<S>);
      // An ML repo's access comes from its grants: load the caller's for this one repo.
      const principal = target.type === 'mlRepo' ? await withRepoAccess(ctx.cp.store, ctx.principal, target) : ctx.principal;
      authorize(principal, permission, target);
      return next({ ctx: { ...ctx, principal } });
    });
}
