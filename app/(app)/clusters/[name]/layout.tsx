import type { ReactNode } from 'react';
import { ClusterView } from '@/components/clusters/cluster-view';

type Params = Promise<{ name: string }>;

/** The frame every tab of a cluster's page shares: header, attention reasons, tab bar. */
export default async function ClusterLayout({ params, children }: { params: Params; children: ReactNode }) {
  const { name } = await params;
  return <ClusterView name={decodeURIComponent(name)}>{children}</ClusterView>;
}
