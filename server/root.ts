/** The one place routers are composed. Each router owns one domain noun. */
import { alertsRouter } from '@/server/routers/alerts';
import { auditRouter } from '@/server/routers/audit';
import { authRouter } from '@/server/routers/auth';
import { clustersRouter } from '@/server/routers/clusters/_router';
import { environmentsRouter } from '@/server/routers/environments';
import { gpuFleetRouter } from '@/server/routers/gpu-fleet';
import { healthRouter } from '@/server/routers/health';
import { mlReposRouter } from '@/server/routers/ml-repos/_router';
import { storageRouter } from '@/server/routers/storage';
import { teamsRouter } from '@/server/routers/teams';
import { usersRouter } from '@/server/routers/users';
import { workspacesRouter } from '@/server/routers/workspaces';
import { router } from '@/server/trpc';

export const appRouter = router({
  health: healthRouter,
  auth: authRouter,
  users: usersRouter,
  environments: environmentsRouter,
  audit: auditRouter,
  clusters: clustersRouter,
  alerts: alertsRouter,
  workspaces: workspacesRouter,
  mlRepos: mlReposRouter,
  storage: storageRouter,
  teams: teamsRouter,
  gpuFleet: gpuFleetRouter,
});

export type AppRouter = typeof appRouter;
