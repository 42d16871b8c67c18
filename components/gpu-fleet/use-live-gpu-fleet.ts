'use client';

import { useQueryClient } from '@tanstack/react-query';
import { useSubscription } from '@trpc/tanstack-react-query';
import { useTRPC } from '@/components/trpc/client';
import { useFoldedRefresh, useStreamHealth } from '@/components/trpc/live-stream';

export { LIVE_FALLBACK_POLL_MS } from '@/components/trpc/live-stream';

/**
 * Keeps the GPU Fleet and health board fresh from pushed events: a stored metric summary
 * (`metrics.summaryChanged`) or a cluster's state changing (an agent going silent turns
 * its numbers stale) invalidates the `gpuFleet` queries. Bursts (every agent pushes every
 * 30 s) are folded into at most one refetch every few seconds.
 */
export function useLiveGpuFleet(): void {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const onData = useFoldedRefresh(() => void queryClient.invalidateQueries({ queryKey: trpc.gpuFleet.pathKey() }), 5_000);
  const subscription = useSubscription(trpc.gpuFleet.onChange.subscriptionOptions(undefined, { onData }));
  useStreamHealth(subscription.status);
}
