import type { Metadata } from 'next';
import { AuditTrail } from '@/components/audit/audit-trail';
import { PageHeader } from '@/components/ui/page-header';
import { EmptyState } from '@/components/ui/states';
import { roleHas } from '@/lib/permissions';
import { currentUser } from '@/server/auth/current-user';

export const metadata: Metadata = { title: 'Audit' };

export default async function AuditPage() {
  const user = await currentUser();
  return (
    <>
      <PageHeader title="Audit trail" description="Every change, who made it, from where, and what it was before and after." />
      {user && roleHas(user.role, 'audit.read') ? (
        <AuditTrail />
      ) : (
        <EmptyState title="Admins only">Ask an admin if you need to review the audit trail.</EmptyState>
      )}
    </>
  );
}
