import { eq } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { users } from '@/db/schema';
import type { ChangePasswordInput } from '@/lib/schemas/auth';
import { hashPassword, verifyPassword } from '@/server/auth/password';
import { hashToken, revokeOtherSessions } from '@/server/auth/session';
import { InvalidError, NotFoundError } from '@/server/errors';
import { type Actor, recordAudit } from '@/server/services/audit';

/**
 * A user changes their own password: the current one must be right, and every other
 * session of theirs ends (a stolen cookie stops working), this one stays signed in.
 */
export async function changeOwnPassword(
  db: Db,
  actor: Actor & { userId: number },
  sessionToken: string | undefined,
  input: ChangePasswordInput,
): Promise<void> {
  const user = db.select().from(users).where(eq(users.id, actor.userId)).get();
  if (!user) throw new NotFoundError('Your account no longer exists');
  if (!(await verifyPassword(input.currentPassword, user.passwordHash))) {
    throw InvalidError.onField('currentPassword', 'The current password is not right');
  }
  const passwordHash = await hashPassword(input.newPassword);
  db.transaction((tx) => {
    tx.update(users).set({ passwordHash, updatedAt: new Date() }).where(eq(users.id, user.id)).run();
    revokeOtherSessions(tx, user.id, sessionToken ? hashToken(sessionToken) : null);
    recordAudit(tx, actor, { action: 'user.change_password', target: { type: 'user', id: user.id, label: user.email } });
  });
}
