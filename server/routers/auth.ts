import { changePasswordInput, signInInput } from '@/lib/schemas/auth';
import { clearedSessionCookie, revokeSession, sessionCookie } from '@/server/auth/session';
import { recordAudit } from '@/server/services/audit';
import { changeOwnPassword } from '@/server/services/change-password';
import { signIn } from '@/server/services/sign-in';
import { authedProcedure, publicProcedure, router } from '@/server/trpc';

export const authRouter = router({
  signIn: publicProcedure.input(signInInput).mutation(async ({ ctx, input }) => {
    const { user, token, expiresAt } = await signIn(ctx.db, input, { ip: ctx.ip, userAgent: ctx.userAgent });
    ctx.resHeaders.append('set-cookie', sessionCookie(token, expiresAt, ctx.secure));
    return { user };
  }),

  /** The signed-in user, or null: the one query a signed-out browser may make. */
  me: publicProcedure.query(({ ctx }) => ctx.user),

  signOut: authedProcedure.mutation(({ ctx }) => {
    ctx.db.transaction((tx) => {
      if (ctx.sessionToken) revokeSession(tx, ctx.sessionToken);
      recordAudit(tx, ctx.actor, {
        action: 'session.sign_out',
        target: { type: 'user', id: ctx.user.id, label: ctx.user.email },
      });
    });
    ctx.resHeaders.append('set-cookie', clearedSessionCookie());
    return { ok: true as const };
  }),

  /** Your own password: needs the current one; your other sessions end. */
  changePassword: authedProcedure.input(changePasswordInput).mutation(async ({ ctx, input }) => {
    await changeOwnPassword(ctx.db, { ...ctx.actor, userId: ctx.user.id }, ctx.sessionToken, input);
    return { ok: true as const };
  }),
});
