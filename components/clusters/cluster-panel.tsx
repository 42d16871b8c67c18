import type { ReactNode } from 'react';

/** A titled card of the cluster page; its heading names the region for screen readers. */
export function Panel({
  title,
  description,
  badge,
  children,
}: {
  title: string;
  description?: ReactNode;
  badge?: ReactNode;
  children: ReactNode;
}) {
  const id = `panel-${title.toLowerCase().replace(/[^a-z]+/g, '-')}`;
  return (
    <section aria-labelledby={id} className="min-w-0 space-y-3 rounded-lg border border-zinc-200 bg-white p-5 dark:border-zinc-800 dark:bg-zinc-900">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <div>
          <h2 id={id} className="text-sm font-semibold">
            {title}
          </h2>
          {description && <p className="text-xs text-zinc-500">{description}</p>}
        </div>
        {badge}
      </div>
      {children}
    </section>
  );
}

export function Detail({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div className="min-w-0">
      <dt className="text-xs text-zinc-500">{term}</dt>
      <dd className="break-words">{children}</dd>
    </div>
  );
}
