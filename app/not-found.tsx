import Link from 'next/link';
import { connection } from 'next/server';

/**
 * Rendered per request like every other page: a prerendered page has no CSP nonce on its
 * scripts, and the policy would block them.
 */
export default async function NotFound() {
  await connection();
  return (
    <main className="grid min-h-screen place-items-center p-4">
      <div className="text-center">
        <h1 className="text-lg font-semibold">Page not found</h1>
        <p className="mt-2 text-sm text-zinc-500">There is nothing at this address.</p>
        <Link href="/" className="mt-4 inline-block text-sm font-medium text-indigo-600 hover:underline">
          Go to the overview
        </Link>
      </div>
    </main>
  );
}
