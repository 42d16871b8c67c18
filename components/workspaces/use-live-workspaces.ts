'use client';

import { useQueryClient } from '@tanstack/react-query';
import { useSubscription } from '@trpc/tanstack-react-query';
import { useEffect, useId, useRef } from 'react';
import { useTRPC } from '@/components/trpc/client';
import { useLiveConnection } from '@/components/trpc/live-connection';

/** Creating 1,000 workspaces sends as many events; a page refetches at most this often. */
const MIN_REFRESH_INTERVAL_MS = 1_000;

/**
 * Keeps workspace queries fresh from pushed `workspaces.onChange` events (a change made
 * here or elsewhere, the agent's sync result, drift): the page's workspace queries are
 * invalidated and refetch what is shown. Bursts are folded as in useLiveClusters: the
 * first event refreshes at once, the rest of the second's events once at its end. The
 * stream's health feeds the stale-data banner.
 */
export function useLiveWorkspaces(): void {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const lastRefresh = useRef(0);
  const pending = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const streamId = useId();
  const { reportStream, forgetStream } = useLiveConnection();
  const everConnected = useRef(false);

  useEffect(() => () => clearTimeout(pending.current), []);

  const subscription = useSubscription(
    trpc.workspaces.onChange.subscriptionOptions(undefined, {
      onData: () => {
        const refresh = () => {
          pending.current = undefined;
          lastRefresh.current = Date.now();
          void queryClient.invalidateQueries({ queryKey: trpc.workspaces.pathKey() });
          // Environment usage counts follow workspaces too.
          void queryClient.invalidateQueries({ queryKey: trpc.environments.pathKey() });
        };
        if (pending.current) return;
        const wait = lastRefresh.current + MIN_REFRESH_INTERVAL_MS - Date.now();
        if (wait <= 0) refresh();
        else pending.current = setTimeout(refresh, wait);
      },
    }),
  );

  const connected = subscription.status === 'pending';
  useEffect(() => {
    if (connected) everConnected.current = true;
    if (everConnected.current) reportStream(streamId, connected);
  }, [connected, reportStream, streamId]);
  useEffect(() => () => forgetStream(streamId), [forgetStream, streamId]);
}
