import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { SignInForm } from '@/components/auth/sign-in-form';
import { safeRedirectPath } from '@/lib/safe-redirect';
import { currentUser } from '@/server/auth/current-user';

export const metadata: Metadata = { title: 'Sign in' };
export const dynamic = 'force-dynamic';

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ next?: string | string[] }> }) {
  const { next } = await searchParams;
  // Both the redirect below and the form's navigation after sign-in go here: never off-site.
  const destination = safeRedirectPath(typeof next === 'string' ? next : undefined);
  if (await currentUser()) redirect(destination);
  return (
    <main className="grid min-h-screen place-items-center p-4">
      <div className="w-full max-w-sm rounded-xl border border-zinc-200 bg-white p-6 shadow-sm dark:border-zinc-800 dark:bg-zinc-900">
        <div className="mb-6 flex items-center gap-2">
          <span className="grid size-8 place-items-center rounded-md bg-indigo-600 font-semibold text-white" aria-hidden>
            F
          </span>
          <h1 className="text-lg font-semibold">Sign in to Fleetdeck</h1>
        </div>
        <SignInForm destination={destination} />
      </div>
    </main>
  );
}
