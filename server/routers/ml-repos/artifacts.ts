/**
 * A repo's Artifacts: listing what is stored under the repo's location, and short-lived
 * presigned URLs to download (viewers) and upload (editors), issued after the access check.
 */
import { router } from '@/server/trpc';

export const artifactsRouter = router({});
