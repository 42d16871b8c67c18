/**
 * ML repos: the list, one repo, its grants and who can access it, and its artifacts.
 * Thin: each procedure declares its access (and the repo it acts on), parses its input
 * with the shared schema in lib/schemas/ml-repo.ts, and calls one service in
 * server/services/ml-repos/.
 */
import { router } from '@/server/trpc';
import { artifactsRouter } from './artifacts';

export const mlReposRouter = router({
  artifacts: artifactsRouter,
});
