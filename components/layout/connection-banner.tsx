'use client';

import { useLiveConnection } from '@/components/trpc/live-connection';
import { formatAsOf } from '@/components/trpc/live-state';

/**
 * Says so when the page stopped being live: the browser is offline, or the event stream
 * to the control plane dropped. What is on screen is then as of the moment it was lost;
 * the banner goes away, and every query refetches, when the connection is back.
 */
export function ConnectionBanner() {
  const { state, lostAt } = useLiveConnection();
  if (state === 'live') return null;
  const asOf = lostAt ? ` Showing data as of ${formatAsOf(lostAt)}.` : '';
  return (
    <div role="alert" className="border-b border-amber-300 bg-amber-50 px-4 py-2 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-200">
      {state === 'offline'
        ? `You are offline: this page is not updating.${asOf} It refreshes when you are back online.`
        : `Lost the live connection to the control plane; reconnecting.${asOf}`}
    </div>
  );
}
