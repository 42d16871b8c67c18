import type { Metadata } from 'next';
import { ClusterOverviewTab } from '@/components/clusters/cluster-overview-tab';

type Params = Promise<{ name: string }>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const { name } = await params;
  return { title: `Cluster ${decodeURIComponent(name)}` };
}

export default async function ClusterOverviewPage({ params }: { params: Params }) {
  const { name } = await params;
  return <ClusterOverviewTab name={decodeURIComponent(name)} />;
}
