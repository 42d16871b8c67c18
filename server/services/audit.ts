import { tablesOf, type Db } from '@/server/store';

/** Who did it: a signed-in user, or the system itself (`userId: null`). */
export interface Actor {
  userId: number | null;
  label: string;
  ip: string | null;
}

export const SYSTEM_ACTOR: Actor = { userId: null, label: 'system', ip: null };

export interface AuditEntry {
  /** `<noun>.<verb>`, e.g. `environment.update`. */
  action: string;
  target: { type: string; id: string | number | null; label?: string | null };
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
}

/**
 * Appends one audit row. Call it inside the mutation's transaction so the change and
 * its record commit or roll back together.
 */
export async function recordAudit(tx: Db, actor: Actor, entry: AuditEntry): Promise<void> {
  const { auditEvents } = tablesOf(tx);
  await tx.insert(auditEvents).values({
    actorUserId: actor.userId,
    actorLabel: actor.label,
    action: entry.action,
    targetType: entry.target.type,
    targetId: entry.target.id === null ? null : String(entry.target.id),
    targetLabel: entry.target.label ?? null,
    before: entry.before ?? null,
    after: entry.after ?? null,
    ip: actor.ip,
  });
}
