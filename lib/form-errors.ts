import { TRPCClientError } from '@trpc/client';
import type { z } from 'zod';

export type FieldErrors = Record<string, string[] | undefined>;

/** Field messages from a failed mutation (server-side zod or domain errors). */
export function serverFieldErrors(error: unknown): FieldErrors {
  if (error instanceof TRPCClientError) {
    const data: unknown = error.data;
    if (data && typeof data === 'object' && 'fieldErrors' in data && data.fieldErrors) {
      return data.fieldErrors as FieldErrors;
    }
  }
  return {};
}

/** The message to show for a failed request: the server's human message, never internals. */
export function errorMessage(error: unknown): string {
  if (error instanceof TRPCClientError) return error.message;
  if (error instanceof Error && error.message === 'Failed to fetch') return 'Cannot reach the server. Check your connection and try again.';
  return 'Something went wrong. Try again.';
}

/** Runs the same zod schema the server runs, returning field messages when it fails. */
export function validateWith<S extends z.ZodType>(
  schema: S,
  values: unknown,
): { ok: true; data: z.infer<S> } | { ok: false; fieldErrors: FieldErrors } {
  const result = schema.safeParse(values);
  if (result.success) return { ok: true, data: result.data };
  const fieldErrors: FieldErrors = {};
  for (const issue of result.error.issues) {
    const key = String(issue.path[0] ?? '');
    (fieldErrors[key] ??= []).push(issue.message);
  }
  return { ok: false, fieldErrors };
}
