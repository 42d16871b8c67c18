'use client';

import { useQueryClient } from '@tanstack/react-query';
import { useSubscription } from '@trpc/tanstack-react-query';
import { useEffect, useRef } from 'react';
import { useTRPC } from '@/components/trpc/client';

/** Alerts change in bursts (a fleet-wide outage): refetch at most this often. */
const MIN_REFRESH_INTERVAL_MS = 1_000;

/**
 * Keeps the alerts page fresh from `alerts.onChange`: an alert opened or resolved, or a
 * delivery attempted, refetches the page's alert queries (bursts folded into one refetch
 * a second).
 */
export function useLiveAlerts(): void {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const lastRefresh = useRef(0);
  const pending = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(pending.current), []);
  useSubscription(
    trpc.alerts.onChange.subscriptionOptions(undefined, {
      onData: () => {
        const refresh = () => {
          pending.current = undefined;
          lastRefresh.current = Date.now();
          void queryClient.invalidateQueries({ queryKey: trpc.alerts.pathKey() });
        };
        if (pending.current) return;
        const wait = lastRefresh.current + MIN_REFRESH_INTERVAL_MS - Date.now();
        if (wait <= 0) refresh();
        else pending.current = setTimeout(refresh, wait);
      },
    }),
  );
}
