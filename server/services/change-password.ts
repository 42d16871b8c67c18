import { eq } from 'drizzle-orm';
import type { ChangePasswordInput } from '@/lib/schemas/auth';
import type { UserPrincipal } from '@/server/access/principal';
import { hashPassword, verifyPassword } from '@/server/auth/password';
import { revokeOtherSessions } from '@/server/auth/session';
import { InvalidError, NotFoundError } from '@/server/errors';
import type { Store } from '@/server/store';
import { type Actor, recordAudit } from '@/server/services/audit';

/**
 * A user changes their own password: the current one must be right, and every other
 * session of theirs ends (a stolen cookie stops working), this one stays signed in.
 */
export async function changeOwnPassword(store: Store, user: UserPrincipal, actor: Actor, input: ChangePasswordInput): Promise<void> {
  const { users } = store.tables;
  const [row] = await store.db.select().from(users).where(eq(users.id, user.userId)).limit(1);
  if (!row) throw new NotFoundError('Your account no longer exists');
  if (!(await verifyPassword(input.currentPassword, row.passwordHash))) {
    throw InvalidError.onField('currentPassword', 'The current password is not right');
  }
  // Hashed before the transaction: scrypt takes a while, and the SQLite writer is one at a time.
  const passwordHash = await hashPassword(input.newPassword);
  await store.transaction(async (tx) => {
    await tx.update(users).set({ passwordHash, updatedAt: new Date() }).where(eq(users.id, row.id));
    await revokeOtherSessions(tx, row.id, user.sessionTokenHash);
    await recordAudit(tx, actor, { action: 'user.change_password', target: { type: 'user', id: row.id, label: row.email } });
  });
}
