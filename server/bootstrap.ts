import { count } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { environments, users } from '@/db/schema';
import { email as emailSchema, password as passwordSchema } from '@/lib/schemas/auth';
import { DEFAULT_ENVIRONMENTS } from '@/lib/schemas/environment';
import { generatePassword, hashPassword } from '@/server/auth/password';
import { logger } from '@/server/logger';
import { recordAudit, SYSTEM_ACTOR } from '@/server/services/audit';

/**
 * First start (no users yet): create the admin and the default environments.
 * The admin comes from FLEETDECK_ADMIN_EMAIL / FLEETDECK_ADMIN_PASSWORD; without a
 * password one is generated and printed once, to the server log only.
 */
export async function bootstrap(db: Db, env: Record<string, string | undefined> = process.env): Promise<void> {
  const existing = db.select({ n: count() }).from(users).get();
  if (existing && existing.n > 0) return;

  const email = emailSchema.parse(env.FLEETDECK_ADMIN_EMAIL ?? 'admin@fleetdeck.local');
  const configured = env.FLEETDECK_ADMIN_PASSWORD;
  if (configured !== undefined) {
    const ok = passwordSchema.safeParse(configured);
    if (!ok.success) throw new Error(`FLEETDECK_ADMIN_PASSWORD: ${ok.error.issues[0]?.message ?? 'invalid'}`);
  }
  const password = configured ?? generatePassword();
  const passwordHash = await hashPassword(password);

  db.transaction((tx) => {
    const admin = tx.insert(users).values({ email, name: 'Administrator', role: 'admin', passwordHash }).returning().get();
    recordAudit(tx, SYSTEM_ACTOR, {
      action: 'user.create',
      target: { type: 'user', id: admin.id, label: admin.email },
      after: { email: admin.email, role: admin.role, bootstrap: true },
    });
    const haveEnvironments = tx.select({ n: count() }).from(environments).get();
    if (!haveEnvironments || haveEnvironments.n === 0) {
      for (const preset of DEFAULT_ENVIRONMENTS) {
        const created = tx.insert(environments).values(preset).returning().get();
        recordAudit(tx, SYSTEM_ACTOR, {
          action: 'environment.create',
          target: { type: 'environment', id: created.id, label: created.name },
          after: { ...preset },
        });
      }
    }
  });

  if (configured === undefined) {
    // Printed once, on purpose: there is no other way to learn it. Not a structured log line,
    // so log shippers parsing JSON do not index it as a field.
    process.stdout.write(
      `\n  Fleetdeck created the first admin.\n    Email:    ${email}\n    Password: ${password}\n  Sign in and change it under Settings, or set FLEETDECK_ADMIN_PASSWORD before the first start.\n\n`,
    );
  } else {
    logger.info('bootstrap admin created', { email });
  }
}
