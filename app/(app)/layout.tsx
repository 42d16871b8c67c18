import { redirect } from 'next/navigation';
import type { ReactNode } from 'react';
import { SessionProvider } from '@/components/auth/session-context';
import { AppShell } from '@/components/layout/app-shell';
import { currentUser } from '@/server/auth/current-user';

// Every page here reads the session: never prerender them.
export const dynamic = 'force-dynamic';

export default async function SignedInLayout({ children }: { children: ReactNode }) {
  const user = await currentUser();
  if (!user) redirect('/sign-in');
  return (
    <SessionProvider user={user}>
      <AppShell>{children}</AppShell>
    </SessionProvider>
  );
}
