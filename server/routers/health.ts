import { publicProcedure, router } from '@/server/trpc';

export const healthRouter = router({
  /** Liveness for load balancers and the e2e harness. */
  check: publicProcedure.query(() => ({ ok: true as const })),
});
