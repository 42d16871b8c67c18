import type { Metadata } from 'next';
import { ClusterView } from '@/components/clusters/cluster-view';

type Params = Promise<{ name: string }>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const { name } = await params;
  return { title: `Cluster ${decodeURIComponent(name)}` };
}

export default async function ClusterPage({ params }: { params: Params }) {
  const { name } = await params;
  return <ClusterView name={decodeURIComponent(name)} />;
}
