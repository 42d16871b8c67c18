'use client';

import { type RefObject, useCallback, useEffect, useRef, useState } from 'react';
import type { z } from 'zod';
import { errorMessage, type FieldErrors, serverFieldErrors, validateWith } from '@/lib/form-errors';
import {
  dismissedFor,
  dismissField,
  type DismissedServerErrors,
  NOTHING_DISMISSED,
  visibleFieldErrors,
  withoutField,
} from '@/components/ui/schema-form-state';

export interface SchemaForm<S extends z.ZodType> {
  /** One message per field: the browser's own check first, else the server's answer. */
  fieldErrors: FieldErrors;
  /** The failed request's message when it was not about one field (shown above the buttons). */
  formError: string | null;
  /** Validates with the schema the server runs: the parsed values, or null after showing what is wrong. */
  parse(values: unknown): z.infer<S> | null;
  /** Call when `field`'s value changes: its old messages (the browser's and the server's) go. */
  fieldChanged(field: string): void;
  /** Put on the <form>: after a refused submit, focus moves to its first invalid control. */
  formRef: RefObject<HTMLFormElement | null>;
}

const CONTROLS = 'input:not([type="hidden"]):not([disabled]), select:not([disabled]), textarea:not([disabled]), button:not([disabled])';

/** The first control marked invalid in `form`, in document order (a fieldset gives its first control). */
function firstInvalidControl(form: HTMLFormElement): HTMLElement | null {
  const invalid = form.querySelector<HTMLElement>('[aria-invalid="true"]');
  if (!invalid) return null;
  return invalid.matches(CONTROLS) ? invalid : invalid.querySelector<HTMLElement>(CONTROLS);
}

/**
 * The error plumbing every form shares: one zod schema checked in the browser before
 * sending, and the server's field errors from the failed mutation beside the same fields.
 * A message stays only while it is true: editing a field clears its messages, and a
 * refused submit puts the cursor on the first field to fix.
 */
export function useSchemaForm<S extends z.ZodType>(schema: S, mutationError: unknown): SchemaForm<S> {
  const [clientErrors, setClientErrors] = useState<FieldErrors>({});
  const [dismissed, setDismissed] = useState<DismissedServerErrors>(NOTHING_DISMISSED);
  const [focusRequest, setFocusRequest] = useState(0);
  const formRef = useRef<HTMLFormElement | null>(null);
  const serverErrors = serverFieldErrors(mutationError);
  const hasServerFieldErrors = Object.keys(serverErrors).length > 0;

  // After the messages render: a refused submit, or a new failure with field messages.
  useEffect(() => {
    if (focusRequest > 0 && formRef.current) firstInvalidControl(formRef.current)?.focus();
  }, [focusRequest]);
  useEffect(() => {
    if (hasServerFieldErrors && formRef.current) firstInvalidControl(formRef.current)?.focus();
  }, [mutationError, hasServerFieldErrors]);

  const fieldChanged = useCallback(
    (field: string) => {
      setClientErrors((current) => withoutField(current, field));
      setDismissed((current) => (dismissedFor(current, mutationError).has(field) ? current : dismissField(current, mutationError, field)));
    },
    [mutationError],
  );

  return {
    fieldErrors: visibleFieldErrors(clientErrors, serverErrors, dismissedFor(dismissed, mutationError)),
    formError: mutationError && !hasServerFieldErrors ? errorMessage(mutationError) : null,
    parse(values) {
      const parsed = validateWith(schema, values);
      setClientErrors(parsed.ok ? {} : parsed.fieldErrors);
      if (!parsed.ok) setFocusRequest((n) => n + 1);
      return parsed.ok ? parsed.data : null;
    },
    fieldChanged,
    formRef,
  };
}
