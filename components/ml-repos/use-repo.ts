'use client';

import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useTRPC } from '@/components/trpc/client';

/** One repo's page data (shared by the frame and every tab: one request). */
export function useRepo(name: string) {
  const trpc = useTRPC();
  return useQuery(trpc.mlRepos.get.queryOptions({ name }));
}

/** Refetches what a grant change moves: the grants, who can access, the repo (counts, own access), the list. */
export function useRefreshAccess(name: string) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.mlRepos.grants.list.queryKey({ name }) }),
      queryClient.invalidateQueries({ queryKey: trpc.mlRepos.whoCanAccess.queryKey({ name }) }),
      queryClient.invalidateQueries({ queryKey: trpc.mlRepos.get.queryKey({ name }) }),
      queryClient.invalidateQueries({ queryKey: trpc.mlRepos.audit.pathKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.mlRepos.list.queryKey() }),
    ]);
}
