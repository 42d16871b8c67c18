'use client';

import { useMutation } from '@tanstack/react-query';
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { type ReactNode, useState } from 'react';
import { useSessionUser } from '@/components/auth/session-context';
import { ConnectionBanner } from '@/components/layout/connection-banner';
import { isActive, navItemsFor } from '@/components/layout/nav';
import type { Theme } from '@/components/layout/theme';
import { ThemeToggle } from '@/components/layout/theme-toggle';
import { Button } from '@/components/ui/button';
import { cn } from '@/lib/cn';
import { useTRPC } from '@/components/trpc/client';
import { LiveConnectionProvider } from '@/components/trpc/live-connection';

function ProductName({ className }: { className?: string }) {
  return (
    <Link href="/" className={cn('flex items-center gap-2 px-2 py-1 text-base font-semibold', className)}>
      <span className="grid size-7 place-items-center rounded-md bg-indigo-600 text-sm text-white" aria-hidden>
        F
      </span>
      Fleetdeck
    </Link>
  );
}

/**
 * The signed-in frame: sidebar (a drawer below `md`), header with the product name,
 * and the stale-connection banner above every page.
 */
export function AppShell({ children, theme }: { children: ReactNode; theme: Theme }) {
  const pathname = usePathname();
  const user = useSessionUser();
  const [menuOpen, setMenuOpen] = useState(false);
  return (
    <LiveConnectionProvider>
      <div className="flex min-h-screen">
        <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-white focus:p-2">
          Skip to content
        </a>
        {menuOpen && <div className="fixed inset-0 z-30 bg-black/30 md:hidden" aria-hidden onClick={() => setMenuOpen(false)} />}
        <nav
          id="main-nav"
          aria-label="Main"
          className={cn(
            'fixed inset-y-0 left-0 z-40 w-56 shrink-0 border-r border-zinc-200 bg-white p-3 transition-transform dark:border-zinc-800 dark:bg-zinc-900',
            'md:visible md:static md:translate-x-0',
            // Closed on a phone: off screen and out of the tab order.
            menuOpen ? 'visible translate-x-0' : 'invisible -translate-x-full',
          )}
        >
          <ProductName className="mb-4" />
          <ul className="space-y-0.5">
            {navItemsFor(user.role).map((item) => {
              const active = isActive(pathname, item.href);
              return (
                <li key={item.href}>
                  <Link
                    href={item.href}
                    aria-current={active ? 'page' : undefined}
                    onClick={() => setMenuOpen(false)}
                    className={cn(
                      'block rounded-md px-2 py-1.5 text-sm',
                      active
                        ? 'bg-indigo-50 font-medium text-indigo-700 dark:bg-indigo-950 dark:text-indigo-300'
                        : 'text-zinc-700 hover:bg-zinc-100 dark:text-zinc-300 dark:hover:bg-zinc-800',
                    )}
                  >
                    {item.label}
                  </Link>
                </li>
              );
            })}
          </ul>
        </nav>
        <div className="flex min-w-0 flex-1 flex-col">
          <Header menuOpen={menuOpen} onMenu={() => setMenuOpen((open) => !open)} theme={theme} />
          <ConnectionBanner />
          <main id="main" className="mx-auto w-full min-w-0 max-w-7xl flex-1 p-4 md:p-8">
            {children}
          </main>
        </div>
      </div>
    </LiveConnectionProvider>
  );
}

function Header({ menuOpen, onMenu, theme }: { menuOpen: boolean; onMenu: () => void; theme: Theme }) {
  const user = useSessionUser();
  const trpc = useTRPC();
  const signOut = useMutation(
    trpc.auth.signOut.mutationOptions({ onSettled: () => window.location.assign('/sign-in') }),
  );
  return (
    <header className="flex h-14 items-center gap-2 border-b border-zinc-200 bg-white px-2 sm:px-4 dark:border-zinc-800 dark:bg-zinc-900">
      <Button variant="ghost" size="sm" className="md:hidden" onClick={onMenu} aria-label="Toggle navigation" aria-expanded={menuOpen} aria-controls="main-nav">
        ☰
      </Button>
      {/* The sidebar carries the name on wide screens; on a phone the header keeps it. */}
      <ProductName className="md:hidden" />
      <div className="ml-auto flex min-w-0 items-center gap-2 text-sm sm:gap-3">
        <span className="min-w-0 truncate" title={`${user.name} · ${user.email} · ${user.role}`}>
          <span className="font-medium">{user.name}</span>{' '}
          <span className="hidden text-zinc-500 sm:inline">
            {user.email} · {user.role}
          </span>
        </span>
        <ThemeToggle initial={theme} />
        <Button variant="secondary" size="sm" className="shrink-0 whitespace-nowrap" pending={signOut.isPending} onClick={() => signOut.mutate()}>
          Sign out
        </Button>
      </div>
    </header>
  );
}
