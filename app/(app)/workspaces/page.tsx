import type { Metadata } from 'next';
import { ComingSoon } from '@/components/layout/coming-soon';

export const metadata: Metadata = { title: 'Workspaces' };

export default function Page() {
  return <ComingSoon title="Workspaces" what="Workspaces (namespaces in a cluster, each tagged with one environment) arrive in a coming release." />;
}
