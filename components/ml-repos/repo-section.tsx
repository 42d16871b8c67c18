import type { ReactNode } from 'react';

/** A titled card of the repo page; its heading names the region for screen readers. */
export function RepoSection({ title, description, children }: { title: string; description?: ReactNode; children: ReactNode }) {
  const id = `repo-section-${title.toLowerCase().replace(/[^a-z]+/g, '-')}`;
  return (
    <section aria-labelledby={id} className="min-w-0 space-y-3 rounded-lg border border-zinc-200 bg-white p-5 dark:border-zinc-800 dark:bg-zinc-900">
      <div>
        <h2 id={id} className="text-sm font-semibold">
          {title}
        </h2>
        {description && <p className="text-xs text-zinc-500">{description}</p>}
      </div>
      {children}
    </section>
  );
}
