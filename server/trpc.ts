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
import { initTRPC, TRPCError } from '@trpc/server';
import superjson from 'superjson';
import { z, ZodError } from 'zod';
import { type AccessDeclaration, type Permission } from '@/lib/permissions';
import { authorize, requireUser, type Resource, type ResourceType } from '@/server/access/authorize';
import type { Principal, UserPrincipal } from '@/server/access/principal';
import type { ControlPlane } from '@/server/control-plane';
import { DomainError } from '@/server/errors';
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

const t = initTRPC
  .context<Context>()
  .meta<ProcedureMeta>()
  .create({
    transformer: superjson,
    errorFormatter({ shape, error }) {
      const cause = error.cause;
      let fieldErrors: Record<string, string[]> | null = null;
      let message = shape.message;
      if (cause instanceof ZodError) {
        fieldErrors = z.flattenError(cause).fieldErrors as Record<string, string[]>;
        message = 'Some fields need attention';
      } else if (cause instanceof DomainError && cause.fieldErrors) {
        fieldErrors = cause.fieldErrors;
      }
      const { stack: _stack, ...data } = shape.data;
      return { ...shape, message, data: { ...data, fieldErrors } };
    },
  });

export const createCallerFactory = t.createCallerFactory;
export const router = t.router;

const GENERIC_FAILURE = 'Something went wrong on the server. Try again; if it persists, check the server log.';

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
    throw new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: GENERIC_FAILURE });
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
  return base.meta({ access: permission, creates: options.creates }).use(({ ctx, next }) => {
    const user = authorize(ctx.principal, permission);
    return next({ ctx: { ...ctx, user, actor: actorOf(ctx, user) } });
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
    .use(({ ctx, input: parsed, next }) => {
      authorize(ctx.principal, permission, resourceOf(parsed as z.output<S>));
      return next();
    });
}
