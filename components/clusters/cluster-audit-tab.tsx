'use client';

import { AuditTrail } from '@/components/audit/audit-trail';
import { useCan } from '@/components/auth/session-context';
import { Panel } from '@/components/clusters/cluster-panel';
import { useClusterDetail } from '@/components/clusters/use-cluster-detail';
import { EmptyState } from '@/components/ui/states';

/** Every audited change to this cluster, newest first. */
export function ClusterAuditTab({ name }: { name: string }) {
  const canRead = useCan('audit.read');
  const { data: detail } = useClusterDetail(name);
  if (!detail) return null;
  if (!canRead) {
    return <EmptyState title="Audit events are for admins">Ask an admin to see who changed this cluster and when.</EmptyState>;
  }
  return (
    <Panel title="Audit events">
      <AuditTrail targetType="cluster" targetId={String(detail.cluster.id)} />
    </Panel>
  );
}
