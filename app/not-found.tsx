import type { Metadata } from 'next';
import Link from 'next/link';
import { connection } from 'next/server';

export const metadata: Metadata = { title: 'Page not found' };

const WAYS_BACK = [
  { href: '/', label: 'Overview' },
  { href: '/clusters', label: 'Clusters' },
  { href: '/environments', label: 'Environments' },
] as const;

/**
 * Rendered per request like every other page: a prerendered page has no CSP nonce on its
 * scripts, and the policy would block them.
 */
export default async function NotFound() {
  await connection();
  return (
    <main className="grid min-h-screen place-items-center p-4">
      <div className="w-full max-w-md rounded-xl border border-zinc-200 bg-white p-6 text-center shadow-sm dark:border-zinc-800 dark:bg-zinc-900">
        <Link href="/" className="mb-4 inline-flex items-center gap-2 text-base font-semibold">
          <span className="grid size-8 place-items-center rounded-md bg-indigo-600 text-sm text-white" aria-hidden>
            F
          </span>
          Fleetdeck
        </Link>
        <p className="text-sm font-medium text-indigo-600 dark:text-indigo-400">404</p>
        <h1 className="mt-1 text-lg font-semibold">Page not found</h1>
        <p className="mt-2 text-sm text-zinc-600 dark:text-zinc-400">
          Nothing lives at this address. It may have been mistyped, or what it pointed to (a cluster, an environment) was removed or renamed.
        </p>
        <nav aria-label="Ways back" className="mt-5 flex flex-wrap justify-center gap-2">
          {WAYS_BACK.map((link) => (
            <Link
              key={link.href}
              href={link.href}
              className="rounded-md border border-zinc-300 px-3 py-1.5 text-sm font-medium hover:bg-zinc-50 dark:border-zinc-700 dark:hover:bg-zinc-800"
            >
              {link.label}
            </Link>
          ))}
        </nav>
      </div>
    </main>
  );
}
