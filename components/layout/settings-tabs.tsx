'use client';
/**
 * Settings' sections, each its own URL under `/settings`. Adding one is a line here and a
 * page under `app/(app)/settings/<segment>`.
 */
import { usePathname } from 'next/navigation';
import { useSessionUser } from '@/components/auth/session-context';
import { LinkTabs } from '@/components/ui/link-tabs';
import { type Permission, roleHas } from '@/lib/permissions';

const SETTINGS_TABS: readonly { href: string; label: string; permission?: Permission }[] = [
  { href: '/settings', label: 'Account and users' },
  { href: '/settings/teams', label: 'Teams', permission: 'team.read' },
  { href: '/settings/storage', label: 'Storage', permission: 'storage.manage' },
];

export function SettingsTabs() {
  const pathname = usePathname();
  const { role } = useSessionUser();
  const tabs = SETTINGS_TABS.filter((tab) => !tab.permission || roleHas(role, tab.permission));
  const current = [...tabs].reverse().find((tab) => pathname === tab.href || pathname.startsWith(`${tab.href}/`));
  return <LinkTabs label="Settings sections" tabs={tabs} currentHref={current?.href} />;
}
