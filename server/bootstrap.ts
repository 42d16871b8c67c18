import { count } from 'drizzle-orm';
import { DEFAULT_ENVIRONMENTS } from '@/lib/schemas/environment';
import { generatePassword, hashPassword } from '@/server/auth/password';
import type { ControlPlaneConfig } from '@/server/config';
import type { Logger } from '@/server/logger';
import { tablesOf, type Db, type Store } from '@/server/store';
import { recordAudit, SYSTEM_ACTOR } from '@/server/services/audit';

async function hasUsers(db: Db): Promise<boolean> {
  const { users } = tablesOf(db);
  const [row] = await db.select({ n: count() }).from(users);
  return (row?.n ?? 0) > 0;
}

/**
 * First start (no users yet): create the admin and the default environments.
 * The admin is the configured one (validated by server/config.ts); without a password
 * one is generated and printed once, to the server's stdout only.
 */
export async function bootstrap(store: Store, admin: ControlPlaneConfig['bootstrapAdmin'], log: Logger): Promise<void> {
  if (await hasUsers(store.db)) return;

  const password = admin.password ?? generatePassword();
  // Hashed before the transaction: scrypt takes a while, and the SQLite writer is one at a time.
  const passwordHash = await hashPassword(password);

  const created = await store.transaction(async (tx) => {
    // Another control plane on the same database may have bootstrapped meanwhile.
    if (await hasUsers(tx)) return false;
    const { environments, users } = tablesOf(tx);
    const [user] = await tx
      .insert(users)
      .values({ email: admin.email, name: 'Administrator', role: 'admin', passwordHash })
      .returning();
    if (!user) throw new Error('bootstrap: the insert returned no row');
    await recordAudit(tx, SYSTEM_ACTOR, {
      action: 'user.create',
      target: { type: 'user', id: user.id, label: user.email },
      after: { email: user.email, role: user.role, bootstrap: true },
    });
    const [haveEnvironments] = await tx.select({ n: count() }).from(environments);
    if ((haveEnvironments?.n ?? 0) === 0) {
      for (const preset of DEFAULT_ENVIRONMENTS) {
        const [env] = await tx.insert(environments).values(preset).returning();
        if (!env) throw new Error('bootstrap: the insert returned no row');
        await recordAudit(tx, SYSTEM_ACTOR, {
          action: 'environment.create',
          target: { type: 'environment', id: env.id, label: env.name },
          after: { ...preset },
        });
      }
    }
    return true;
  });
  if (!created) return;

  if (admin.password === undefined) {
    // Printed once, on purpose: there is no other way to learn it. Not a structured log line,
    // so log shippers parsing JSON do not index it as a field.
    process.stdout.write(
      `\n  Fleetdeck created the first admin.\n    Email:    ${admin.email}\n    Password: ${password}\n  Sign in and change it under Settings, or set FLEETDECK_ADMIN_PASSWORD before the first start.\n\n`,
    );
  } else {
    log.info('bootstrap admin created', { email: admin.email });
  }
}
