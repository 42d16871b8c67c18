'use client';

import { useMutation } from '@tanstack/react-query';
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { type ReactNode, useState } from 'react';
import { useSessionUser } from '@/components/auth/session-context';
import { isActive, NAV_ITEMS } from '@/components/layout/nav';
import { Button } from '@/components/ui/button';
import { cn } from '@/lib/cn';
import { useTRPC } from '@/components/trpc/client';

export function AppShell({ children }: { children: ReactNode }) {
  const pathname = usePathname();
  const [menuOpen, setMenuOpen] = useState(false);
  return (
    <div className="flex min-h-screen">
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-white focus:p-2">
        Skip to content
      </a>
      <nav
        aria-label="Main"
        className={cn(
          'fixed inset-y-0 left-0 z-40 w-56 shrink-0 border-r border-zinc-200 bg-white p-3 transition-transform dark:border-zinc-800 dark:bg-zinc-900',
          'md:static md:translate-x-0',
          menuOpen ? 'translate-x-0' : '-translate-x-full',
        )}
      >
        <Link href="/" className="mb-4 flex items-center gap-2 px-2 py-1 text-base font-semibold">
          <span className="grid size-7 place-items-center rounded-md bg-indigo-600 text-sm text-white" aria-hidden>
            F
          </span>
          Fleetdeck
        </Link>
        <ul className="space-y-0.5">
          {NAV_ITEMS.map((item) => {
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
        <Header onMenu={() => setMenuOpen((open) => !open)} />
        <main id="main" className="mx-auto w-full max-w-7xl flex-1 p-4 md:p-8">
          {children}
        </main>
      </div>
    </div>
  );
}

function Header({ onMenu }: { onMenu: () => void }) {
  const user = useSessionUser();
  const trpc = useTRPC();
  const signOut = useMutation(
    trpc.auth.signOut.mutationOptions({ onSettled: () => window.location.assign('/sign-in') }),
  );
  return (
    <header className="flex h-14 items-center justify-between border-b border-zinc-200 bg-white px-4 dark:border-zinc-800 dark:bg-zinc-900">
      <Button variant="ghost" size="sm" className="md:hidden" onClick={onMenu} aria-label="Toggle navigation">
        ☰
      </Button>
      <div className="ml-auto flex items-center gap-3 text-sm">
        <span>
          <span className="font-medium">{user.name}</span>{' '}
          <span className="text-zinc-500">
            {user.email} · {user.role}
          </span>
        </span>
        <Button variant="secondary" size="sm" pending={signOut.isPending} onClick={() => signOut.mutate()}>
          Sign out
        </Button>
      </div>
    </header>
  );
}
