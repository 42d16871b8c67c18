import type { ReactNode } from 'react';
import { Button } from '@/components/ui/button';
import { errorMessage } from '@/lib/form-errors';

export function LoadingState({ label = 'Loading…' }: { label?: string }) {
  return (
    <div role="status" className="flex items-center gap-2 p-6 text-sm text-zinc-500">
      <span className="size-4 animate-spin rounded-full border-2 border-zinc-400 border-t-transparent" aria-hidden />
      {label}
    </div>
  );
}

export function EmptyState({ title, children, action }: { title: string; children?: ReactNode; action?: ReactNode }) {
  return (
    <div className="rounded-lg border border-dashed border-zinc-300 p-8 text-center dark:border-zinc-700">
      <p className="font-medium">{title}</p>
      {children && <div className="mt-1 text-sm text-zinc-500 dark:text-zinc-400">{children}</div>}
      {action && <div className="mt-4">{action}</div>}
    </div>
  );
}

/** A failed request's message inside a form or dialog; nothing when there is none. */
export function FormError({ message }: { message: string | null | undefined }) {
  if (!message) return null;
  return (
    <p role="alert" className="rounded-md bg-red-50 p-2 text-sm text-red-700 dark:bg-red-950 dark:text-red-300">
      {message}
    </p>
  );
}

/**
 * Whether asking again could give another answer. A request the server refused on its
 * merits (not found, forbidden, invalid: HTTP 4xx other than a timeout or "too many")
 * will be refused again, so it gets no "Try again" button.
 */
export function isRetryable(error: unknown): boolean {
  if (!error || typeof error !== 'object' || !('data' in error)) return true;
  const data: unknown = error.data;
  const status = data && typeof data === 'object' && 'httpStatus' in data ? data.httpStatus : undefined;
  if (typeof status !== 'number') return true;
  return status >= 500 || status === 408 || status === 429;
}

/**
 * A failed load. Pass the `error` itself: its message is shown, and "Try again" is
 * offered only when retrying can help (see `isRetryable`).
 */
export function ErrorState({ message, error, onRetry }: { message?: string; error?: unknown; onRetry?: () => void }) {
  const canRetry = onRetry && (error === undefined || isRetryable(error));
  return (
    <div role="alert" className="rounded-lg border border-red-200 bg-red-50 p-4 text-sm text-red-800 dark:border-red-900 dark:bg-red-950 dark:text-red-200">
      <p>{message ?? errorMessage(error)}</p>
      {canRetry && (
        <Button variant="secondary" size="sm" className="mt-3" onClick={onRetry}>
          Try again
        </Button>
      )}
    </div>
  );
}
