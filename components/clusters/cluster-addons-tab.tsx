'use client';

import { useCan } from '@/components/auth/session-context';
import { Panel } from '@/components/clusters/cluster-panel';
import { ClusterAddonsEditor } from '@/components/clusters/cluster-settings-editors';
import { addonsReportNote } from '@/components/clusters/format';
import { useClusterDetail } from '@/components/clusters/use-cluster-detail';

/** Desired addons beside what the agent reports. */
export function ClusterAddonsTab({ name }: { name: string }) {
  const canManage = useCan('cluster.manage');
  const { data: detail } = useClusterDetail(name);
  if (!detail) return null;
  return (
    <Panel title="Addons" description={addonsReportNote(detail.cluster.agentConnection)}>
      <ClusterAddonsEditor detail={detail} canManage={canManage} />
    </Panel>
  );
}
