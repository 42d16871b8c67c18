import { z } from 'zod';

export const auditListInput = z.object({
  targetType: z.string().max(40).optional(),
  targetId: z.string().max(100).optional(),
  /** Id of the oldest event already shown: the next page starts below it. */
  cursor: z.number().int().positive().optional(),
  limit: z.number().int().min(1).max(200).default(50),
});
export type AuditListInput = z.infer<typeof auditListInput>;
