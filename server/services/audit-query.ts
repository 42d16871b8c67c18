import { and, desc, eq, lt, type SQL } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { auditEvents } from '@/db/schema';
import type { AuditListInput } from '@/lib/schemas/audit';

/** Newest first, keyset-paged by id so a page is an index range scan however long the trail. */
export function listAuditEvents(db: Db, input: AuditListInput) {
  const filters: SQL[] = [];
  if (input.targetType) filters.push(eq(auditEvents.targetType, input.targetType));
  if (input.targetId) filters.push(eq(auditEvents.targetId, input.targetId));
  if (input.cursor) filters.push(lt(auditEvents.id, input.cursor));
  const rows = db
    .select()
    .from(auditEvents)
    .where(filters.length ? and(...filters) : undefined)
    .orderBy(desc(auditEvents.id))
    .limit(input.limit + 1)
    .all();
  const page = rows.slice(0, input.limit);
  return { events: page, nextCursor: rows.length > input.limit ? page[page.length - 1]?.id ?? null : null };
}
