'use client';

import { useQuery } from '@tanstack/react-query';
import { useTRPC } from '@/components/trpc/client';
import type { RouterOutputs } from '@/components/trpc/types';
import { LIVE_FALLBACK_POLL_MS } from '@/components/trpc/use-live-clusters';

export type ClusterDetail = RouterOutputs['clusters']['get'];

/**
 * The cluster page's one read, shared by its header and tabs (one cache entry, so
 * switching tabs never loads it again). Pushed events keep it fresh (the page's layout
 * subscribes once); the poll is only the fallback.
 */
export function useClusterDetail(name: string) {
  const trpc = useTRPC();
  return useQuery(trpc.clusters.get.queryOptions({ name }, { refetchInterval: LIVE_FALLBACK_POLL_MS }));
}
