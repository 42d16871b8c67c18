'use client';

import { useQueryClient } from '@tanstack/react-query';
import { useSubscription } from '@trpc/tanstack-react-query';
import { useEffect, useRef } from 'react';
import { useTRPC } from '@/components/trpc/client';

/** A busy fleet changes many times a second; a page refetches at most this often. */
const MIN_REFRESH_INTERVAL_MS = 1_000;

/** The fallback when the event stream is down: slow enough to be cheap. */
export const LIVE_FALLBACK_POLL_MS = 30_000;

/**
 * Keeps cluster queries fresh from pushed events: a `clusters.onChange` event (agent
 * connected, snapshot stored, settings changed…) invalidates the page's cluster queries,
 * which refetch what is shown. Narrowed to one cluster when `name` is given. Bursts are
 * folded: the first event refreshes at once, the rest of the second's events once more
 * at its end.
 */
export function useLiveClusters(name?: string): void {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const lastRefresh = useRef(0);
  const pending = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  useEffect(() => () => clearTimeout(pending.current), []);

  useSubscription(
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
}
