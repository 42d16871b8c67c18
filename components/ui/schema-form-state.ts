/**
 * The pure rules behind useSchemaForm, kept apart from React so they are tested alone:
 * which message a field shows, and which server messages the user has since answered
 * by editing the field.
 */
import type { FieldErrors } from '@/lib/form-errors';

/** Server messages the user dismissed by editing their field, for one failed request. */
export interface DismissedServerErrors {
  /** The failed request these belong to: a new failure shows all its messages again. */
  source: unknown;
  fields: ReadonlySet<string>;
}

export const NOTHING_DISMISSED: DismissedServerErrors = { source: null, fields: new Set() };

/** The fields dismissed for `source`: none when the dismissals were for an older failure. */
export function dismissedFor(dismissed: DismissedServerErrors, source: unknown): ReadonlySet<string> {
  return dismissed.source === source ? dismissed.fields : NOTHING_DISMISSED.fields;
}

/** `field` added to what is dismissed for `source` (dismissals of an older failure are dropped). */
export function dismissField(dismissed: DismissedServerErrors, source: unknown, field: string): DismissedServerErrors {
  return { source, fields: new Set([...dismissedFor(dismissed, source), field]) };
}

/**
 * One message per field, the first: the browser's own check wins over the server's
 * answer, and a server message the user has edited away is gone. A field with several
 * problems (empty and badly shaped) shows the one to fix first.
 */
export function visibleFieldErrors(client: FieldErrors, server: FieldErrors, dismissed: ReadonlySet<string>): FieldErrors {
  const visible: FieldErrors = {};
  for (const field of new Set([...Object.keys(server), ...Object.keys(client)])) {
    const first = client[field]?.[0] ?? (dismissed.has(field) ? undefined : server[field]?.[0]);
    if (first !== undefined) visible[field] = [first];
  }
  return visible;
}

/** `errors` without `field`'s messages (the same object when it had none). */
export function withoutField(errors: FieldErrors, field: string): FieldErrors {
  if (!(field in errors)) return errors;
  const { [field]: _removed, ...rest } = errors;
  return rest;
}
