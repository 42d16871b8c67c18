/** The one place routers are composed. Each router owns one domain noun. */
import { router } from '@/server/trpc';
import { healthRouter } from '@/server/routers/health';

export const appRouter = router({
  health: healthRouter,
});

export type AppRouter = typeof appRouter;
