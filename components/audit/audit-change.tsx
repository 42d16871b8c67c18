'use client';

import { useState } from 'react';
import { type AuditSnapshot, auditDiff, foldValue } from '@/lib/audit-diff';

/** One value of a change, folded past `FOLD_AT` characters; a click shows the rest. */
function FoldedValue({ text, tone }: { text: string; tone: 'old' | 'new' }) {
  const [open, setOpen] = useState(false);
  const { shown, folded } = foldValue(text);
  const colour = tone === 'old' ? 'text-red-700 dark:text-red-400' : 'text-green-700 dark:text-green-400';
  return (
    <span className={`[overflow-wrap:anywhere] ${colour}`}>
      {tone === 'old' && <span className="sr-only">was </span>}
      {tone === 'new' && <span className="sr-only">now </span>}
      {open || !folded ? text : shown}
      {folded && (
        <button
          type="button"
          className="ml-1 rounded px-1 font-sans text-xs text-indigo-700 underline dark:text-indigo-300"
          aria-expanded={open}
          onClick={() => setOpen((value) => !value)}
        >
          {open ? 'Show less' : `Show all ${text.length.toLocaleString('en-US')} characters`}
        </button>
      )}
    </span>
  );
}

/** What an audit event changed: one `field: old → new` line per changed field. */
export function AuditChange({ before, after }: { before: AuditSnapshot; after: AuditSnapshot }) {
  const changes = auditDiff(before, after);
  if (changes.length === 0) return <span className="text-zinc-500">—</span>;
  return (
    <ul className="min-w-[20rem] max-w-xl space-y-0.5 font-mono text-xs max-sm:min-w-0" aria-label="Changed fields">
      {changes.map((change) => (
        <li key={change.field}>
          <span className="text-zinc-500">{change.field}:</span>{' '}
          {change.before !== undefined && <FoldedValue text={change.before} tone="old" />}
          {change.kind === 'changed' && <span aria-hidden> → </span>}
          {change.after !== undefined && <FoldedValue text={change.after} tone="new" />}
          {change.kind === 'removed' && <span className="text-zinc-500"> (removed)</span>}
        </li>
      ))}
    </ul>
  );
}
