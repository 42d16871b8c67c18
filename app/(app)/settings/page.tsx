import type { Metadata } from 'next';
import Link from 'next/link';
import { ChangePasswordForm } from '@/components/account/change-password-form';
import { UsersView } from '@/components/users/users-view';
import { roleHas } from '@/lib/permissions';
import { currentUser } from '@/server/auth/current-user';

export const metadata: Metadata = { title: 'Settings' };

export default async function SettingsPage() {
  const user = await currentUser();
  return (
    <>
      <div className="space-y-10">
        <section aria-labelledby="account-title" className="space-y-3">
          <h2 id="account-title" className="text-base font-semibold">
            Your account
          </h2>
          <p className="text-sm text-zinc-600 dark:text-zinc-400">
            Signed in as {user?.email} with the <strong>{user?.role}</strong> role.
            {user?.role !== 'admin' && ' Ask an admin to change your access.'}
            {user && (
              <>
                {' '}
                <Link href={`/settings/users/${user.id}`} className="text-indigo-700 underline-offset-2 hover:underline dark:text-indigo-300">
                  Your teams and access
                </Link>
              </>
            )}
          </p>
          <ChangePasswordForm />
        </section>
        {user && roleHas(user.role, 'user.manage') && <UsersView />}
      </div>
    </>
  );
}
