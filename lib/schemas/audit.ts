import { z } from 'zod';
import { recordId, withoutNul } from '@/lib/schemas/limits';

export const auditListInput = z.object({
  targetType: withoutNul(z.string().max(40, 'At most 40 characters')).optional(),
  targetId: withoutNul(z.string().max(100, 'At most 100 characters')).optional(),
  /** Id of the oldest event already shown: the next page starts below it. */
  cursor: recordId.optional(),
  limit: z.number().int().min(1).max(200).default(50),
});
export type AuditListInput = z.infer<typeof auditListInput>;
