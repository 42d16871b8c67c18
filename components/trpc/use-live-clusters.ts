'use client';

import { useQueryClient } from '@tanstack/react-query';
import { useSubscription } from '@trpc/tanstack-react-query';
import { useTRPC } from '@/components/trpc/client';
import { useFoldedRefresh, useStreamHealth } from '@/components/trpc/live-stream';

export { LIVE_FALLBACK_POLL_MS } from '@/components/trpc/live-stream';

/**
 * Keeps cluster queries fresh from pushed events: a `clusters.onChange` event (agent
 * connected, snapshot stored, settings changed…) invalidates the page's cluster queries,
 * which refetch what is shown. Narrowed to one cluster when `name` is given. Bursts are
 * folded into at most one refetch a second, and a lost stream shows the stale-data banner
 * instead of a page that silently stops moving.
 */
export function useLiveClusters(name?: string): void {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const onData = useFoldedRefresh(() => void queryClient.invalidateQueries({ queryKey: trpc.clusters.pathKey() }));
  const subscription = useSubscription(trpc.clusters.onChange.subscriptionOptions(name ? { name } : {}, { onData }));
  useStreamHealth(subscription.status);
}
