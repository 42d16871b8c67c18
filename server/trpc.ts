/**
 * The one place tRPC is initialised.
 *
 * 1. Context: the database, the signed-in user (if any), and the request's facts.
 * 2. Initialisation: transformer and the error formatter that turns validation and
 *    domain errors into field errors a form can show, and never leaks internals.
 * 3. Procedures: every procedure declares its access through one of the builders at
 *    the bottom (`publicProcedure`, `authedProcedure`, `permissionProcedure(...)`);
 *    a test walks the router and fails on any procedure without a declaration.
 */
import { initTRPC, TRPCError } from '@trpc/server';
import superjson from 'superjson';
import { z, ZodError } from 'zod';
import type { Db } from '@/db/client';
import { getDb } from '@/db/client';
import { type AccessDeclaration, type Permission, roleHas } from '@/lib/permissions';
import { findSessionUser, readCookie, SESSION_COOKIE, type SessionUser } from '@/server/auth/session';
import { DomainError, isUniqueViolation } from '@/server/errors';
import { logger } from '@/server/logger';
import type { Actor } from '@/server/services/audit';

// ── 1. Context ─────────────────────────────────────────────────────────────

export interface Context {
  db: Db;
  user: SessionUser | null;
  /** The raw session cookie value, so sign-out can revoke exactly this session. */
  sessionToken: string | undefined;
  ip: string | null;
  userAgent: string | null;
  /** Headers added to the response (Set-Cookie). */
  resHeaders: Headers;
  /** Whether cookies must carry `Secure` (the request came over HTTPS). */
  secure: boolean;
  /** `scheme://host` this request reached us on: where agents dial when FLEETDECK_PUBLIC_URL is unset. */
  origin: string | null;
}

export function createContext(opts: { req: Request; resHeaders: Headers; db?: Db }): Context {
  const db = opts.db ?? getDb();
  const headers = opts.req.headers;
  const sessionToken = readCookie(headers.get('cookie'), SESSION_COOKIE);
  const secure = headers.get('x-forwarded-proto') === 'https';
  const host = headers.get('x-forwarded-host') ?? headers.get('host');
  return {
    db,
    user: findSessionUser(db, sessionToken),
    sessionToken,
    // server.ts sets x-forwarded-for from the socket unless a trusted proxy already did.
    ip: headers.get('x-forwarded-for')?.split(',')[0]?.trim() || null,
    userAgent: headers.get('user-agent'),
    resHeaders: opts.resHeaders,
    secure,
    origin: host ? `${secure ? 'https' : 'http'}://${host}` : null,
  };
}

// ── 2. Initialisation ──────────────────────────────────────────────────────

export interface ProcedureMeta {
  access: AccessDeclaration;
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

/** Domain errors become tRPC errors; anything else is logged and answered generically. */
const errorMapping = t.middleware(async ({ next, path }) => {
  const result = await next();
  if (result.ok) return result;
  const error = result.error;
  const cause = error.cause;
  if (cause instanceof DomainError) {
    throw new TRPCError({ code: cause.code, message: cause.message, cause });
  }
  if (isUniqueViolation(cause)) {
    throw new TRPCError({ code: 'CONFLICT', message: 'That name is already taken', cause });
  }
  if (error.code === 'INTERNAL_SERVER_ERROR') {
    logger.error('procedure failed', { path, error: cause?.message ?? error.message });
    throw new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: 'Something went wrong on the server. Try again; if it persists, check the server log.' });
  }
  return result;
});

const base = t.procedure.use(errorMapping);

// ── 3. Procedures ──────────────────────────────────────────────────────────

/** Sign-in and health only. */
export const publicProcedure = base.meta({ access: 'public' });

function requireUser(user: SessionUser | null): SessionUser {
  if (!user) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Sign in to continue' });
  return user;
}

function actorOf(ctx: Context, user: SessionUser): Actor {
  return { userId: user.id, label: user.email, ip: ctx.ip };
}

/** Any signed-in user, for what concerns only themselves. */
export const authedProcedure = base.meta({ access: 'authenticated' }).use(({ ctx, next }) => {
  const user = requireUser(ctx.user);
  return next({ ctx: { ...ctx, user, actor: actorOf(ctx, user) } });
});

/** A signed-in user whose role holds `permission`. */
export function permissionProcedure(permission: Permission) {
  return base.meta({ access: permission }).use(({ ctx, next }) => {
    const user = requireUser(ctx.user);
    if (!roleHas(user.role, permission)) {
      throw new TRPCError({ code: 'FORBIDDEN', message: 'Your role does not allow this' });
    }
    return next({ ctx: { ...ctx, user, actor: actorOf(ctx, user) } });
  });
}
