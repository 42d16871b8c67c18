import { and, desc, eq, lt, type SQL } from 'drizzle-orm';
import type { AuditListInput } from '@/lib/schemas/audit';
import type { Store } from '@/server/store';

/** Newest first, keyset-paged by id so a page is an index range scan however long the trail. */
export async function listAuditEvents(store: Store, input: AuditListInput) {
  const { auditEvents } = store.tables;
  const filters: SQL[] = [];
  if (input.targetType) filters.push(eq(auditEvents.targetType, input.targetType));
  if (input.targetId) filters.push(eq(auditEvents.targetId, input.targetId));
  if (input.cursor) filters.push(lt(auditEvents.id, input.cursor));
  const rows = await store.db
    .select()
    .from(auditEvents)
    .where(filters.length ? and(...filters) : undefined)
    .orderBy(desc(auditEvents.id))
    .limit(input.limit + 1);
  const page = rows.slice(0, input.limit);
  return { events: page, nextCursor: rows.length > input.limit ? (page[page.length - 1]?.id ?? null) : null };
}
