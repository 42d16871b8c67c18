/**
 * A repo's Artifacts: listing what is stored under the repo's location, and short-lived
 * presigned URLs to download (viewers) and upload (editors), issued after the access check.
 */
import { artifactDownloadInput, artifactUploadInput, listArtifactsInput } from '@/lib/schemas/ml-repo-artifacts';
import { artifactDownloadUrl, artifactUploadUrl, listArtifacts } from '@/server/services/ml-repos/artifacts';
import { resourceProcedure, router } from '@/server/trpc';

const byName = (input: { name: string }) => ({ type: 'mlRepo' as const, name: input.name });

export const artifactsRouter = router({
  /** One page of a folder: its sub-folders, then its objects (size, modified time). */
  list: resourceProcedure('mlRepo.artifacts.read', 'mlRepo', listArtifactsInput, byName).query(({ ctx, input }) =>
    listArtifacts(ctx.cp, input),
  ),
  /** A URL to GET one object from, for a few minutes. */
  downloadUrl: resourceProcedure('mlRepo.artifacts.read', 'mlRepo', artifactDownloadInput, byName).mutation(({ ctx, input }) =>
    artifactDownloadUrl(ctx.cp, input),
  ),
  /** A URL to PUT one file to, for a few minutes; refused to viewers before any URL exists. */
  uploadUrl: resourceProcedure('mlRepo.artifacts.write', 'mlRepo', artifactUploadInput, byName).mutation(({ ctx, input }) =>
    artifactUploadUrl(ctx.cp, ctx.actor, input),
  ),
});
