'use client';

import { useQueryClient } from '@tanstack/react-query';
import { useSubscription } from '@trpc/tanstack-react-query';
import { useEffect, useId, useRef } from 'react';
import { useTRPC } from '@/components/trpc/client';
import { useLiveConnection } from '@/components/trpc/live-connection';

/** A busy fleet changes many times a second; a page refetches at most this often. */
const MIN_REFRESH_INTERVAL_MS = 1_000;

/** The fallback when the event stream is down: slow enough to be cheap. */
export const LIVE_FALLBACK_POLL_MS = 30_000;

/**
 * Keeps cluster queries fresh from pushed events: a `clusters.onChange` event (agent
 * connected, snapshot stored, settings changed…) invalidates the page's cluster queries,
 * which refetch what is shown. Narrowed to one cluster when `name` is given. Bursts are
 * folded: the first event refreshes at once, the rest of the second's events once more
 * at its end. The stream's health is reported to the LiveConnectionProvider, so a lost
 * stream shows the stale-data banner instead of a page that silently stops moving.
 */
export function useLiveClusters(name?: string): void {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const lastRefresh = useRef(0);
  const pending = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const streamId = useId();
  const { reportStream, forgetStream } = useLiveConnection();
  const everConnected = useRef(false);

  useEffect(() => () => clearTimeout(pending.current), []);

  const subscription = useSubscription(
    trpc.clusters.onChange.subscriptionOptions(name ? { name } : {}, {
      onData: () => {
        const refresh = () => {
          pending.current = undefined;
          lastRefresh.current = Date.now();
          void queryClient.invalidateQueries({ queryKey: trpc.clusters.pathKey() });
        };
        if (pending.current) return;
        const wait = lastRefresh.current + MIN_REFRESH_INTERVAL_MS - Date.now();
        if (wait <= 0) refresh();
        else pending.current = setTimeout(refresh, wait);
      },
    }),
  );

  // 'pending' is tRPC's word for an open stream. The first connect is not a loss: only a
  // stream that was open and is now reconnecting (or failed) makes the page stale.
  const connected = subscription.status === 'pending';
  useEffect(() => {
    if (connected) everConnected.current = true;
    if (everConnected.current) reportStream(streamId, connected);
  }, [connected, reportStream, streamId]);
  useEffect(() => () => forgetStream(streamId), [forgetStream, streamId]);
}
