import type { ReactNode } from 'react';
import { cn } from '@/lib/cn';

export interface Column<Row> {
  /** Stable id; also the sort key when `sortable`. */
  id: string;
  header: string;
  cell: (row: Row) => ReactNode;
  sortable?: boolean;
  align?: 'left' | 'right';
  className?: string;
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

/** The one table: a list page hands it a column config (see STYLE.md, habit 7). */
export function DataTable<Row>({ columns, rows, rowKey, label, sort, onSortChange }: DataTableProps<Row>) {
  return (
    <div className="overflow-x-auto rounded-lg border border-zinc-200 dark:border-zinc-800">
      <table aria-label={label} className="min-w-full divide-y divide-zinc-200 text-sm dark:divide-zinc-800">
        <thead className="bg-zinc-50 dark:bg-zinc-900">
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
        <tbody className="divide-y divide-zinc-100 bg-white dark:divide-zinc-800 dark:bg-zinc-950">
          {rows.map((row) => (
            <tr key={rowKey(row)} className="hover:bg-zinc-50 dark:hover:bg-zinc-900">
              {columns.map((col) => (
                <td key={col.id} className={cn('px-3 py-2 align-middle', col.align === 'right' && 'text-right tabular-nums', col.className)}>
                  {col.cell(row)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
