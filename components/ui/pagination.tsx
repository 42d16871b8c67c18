'use client';

import { Button } from '@/components/ui/button';

/**
 * Where the reader is in a paged list ("1–25 of 1,000 items"), Previous / Next, and
 * the page size when `pageSizes` are offered.
 */
export function Pagination({
  page,
  pageCount,
  total,
  pageSize,
  noun,
  onPage,
  pageSizes,
  onPageSize,
}: {
  page: number;
  pageCount: number;
  total: number;
  pageSize: number;
  /** What the list holds, plural. */
  noun: string;
  onPage: (page: number) => void;
  pageSizes?: readonly number[];
  onPageSize?: (size: number) => void;
}) {
  const first = (page - 1) * pageSize + 1;
  const last = Math.min(total, page * pageSize);
  return (
    <nav aria-label="Pages" className="mt-3 flex flex-wrap items-center justify-between gap-3 text-sm">
      <p className="text-zinc-600 dark:text-zinc-400" aria-live="polite">
        {first}–{last} of {total.toLocaleString('en-US')} {noun}
      </p>
      <div className="flex items-center gap-2">
        {pageSizes && onPageSize && (
          <label className="flex items-center gap-1 text-zinc-600 dark:text-zinc-400">
            Rows per page
            <select
              className="rounded-md border border-zinc-300 bg-white px-2 py-1 dark:border-zinc-700 dark:bg-zinc-900"
              value={pageSize}
              onChange={(e) => onPageSize(Number(e.target.value))}
            >
              {pageSizes.map((size) => (
                <option key={size} value={size}>
                  {size}
                </option>
              ))}
            </select>
          </label>
        )}
        <Button variant="secondary" size="sm" disabled={page <= 1} onClick={() => onPage(page - 1)}>
          Previous
        </Button>
        <span>
          Page {page} of {pageCount}
        </span>
        <Button variant="secondary" size="sm" disabled={page >= pageCount} onClick={() => onPage(page + 1)}>
          Next
        </Button>
      </div>
    </nav>
  );
}
