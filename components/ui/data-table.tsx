import type { ReactNode } from 'react';
import { cn } from '@/lib/cn';

export interface Column<Row> {
  /** Stable id; also the sort key when `sortable`. */
  id: string;
  header: string;
  /**
   * A plain string or number is shown on one line, cut with "…" past the column's room,
   * the whole value in its tooltip (and still in the page for screen readers and copy).
   */
  cell: (row: Row) => ReactNode;
  sortable?: boolean;
  align?: 'left' | 'right';
  className?: string;
  /** Let a text cell wrap over several lines instead of being cut (for prose, not identifiers). */
  wrap?: boolean;
  /** On a phone card, put the value under its label, left-aligned (for multi-line content). */
  stackOnPhone?: boolean;
}

export interface SortState {
  by: string;
  dir: 'asc' | 'desc';
}

export interface DataTableProps<Row> {
  columns: Column<Row>[];
  rows: Row[];
  rowKey: (row: Row) => string | number;
  /** Accessible name of the table. */
  label: string;
  sort?: SortState;
  onSortChange?: (sort: SortState) => void;
}

/**
 * A value cut to one line with the whole of it in the tooltip. The full text stays in
 * the DOM (only the box is clipped), so it is read aloud, found and copied whole; a
 * 10,000-character value costs one line, and the row's other cells keep their room.
 */
export function TruncatedText({ text, className }: { text: string; className?: string }) {
  return (
    <span title={text} className={cn('block max-w-[18rem] truncate max-sm:max-w-[60vw]', className)}>
      {text}
    </span>
  );
}

function renderCell(content: ReactNode, wrap: boolean | undefined): ReactNode {
  if (typeof content !== 'string' && typeof content !== 'number') return content;
  const text = String(content);
  return wrap ? <span className="[overflow-wrap:anywhere]">{text}</span> : <TruncatedText text={text} />;
}

/**
 * The one table: a list page hands it a column config (see STYLE.md, habit 7). Below the
 * `sm` breakpoint each row is drawn as a card of "Header value" lines, so every column
 * (Status included) stays on screen at 390 px without sideways scrolling; above it, a
 * table too wide for its box scrolls inside its own border, never the page.
 */
export function DataTable<Row>({ columns, rows, rowKey, label, sort, onSortChange }: DataTableProps<Row>) {
  return (
    <div className="max-w-full overflow-x-auto rounded-lg border border-zinc-200 dark:border-zinc-800 max-sm:border-0">
      <table aria-label={label} className="min-w-full divide-y divide-zinc-200 text-sm dark:divide-zinc-800 max-sm:block max-sm:divide-y-0">
        <thead className="bg-zinc-50 dark:bg-zinc-900 max-sm:sr-only">
          <tr>
            {columns.map((col) => {
              const active = sort?.by === col.id;
              return (
                <th
                  key={col.id}
                  scope="col"
                  aria-sort={active ? (sort.dir === 'asc' ? 'ascending' : 'descending') : undefined}
                  className={cn('px-3 py-2 font-medium text-zinc-600 dark:text-zinc-400', col.align === 'right' ? 'text-right' : 'text-left')}
                >
                  {col.sortable && onSortChange ? (
                    <button
                      type="button"
                      className="inline-flex items-center gap-1 hover:text-zinc-900 dark:hover:text-zinc-100"
                      onClick={() => onSortChange({ by: col.id, dir: active && sort.dir === 'asc' ? 'desc' : 'asc' })}
                    >
                      {col.header}
                      <span aria-hidden>{active ? (sort.dir === 'asc' ? '▲' : '▼') : '↕'}</span>
                    </button>
                  ) : (
                    col.header
                  )}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody className="divide-y divide-zinc-100 bg-white dark:divide-zinc-800 dark:bg-zinc-950 max-sm:block max-sm:space-y-3 max-sm:divide-y-0 max-sm:bg-transparent">
          {rows.map((row) => (
            <tr
              key={rowKey(row)}
              className="hover:bg-zinc-50 dark:hover:bg-zinc-900 max-sm:block max-sm:rounded-lg max-sm:border max-sm:border-zinc-200 max-sm:bg-white max-sm:py-1 dark:max-sm:border-zinc-800 dark:max-sm:bg-zinc-950"
            >
              {columns.map((col) => (
                <td
                  key={col.id}
                  data-label={col.header}
                  className={cn(
                    'px-3 py-2 align-middle',
                    col.align === 'right' && 'text-right tabular-nums',
                    col.className,
                    // On a phone: one "Header  value" line per column.
                    'max-sm:flex max-sm:min-w-0 max-sm:items-start max-sm:py-1 max-sm:whitespace-normal',
                    col.stackOnPhone ? 'max-sm:flex-col max-sm:gap-1 max-sm:text-left' : 'max-sm:justify-between max-sm:gap-3 max-sm:text-right',
                    'max-sm:before:shrink-0 max-sm:before:text-left max-sm:before:font-medium max-sm:before:text-zinc-500 max-sm:before:content-[attr(data-label)]',
                  )}
                >
                  {renderCell(col.cell(row), col.wrap)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
