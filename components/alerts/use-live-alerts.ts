'use client';

import { useQueryClient } from '@tanstack/react-query';
import { useSubscription } from '@trpc/tanstack-react-query';
import { useTRPC } from '@/components/trpc/client';
import { useFoldedRefresh, useStreamHealth } from '@/components/trpc/live-stream';

/**
 * Keeps the alerts page fresh from `alerts.onChange`: an alert opened or resolved, or a
 * delivery attempted, refetches the page's alert queries (a fleet-wide outage's burst
 * folded into one refetch a second). The stream's health feeds the stale-data banner.
 */
export function useLiveAlerts(): void {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const onData = useFoldedRefresh(() => void queryClient.invalidateQueries({ queryKey: trpc.alerts.pathKey() }));
  const subscription = useSubscription(trpc.alerts.onChange.subscriptionOptions(undefined, { onData }));
  useStreamHealth(subscription.status);
}
