import { changePasswordInput, signInInput } from '@/lib/schemas/auth';
import { sessionUserOf } from '@/server/access/principal';
import { clearedSessionCookie, sessionCookie } from '@/server/auth/session';
import { changeOwnPassword } from '@/server/services/change-password';
import { signIn, signOut } from '@/server/services/sign-in';
import { authedProcedure, publicProcedure, router } from '@/server/trpc';

export const authRouter = router({
  signIn: publicProcedure.input(signInInput).mutation(async ({ ctx, input }) => {
    const { user, token, expiresAt } = await signIn(ctx.cp, input, { ip: ctx.request.ip, userAgent: ctx.request.userAgent });
    ctx.resHeaders.append('set-cookie', sessionCookie(token, expiresAt, ctx.request.secure));
    return { user };
  }),

  /** The signed-in user, or null: the one query a signed-out browser may make. */
  me: publicProcedure.query(({ ctx }) => sessionUserOf(ctx.principal)),

  signOut: authedProcedure.mutation(async ({ ctx }) => {
    await signOut(ctx.cp.store, ctx.user, ctx.actor);
    ctx.resHeaders.append('set-cookie', clearedSessionCookie());
    return { ok: true as const };
  }),

  /** Your own password: needs the current one; your other sessions end. */
  changePassword: authedProcedure.input(changePasswordInput).mutation(async ({ ctx, input }) => {
    await changeOwnPassword(ctx.cp.store, ctx.user, ctx.actor, input);
    return { ok: true as const };
  }),
});
