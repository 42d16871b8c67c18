import { cookies, headers } from 'next/headers';
import { redirect } from 'next/navigation';
import type { ReactNode } from 'react';
import { SessionProvider } from '@/components/auth/session-context';
import { AppShell } from '@/components/layout/app-shell';
import { parseTheme, THEME_COOKIE } from '@/components/layout/theme';
import { REQUEST_PATH_HEADER, signInPathFor } from '@/lib/sign-in-return';
import { currentUser } from '@/server/auth/current-user';

// Every page here reads the session: never prerender them.
export const dynamic = 'force-dynamic';

export default async function SignedInLayout({ children }: { children: ReactNode }) {
  const user = await currentUser();
  // Signed out: sign in, then come back to the page that was asked for.
  if (!user) redirect(signInPathFor((await headers()).get(REQUEST_PATH_HEADER)));
  const theme = parseTheme((await cookies()).get(THEME_COOKIE)?.value);
  return (
    <SessionProvider user={user}>
      <AppShell theme={theme}>{children}</AppShell>
    </SessionProvider>
  );
}
