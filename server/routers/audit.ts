import { auditListInput } from '@/lib/schemas/audit';
import { listAuditEvents } from '@/server/services/audit-query';
import { permissionProcedure, router } from '@/server/trpc';

export const auditRouter = router({
  list: permissionProcedure('audit.read')
    .input(auditListInput)
    .query(({ ctx, input }) => listAuditEvents(ctx.cp.store, input)),
});
