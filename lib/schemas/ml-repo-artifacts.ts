/**
 * Inputs of a repo's Artifacts tab, shared by the tab and the artifacts router: which
 * folder to list, which object to download, what to upload. Paths are relative to the
 * repo and can never leave it: the server puts `<repo name>/` in front of every one.
 */
import { z } from 'zod';
import { MAX_NAME, withoutNul } from '@/lib/schemas/limits';

/** S3 keys are at most 1,024 bytes; a path relative to the repo is shorter still. */
export const MAX_ARTIFACT_PATH = 1_024;
/** A file name as file systems allow it. */
export const MAX_ARTIFACT_FILE_NAME = 255;
/** S3's largest single PUT: a presigned URL uploads in one request. */
export const MAX_ARTIFACT_UPLOAD_BYTES = 5 * 1024 ** 3;
export const DEFAULT_ARTIFACT_PAGE = 50;
export const MAX_ARTIFACT_PAGE = 1_000;
/** Continuation tokens of S3 and Azure are opaque but short. */
const MAX_CURSOR = 2_048;
const MAX_CONTENT_TYPE = 255;

/** Why `path` (relative to the repo, `/`-separated) is not one, or null. Empty is the repo itself. */
export function artifactPathProblem(path: string): string | null {
  if (path.startsWith('/')) return 'A path is relative to the repo: remove the leading "/"';
  if (path.includes('\\')) return 'Use "/" between folders, not "\\"';
  const segments = path.replace(/\/$/, '').split('/');
  if (path !== '' && segments.some((segment) => segment === '')) return 'A path cannot hold an empty folder name ("//")';
  if (segments.some((segment) => segment === '.' || segment === '..')) return 'A path cannot hold "." or ".." (it stays inside the repo)';
  if ([...path].some((c) => c.charCodeAt(0) < 0x20)) return 'A path cannot hold control characters';
  return null;
}

const artifactPath = withoutNul(z.string().max(MAX_ARTIFACT_PATH, `A path must be at most ${MAX_ARTIFACT_PATH} characters`)).superRefine(
  (path, ctx) => {
    const problem = path.length <= MAX_ARTIFACT_PATH ? artifactPathProblem(path) : null;
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  },
);

/** A folder inside the repo: `''` for its top, `models/v1` (a trailing `/` is dropped). */
export const artifactFolder = artifactPath.transform((path) => path.replace(/\/$/, ''));

/** The repo a tab belongs to; the server finds it by name (or answers that it is not there). */
export const artifactRepoName = withoutNul(z.string().trim().min(1, 'Name the repo').max(MAX_NAME, `A repo name is at most ${MAX_NAME} characters`));

export const listArtifactsInput = z.object({
  name: artifactRepoName,
  folder: artifactFolder.default(''),
  cursor: z.string().max(MAX_CURSOR, 'That page marker is not valid').nullish(),
  limit: z.number().int().min(1).max(MAX_ARTIFACT_PAGE).default(DEFAULT_ARTIFACT_PAGE),
});
export type ListArtifactsInput = z.input<typeof listArtifactsInput>;

/** One object, by its key relative to the repo (`models/v1/model.safetensors`). */
export const artifactDownloadInput = z.object({
  name: artifactRepoName,
  key: artifactPath.refine((key) => key !== '' && !key.endsWith('/'), 'Name a stored object, not a folder'),
});

export const artifactFileName = withoutNul(
  z
    .string()
    .min(1, 'Choose a file')
    .max(MAX_ARTIFACT_FILE_NAME, `A file name must be at most ${MAX_ARTIFACT_FILE_NAME} characters`),
)
  .refine((name) => !name.includes('/') && !name.includes('\\'), 'A file name cannot hold "/" or "\\"')
  .refine((name) => name !== '.' && name !== '..', 'A file name cannot be "." or ".."')
  .refine((name) => ![...name].some((c) => c.charCodeAt(0) < 0x20), 'A file name cannot hold control characters');

export const artifactUploadInput = z.object({
  name: artifactRepoName,
  folder: artifactFolder.default(''),
  fileName: artifactFileName,
  size: z
    .number()
    .int()
    .min(0, 'A size cannot be negative')
    .max(MAX_ARTIFACT_UPLOAD_BYTES, 'A file can be at most 5 GiB (one upload request)'),
  contentType: z
    .string()
    .max(MAX_CONTENT_TYPE, `A content type is at most ${MAX_CONTENT_TYPE} characters`)
    .regex(/^$|^[\w.+-]+\/[\w.+-]+(\s*;[ -~]*)?$/, 'Not a content type (e.g. application/octet-stream)')
    .optional(),
});
export type ArtifactUploadInput = z.input<typeof artifactUploadInput>;

/** The key of `fileName` in `folder`, relative to the repo. */
export function artifactKey(folder: string, fileName: string): string {
  return folder === '' ? fileName : `${folder}/${fileName}`;
}
