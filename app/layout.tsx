import type { Metadata } from 'next';
import { cookies } from 'next/headers';
import type { ReactNode } from 'react';
import { parseTheme, THEME_COOKIE, themeClassName } from '@/components/layout/theme';
import { TRPCReactProvider } from '@/components/trpc/client';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Fleetdeck', template: '%s · Fleetdeck' },
  description: 'One control plane for every Kubernetes cluster your AI teams run.',
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Read on the server so the first paint has the chosen theme: no flash, no inline script.
  const theme = parseTheme((await cookies()).get(THEME_COOKIE)?.value);
  return (
    <html lang="en" className={themeClassName(theme)}>
      <body>
        <TRPCReactProvider>{children}</TRPCReactProvider>
      </body>
    </html>
  );
}
