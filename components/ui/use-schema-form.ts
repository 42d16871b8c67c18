'use client';

import { useState } from 'react';
import type { z } from 'zod';
import { errorMessage, type FieldErrors, serverFieldErrors, validateWith } from '@/lib/form-errors';

export interface SchemaForm<S extends z.ZodType> {
  /** Messages per field: the browser's own check first, else the server's answer. */
  fieldErrors: FieldErrors;
  /** The failed request's message when it was not about one field (shown above the buttons). */
  formError: string | null;
  /** Validates with the schema the server runs: the parsed values, or null after showing what is wrong. */
  parse(values: unknown): z.infer<S> | null;
}

/**
 * The error plumbing every form shares: one zod schema checked in the browser before
 * sending, and the server's field errors from the failed mutation beside the same fields.
 */
export function useSchemaForm<S extends z.ZodType>(schema: S, mutationError: unknown): SchemaForm<S> {
  const [clientErrors, setClientErrors] = useState<FieldErrors>({});
  const serverErrors = serverFieldErrors(mutationError);
  return {
    fieldErrors: { ...serverErrors, ...clientErrors },
    formError: mutationError && Object.keys(serverErrors).length === 0 ? errorMessage(mutationError) : null,
    parse(values) {
      const parsed = validateWith(schema, values);
      setClientErrors(parsed.ok ? {} : parsed.fieldErrors);
      return parsed.ok ? parsed.data : null;
    },
  };
}
