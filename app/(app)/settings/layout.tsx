import type { ReactNode } from 'react';
import { SettingsTabs } from '@/components/layout/settings-tabs';
import { PageHeader } from '@/components/ui/page-header';

/** The frame of every settings section: the header and the section tabs. */
export default function SettingsLayout({ children }: { children: ReactNode }) {
  return (
    <>
      <PageHeader title="Settings" description="Your account, people, teams and storage." />
      <div className="space-y-6">
        <SettingsTabs />
        {children}
      </div>
    </>
  );
}
