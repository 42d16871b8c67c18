'use client';
/**
 * A tab bar of links, not an ARIA tablist: each tab is a page with its own URL, so Back,
 * reload and "open in new tab" work, Tab moves between them and Enter follows one. The
 * current one carries `aria-current="page"`.
 */
import Link from 'next/link';
import { cn } from '@/lib/cn';

export interface LinkTab {
  href: string;
  label: string;
}

export function LinkTabs({ label, tabs, currentHref }: { label: string; tabs: readonly LinkTab[]; currentHref: string | undefined }) {
  return (
    <nav aria-label={label} className="-mx-1 overflow-x-auto border-b border-zinc-200 dark:border-zinc-800">
      <ul className="flex min-w-max gap-1 px-1">
        {tabs.map((tab) => {
          const active = tab.href === currentHref;
          return (
            <li key={tab.href}>
              <Link
                href={tab.href}
                aria-current={active ? 'page' : undefined}
                className={cn(
                  '-mb-px inline-block border-b-2 px-3 py-2 text-sm font-medium focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-500',
                  active
                    ? 'border-indigo-600 text-indigo-700 dark:border-indigo-400 dark:text-indigo-300'
                    : 'border-transparent text-zinc-600 hover:border-zinc-300 hover:text-zinc-900 dark:text-zinc-400 dark:hover:text-zinc-100',
                )}
              >
                {tab.label}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
