import type { Metadata } from 'next';
import { PageHeader } from '@/components/ui/page-header';
import { UsersView } from '@/components/users/users-view';
import { roleHas } from '@/lib/permissions';
import { currentUser } from '@/server/auth/current-user';

export const metadata: Metadata = { title: 'Settings' };

export default async function SettingsPage() {
  const user = await currentUser();
  return (
    <>
      <PageHeader title="Settings" description="People and access to this Fleetdeck." />
      {user && roleHas(user.role, 'user.manage') ? (
        <UsersView />
      ) : (
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          You are signed in as {user?.email} with the <strong>{user?.role}</strong> role. Ask an admin to change your access.
        </p>
      )}
    </>
  );
}
