import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { findClusterTab } from '@/components/clusters/cluster-tabs';

type Params = Promise<{ name: string; tab: string }>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const { name, tab } = await params;
  const found = findClusterTab(tab);
  return { title: found ? `${found.label} · ${decodeURIComponent(name)}` : 'Not found' };
}

/** Every tab but the Overview: the segment names it in CLUSTER_TABS. */
export default async function ClusterTabPage({ params }: { params: Params }) {
  const { name, tab } = await params;
  const found = findClusterTab(tab);
  if (!found) notFound();
  return <found.Component name={decodeURIComponent(name)} />;
}
