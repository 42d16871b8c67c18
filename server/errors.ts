/**
 * Domain errors. Services throw these; one tRPC middleware (server/trpc.ts) turns
 * them into TRPCErrors, so no stack trace or SQL text ever reaches a client.
 * Messages are for humans: they are shown as they are.
 */
export abstract class DomainError extends Error {
  abstract readonly code: 'NOT_FOUND' | 'CONFLICT' | 'FORBIDDEN' | 'BAD_REQUEST' | 'UNAUTHORIZED' | 'TOO_MANY_REQUESTS' | 'PRECONDITION_FAILED';
  /** Field-level messages, keyed by the input field they belong to. */
  readonly fieldErrors: Record<string, string[]> | undefined;

  constructor(message: string, fieldErrors?: Record<string, string[]>) {
    super(message);
    this.name = new.target.name;
    this.fieldErrors = fieldErrors;
  }
}

export class NotFoundError extends DomainError {
  readonly code = 'NOT_FOUND';
}

export class ConflictError extends DomainError {
  readonly code = 'CONFLICT';
  /** A conflict on one field, e.g. a duplicate name: the form shows it beside the field. */
  static onField(field: string, message: string): ConflictError {
    return new ConflictError(message, { [field]: [message] });
  }
}

export class ForbiddenError extends DomainError {
  readonly code = 'FORBIDDEN';
}

export class UnauthorizedError extends DomainError {
  readonly code = 'UNAUTHORIZED';
}

export class InvalidError extends DomainError {
  readonly code = 'BAD_REQUEST';
  static onField(field: string, message: string): InvalidError {
    return new InvalidError(message, { [field]: [message] });
  }
}

/** The request is valid but the state of the world refuses it (e.g. deleting an environment in use). */
export class PreconditionError extends DomainError {
  readonly code = 'PRECONDITION_FAILED';
}

export class RateLimitedError extends DomainError {
  readonly code = 'TOO_MANY_REQUESTS';
}

/** SQLite's constraint failure, for the race between a uniqueness check and the insert. */
export function isUniqueViolation(error: unknown): boolean {
  return (
    error instanceof Error &&
    'code' in error &&
    (error.code === 'SQLITE_CONSTRAINT_UNIQUE' || error.code === 'SQLITE_CONSTRAINT_PRIMARYKEY')
  );
}
