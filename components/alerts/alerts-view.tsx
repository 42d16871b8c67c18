'use client';

import { useCan } from '@/components/auth/session-context';
import { PageHeader } from '@/components/ui/page-header';
import { AlertsList } from './alerts-list';
import { ChannelsSection } from './channels-section';
import { DeliveryLog } from './delivery-log';
import { RulesSection } from './rules-section';
import { useLiveAlerts } from './use-live-alerts';

/** The alerts page: what fires now, the rules and channels behind it, and what was sent. */
export function AlertsView() {
  const canManage = useCan('alert.manage');
  useLiveAlerts();
  return (
    <>
      <PageHeader title="Alerts" description="Rules watch clusters per environment and notify webhook and Slack channels when a condition fires and when it resolves." />
      <div className="space-y-8">
        <AlertsList />
        <RulesSection canManage={canManage} />
        <ChannelsSection canManage={canManage} />
        <DeliveryLog />
      </div>
    </>
  );
}
