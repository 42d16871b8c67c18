'use client';

import { useQueryClient } from '@tanstack/react-query';
import { useSubscription } from '@trpc/tanstack-react-query';
import { useTRPC } from '@/components/trpc/client';
import { useFoldedRefresh, useStreamHealth } from '@/components/trpc/live-stream';

/**
 * Keeps workspace queries fresh from pushed `workspaces.onChange` events (a change made
 * here or elsewhere, the agent's sync result, drift): the page's workspace queries, and
 * the environment usage counts that follow them, refetch (creating 1,000 workspaces is
 * as many events, folded into one refetch a second). The stream's health feeds the
 * stale-data banner.
 */
export function useLiveWorkspaces(): void {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const onData = useFoldedRefresh(() => {
    void queryClient.invalidateQueries({ queryKey: trpc.workspaces.pathKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.environments.pathKey() });
  });
  const subscription = useSubscription(trpc.workspaces.onChange.subscriptionOptions(undefined, { onData }));
  useStreamHealth(subscription.status);
}
